"""Abuse and toxicity: a RULE, a weighted lexicon of Italian and English insults, slurs, threats
and profanity. None of the development data labels toxicity, so nothing here is learned; a
moderator's correction overrides it for the post (the queue reads corrections first).

Weights: slurs, threats and insults aimed at someone ("sei un idiota", "you idiot") weigh 0.8-1.0;
profanity used as an intensifier ("fucking delayed", "che cazzo") 0.4, so a complaint that swears
once is not abuse but one that swears repeatedly is. Scores combine as 1 - prod(1 - w).
"""

import re

THRESHOLD = 0.5

_LEXICON: tuple[tuple[float, str], ...] = (
    # threats and wishes of harm
    (
        1.0,
        r"ti ammazzo|vi ammazzo|ti uccido|ti spacco la faccia|devi morire|crepa|kill yourself|"
        r"kys|i will kill you|i'll kill you|go die|hope you die",
    ),
    # slurs
    (
        1.0,
        r"negr[oi]|frooci[oa]|froci[oa]|ricchion[ei]|terron[ei]|nigg(?:er|a)s?|fagg?ots?|"
        r"retard(?:ed|s)?|tranny|spic|kike",
    ),
    # insults
    (
        0.8,
        r"stronz[oaie]|coglion[ei]|cretin[oaie]|imbecill[ei]|deficient[ei]|idiot[aie]|"
        r"pezz[oi] di merda|testa di cazzo|figlio di puttana|bastard[oaie]|puttan[ae]|troi[ae]|"
        r"vaffanculo|fanculo|cazzon[ei]|rincoglionit[oaie]|scem[oaie]|ladri|buffoni|"
        r"idiots?|morons?|dumbass(?:es)?|assholes?|arseholes?|bastards?|bitch(?:es)?|cunts?|"
        r"dickheads?|scumbags?|scum|imbeciles?|fuck (?:you|off|u)|stfu|shut up|clowns|thieves|"
        r"crooks|liars|losers?|pathetic|incompetent|useless (?:people|idiots|company)",
    ),
    # profanity, often an intensifier in a complaint
    (
        0.4,
        r"cazz[oi]|merd[ae]|minchia|porca puttana|porco dio|porca troia|schifo|fa schifo|"
        r"fuck(?:ing|ed|s)?|f\*+k|shit(?:ty)?|crap(?:py)?|damn|wtf|bullshit|sucks?|hell",
    ),
)
_PATTERNS = tuple(
    (weight, re.compile(rf"\b(?:{words})\b", re.IGNORECASE)) for weight, words in _LEXICON
)
# "sei un/una ...", "siete dei ...", "you are a ...", "you're such a ..." before any word of the
# lexicon aims it at a person: at least an insult.
_AIMED = re.compile(
    r"\b(?:sei|siete|you(?:'re| are)|u r|ur)\s+(?:(?:un|una|uno|un'|dei|degli|delle|solo|"
    r"proprio|davvero|such|a|an|so|fucking|complete|total)\s+){0,3}$",
    re.IGNORECASE,
)


def score(text: str) -> float:
    """0..1; toxic when at least THRESHOLD."""
    keep = 1.0
    for weight, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            aimed = _AIMED.search(text[max(0, match.start() - 40) : match.start()])
            w = max(weight, 0.8) if aimed is not None else weight
            keep *= 1.0 - w
    return round(1.0 - keep, 4)


def is_toxic(text: str) -> bool:
    return score(text) >= THRESHOLD
