"""Personal data is found in the formats people write it, and numbers that only look like it are
left alone (synthetic examples; the card, IBAN and tax-code numbers are published test values)."""

import pytest

from moderation.signals import pii


def _kinds(text: str) -> list[str]:
    return pii.kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "scrivetemi a mario.rossi@example.it per favore",
        "my address is first.last+forum@mail.example.co.uk.",
        "Contatto: ANNA_B-91@posta.example.com",
    ],
)
def test_email_addresses_are_found(text: str) -> None:
    assert _kinds(text) == ["email"]


@pytest.mark.parametrize(
    "text",
    [
        "chiamatemi al 333 123 4567",
        "cell 3471234567 dopo le 18",
        "il mio numero è 347.123.45.67",
        "cellulare 347-1234567",
        "+39 347 123 4567",
        "0039 347 1234567",
        "+393471234567",
        "fisso 06 1234 5678",
        "ufficio 02/12345678",
        "tel. 0039 02 1234567",
        "+39 06 12345678",
        "0571 123456",
        "UK office +44 20 7946 0958",
        "call +1 (555) 123-4567",
        "Berlin: 0049 30 12345678",
        "+33 1 23 45 67 89",
    ],
)
def test_phone_numbers_are_found_in_italian_and_international_formats(text: str) -> None:
    assert _kinds(text) == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "ordine n. 3471234567",
        "order #3471234567",
        "numero ordine: 0612345678",
        "pratica 06123456 aperta",
        "tracking 0312345678901",
        "fattura 0012345 del mese",
        "il 03.12.2024 alle 10.30",
        "il 12-03-2024",
        "scade il 03/12/2024",
        "data 2024-03-12",
        "costa 1.299,00 €",
        "prezzo € 349.000",
        "l'ho pagato 3.499 euro",
        "sono 350000 punti",
        "versione 3.12.4 del firmware",
        "IP 192.168.1.10",
        "la partita è finita 3-1",
        "ho aspettato 45 minuti, dalle 09:15 alle 10:00",
        "P.IVA 01234567890",
        "Amazon order 123-4567890-1234567",
        "codice cliente 0123456789",
    ],
)
def test_order_numbers_dates_and_prices_are_not_phone_numbers(text: str) -> None:
    assert _kinds(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "carta 4111 1111 1111 1111 scade 12/27",
        "visa 4111-1111-1111-1111",
        "mastercard 5555555555554444",
        "amex 3782 822463 10005",
        "numero 4012888888881881",
    ],
)
def test_payment_cards_that_pass_luhn_are_found(text: str) -> None:
    assert _kinds(text) == ["card"]


@pytest.mark.parametrize(
    "text",
    [
        "carta 4111 1111 1111 1112",  # Luhn fails
        "ordine 4111111111111111",  # an order number, by its label
        "spedizione 1234567890123456",  # no card network starts with 1
        "riferimento 7992739871300000",
    ],
)
def test_numbers_that_are_not_cards_are_not_found(text: str) -> None:
    assert "card" not in _kinds(text)


def test_luhn() -> None:
    assert pii.luhn_valid("79927398713")
    assert not pii.luhn_valid("79927398710")


@pytest.mark.parametrize(
    "text",
    [
        "IBAN IT60 X054 2811 1010 0000 0123 456 grazie",
        "iban: IT60X0542811101000000123456",
        "DE89 3704 0044 0532 0130 00",
        "bonifico su GB82WEST12345698765432",
        "fr1420041010050500013m02606",
    ],
)
def test_ibans_with_a_valid_checksum_are_found(text: str) -> None:
    assert _kinds(text) == ["iban"]


@pytest.mark.parametrize(
    "text",
    [
        "IBAN IT61 X054 2811 1010 0000 0123 456",  # checksum off by one
        "DE89 3704 0044 0532 0130 01",
        "codice prodotto AB12CDEF34567890123",
    ],
)
def test_ibans_with_a_wrong_checksum_are_not_found(text: str) -> None:
    assert "iban" not in _kinds(text)


def _omocode(code: str, replacements: int) -> str:
    """Replace the last ``replacements`` digits with omocodia letters and fix the check char."""
    chars = list(code[:15])
    positions = [i for i in (14, 13, 12, 10, 9, 7, 6) if chars[i].isdigit()][:replacements]
    for i in positions:
        chars[i] = "LMNPQRSTUV"[int(chars[i])]
    first15 = "".join(chars)
    return first15 + pii.tax_code_check(first15)


def test_the_codice_fiscale_check_character() -> None:
    assert pii.tax_code_check("RSSMRA80A01H501") == "U"
    assert pii.tax_code_valid("RSSMRA80A01H501U")
    assert not pii.tax_code_valid("RSSMRA80A01H501V")


@pytest.mark.parametrize(
    "text",
    [
        "il mio codice fiscale è RSSMRA80A01H501U",
        "cf: rssmra80a01h501u.",
        "CF " + _omocode("RSSMRA80A01H501U", 1),
        "CF " + _omocode("RSSMRA80A01H501U", 3),
        "VRDGPP85T41F205" + pii.tax_code_check("VRDGPP85T41F205"),  # a woman: day + 40
    ],
)
def test_a_valid_codice_fiscale_is_found_omocodia_included(text: str) -> None:
    assert _kinds(text) == ["tax_code"]


def test_an_omocodic_code_is_checked_as_written() -> None:
    omocode = _omocode("RSSMRA80A01H501U", 2)
    assert omocode[:15] != "RSSMRA80A01H501" and pii.tax_code_valid(omocode)
    assert not pii.tax_code_valid(omocode[:15] + ("A" if omocode[15] != "A" else "B"))


@pytest.mark.parametrize(
    "text", ["RSSMRA80A01H501V", "codice ABCDEF12G34H567I", "SUPERCALIFRAGILI"]
)
def test_a_codice_fiscale_with_a_wrong_check_character_is_not_found(text: str) -> None:
    assert _kinds(text) == []


def test_several_kinds_in_one_post_are_listed_once_each_in_a_fixed_order() -> None:
    text = (
        "Sono Mario, RSSMRA80A01H501U, mail mario@example.it o mario2@example.it, "
        "cell 333 123 4567, carta 4111 1111 1111 1111, IBAN IT60X0542811101000000123456"
    )
    assert _kinds(text) == ["email", "phone", "card", "iban", "tax_code"]


def test_a_plain_complaint_has_no_personal_data() -> None:
    text = (
        "Ho ordinato il 12/03/2024 (ordine #45678901) un router da 129,90 € e dopo 15 giorni "
        "non è arrivato. Ho chiamato 3 volte!"
    )
    assert _kinds(text) == []
