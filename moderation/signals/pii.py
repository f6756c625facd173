"""Personal data in a post's text: plain code, no model.

Kinds (the words stored in ``PostSignal.pii``): ``email``, ``phone`` (Italian mobile and
landline, with or without +39/0039, and international +CC/00CC numbers), ``card`` (13-19 digits,
Luhn-checked, with a card-network prefix), ``iban`` (any country, mod-97 checksum) and
``tax_code`` (Italian codice fiscale, check character verified, omocodia letters accepted).

Numbers that only look like these are left alone: dates, prices and amounts, order/ticket/invoice
numbers (a number after such a word, or after ``#``, is never a phone or a card).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

EMAIL = "email"
PHONE = "phone"
CARD = "card"
IBAN = "iban"
TAX_CODE = "tax_code"
KINDS = (EMAIL, PHONE, CARD, IBAN, TAX_CODE)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


# --- e-mail ------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)

# --- IBAN --------------------------------------------------------------------------------------

# Lengths by country (the registry's); other countries are accepted at any length 15-34.
_IBAN_LENGTH = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18,
    "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28,
    "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,32}")


def iban_valid(candidate: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to 10..35, mod 97 == 1."""
    code = re.sub(r"[ -]", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", code):
        return False
    expected = _IBAN_LENGTH.get(code[:2])
    if expected is not None and len(code) != expected:
        return False
    digits = "".join(str(int(ch, 36)) for ch in code[4:] + code[:4])
    return int(digits) % 97 == 1


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(text):
        raw = match.group()
        # The pattern may run on into the next word: try the longest valid prefix that ends on
        # a character (not a separator) and is followed by a word boundary.
        for end in range(len(raw), 14, -1):
            piece = raw[:end]
            if piece[-1] in " -":
                continue
            after = match.start() + end
            if after < len(text) and text[after].isalnum():
                continue
            if iban_valid(piece):
                yield Finding(IBAN, match.start(), after, piece)
                break


# --- codice fiscale ----------------------------------------------------------------------------

_OMOCODE = "LMNPQRSTUV"  # the letters that replace 0-9 in an omocodic code
_TAX_CODE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst]"
    r"[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])"
)
_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21] * 2
        + [2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23],
        strict=True,
    )
)


def _even(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A")


def tax_code_check(first15: str) -> str:
    """The check character of a codice fiscale from its first 15 characters (upper case)."""
    total = sum(_ODD[ch] if i % 2 == 0 else _even(ch) for i, ch in enumerate(first15))
    return chr(ord("A") + total % 26)


def tax_code_valid(candidate: str) -> bool:
    code = candidate.upper()
    if not _TAX_CODE.fullmatch(code):
        return False
    day = "".join(str(_OMOCODE.index(c)) if c in _OMOCODE else c for c in code[9:11])
    if not (1 <= int(day) <= 31 or 41 <= int(day) <= 71):  # women: day + 40
        return False
    return tax_code_check(code[:15]) == code[15]


def _tax_codes(text: str) -> Iterator[Finding]:
    for match in _TAX_CODE.finditer(text):
        if tax_code_valid(match.group()):
            yield Finding(TAX_CODE, match.start(), match.end(), match.group())


# --- numbers: cards and phones -----------------------------------------------------------------

# A run of digits with the separators people type inside card and phone numbers.
_NUMBER = re.compile(r"(?<![\w+/.,-])(?:\+|00)?\(?\d(?:[ .\-/()]{0,2}\d){5,22}\)?(?![\w/]|[.,]\d)")
_CONTEXT_WORDS = re.compile(
    r"(?:ordine|ordini|order|orders|ord|pratica|ticket|fattura|invoice|ricevuta|receipt|"
    r"tracking|spedizione|shipment|codice|code|cod|rif|ref|reference|riferimento|id|pin|otp|"
    r"seriale|serial|imei|matricola|cliente|customer|account|contratto|contract|prodotto|"
    r"product|sku|art|articolo|lotto|batch|model|modello|partita iva|p\.? ?iva|vat)"
    r"\W{0,3}(?:(?:n|nr|no|num|numero|number)\W{0,3})?$",
    re.IGNORECASE,
)
_MONEY = re.compile(r"(?:[€$£]|\b(?:eur|euro|usd|gbp|chf)\b)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:[€$£%]|(?:eur|euro|usd|gbp|chf|k|mila|mln)\b)", re.IGNORECASE)
_DATE = re.compile(
    r"^\s*(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})"
    r"(?:\s+\d{1,2}[.:]\d{2}(?:[.:]\d{2})?)?\s*$"
)
_TIME_OR_SCORE = re.compile(r"^\d{1,2}[.:]\d{2}$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        value = int(ch)
        if i % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_prefix(digits: str) -> bool:
    """Issuer prefixes of the card networks (Visa, Mastercard, Amex, Diners, Discover, JCB,
    Maestro, UnionPay): 13-19 digit numbers starting otherwise are not cards."""
    if digits[0] == "4":
        return True
    two, four = int(digits[:2]), int(digits[:4])
    return (
        51 <= two <= 55
        or 2221 <= four <= 2720
        or two in (34, 37, 36, 38, 30, 35, 50, 62, 64, 65)
        or 56 <= two <= 69
    )


def _card(raw: str, digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or raw.startswith(("+", "(")):
        return False
    # separators, when present, are single spaces or dashes between groups of 3-6 digits
    groups = re.split(r"[ -]", raw)
    if len(groups) > 1 and (
        re.search(r"[^\d -]|[ -]{2}", raw) or any(not 3 <= len(g) <= 6 for g in groups[:-1])
    ):
        return False
    return _card_prefix(digits) and luhn_valid(digits)


def _phone(raw: str, digits: str) -> bool:
    compact = re.sub(r"[ .\-/()]", "", raw)
    groups = [g for g in re.split(r"[ .\-/()]+", raw.lstrip("+")) if g]
    if compact.startswith("+") or compact.startswith("00"):
        national = digits[2:] if compact.startswith("00") else digits
        if national.startswith("39"):
            return _italian(national[2:], groups[1:] if len(groups) > 1 else [])
        # +CC then the subscriber number: E.164 allows at most 15 digits in all
        return national[:1] != "0" and 8 <= len(national) <= 15
    if "/" in raw and not re.fullmatch(r"0\d{1,3}\s?/\s?[\d .-]+", raw):
        return False
    return _italian(digits, groups)


def _italian(number: str, groups: list[str]) -> bool:
    """A national Italian number: mobile 3xx + 6-7 digits, or landline 0 + 5-10 digits."""
    if number.startswith("3"):
        ok = len(number) in (9, 10) and number[1] != "0"
    elif number.startswith("0"):
        ok = 6 <= len(number) <= 11
    else:
        return False
    if not ok:
        return False
    # A date or a time read as digits (01.02.2024, 02-03 2024 ...) has short first groups.
    return not (len(groups) >= 3 and all(len(g) <= 2 for g in groups[:2]) and len(groups[0]) <= 2)


def _numbers(text: str, taken: list[tuple[int, int]]) -> Iterator[Finding]:
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        raw = match.group().strip()
        digits = re.sub(r"\D", "", raw)
        before = text[max(0, start - 20) : start]
        after = text[end : end + 8]
        if before.rstrip().endswith("#") or _CONTEXT_WORDS.search(before):
            continue
        if _MONEY.search(before) or _MONEY_AFTER.match(after):
            continue
        if _DATE.match(raw) or _TIME_OR_SCORE.match(raw):
            continue
        if _card(raw, digits):
            yield Finding(CARD, start, end, raw)
        elif _phone(raw, digits):
            yield Finding(PHONE, start, end, raw)


def find(text: str) -> list[Finding]:
    """Every piece of personal data in ``text``, in order of position."""
    found: list[Finding] = []
    for finder in (_ibans, _tax_codes):
        found.extend(finder(text))
    found.extend(Finding(EMAIL, m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text))
    taken = [(f.start, f.end) for f in found]
    found.extend(_numbers(text, taken))
    return sorted(found, key=lambda f: f.start)


def kinds(text: str) -> list[str]:
    """The kinds of personal data in ``text``, each once, in the order of ``KINDS``."""
    present = {f.kind for f in find(text)}
    return [kind for kind in KINDS if kind in present]
