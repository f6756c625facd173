"""Needs-the-brand: a question, complaint, request or fault report, as opposed to thanks, praise or
chit-chat.

Two parts, combined in ``score``:
  * LEARNED: a logistic regression over the post's e5 embedding (model.Weights.needs_brand),
    trained on the airline tweets' ``negativereason`` proxy (a negative tweet with a reason such as
    "Lost Luggage" needs the airline; a positive one does not) plus moderators' corrections. The
    embedding is multilingual, so it carries over to Italian.
  * RULES (this module): explicit questions and requests ("?", "come faccio", "how do I",
    "potete", "can you", "help"/"aiuto"), fault words ("non funziona", "doesn't work", "rimborso",
    "refund"), and the opposite for thanks and praise without a question, and for small talk.
A rule that fires decides the direction; the learned probability decides the rest.
"""

import re

THRESHOLD = 0.5

_QUESTION = re.compile(r"\?")
_ASK = re.compile(
    r"\b(?:come (?:faccio|posso|si fa|devo|mai)|cosa (?:devo|posso)|perch[eé]|quando (?:arriva|"
    r"riceverò|mi)|dove (?:trovo|posso)|qualcuno sa|sapete|potete|potreste|può|potrebbe|vorrei|"
    r"avrei bisogno|ho bisogno|mi serve|aiutatemi|aiutarmi|chiedo|richiedo|"
    r"rimborso|reso|annullare|cancellare|disdire|disdetta|sollecito|reclamo|"
    r"how (?:do|can|should|to)|what (?:do|should|can)|why (?:is|does|did|do|can't|won't)|when will|"
    r"where (?:is|can|do)|can you|could you|would you|can i|could i|please|pls|plz|help me|"
    r"i need|i want|i'd like|i would like|refund|cancel|complaint)\b",
    re.IGNORECASE,
)
# Words that ask for help on their own, but also appear in thanks ("grazie per l'aiuto",
# "great support"): they count only when the post does not thank.
_WEAK_ASK = re.compile(r"\b(?:aiuto|assistenza|help|support|assist)\b", re.IGNORECASE)
_FAULT = re.compile(
    r"\b(?:non (?:funziona|va|parte|si (?:accende|connette|apre|carica)|riesco|arriva|è arrivato|"
    r"ho ricevuto|risponde|rispondete)|bloccat[oa]|rott[oa]|guast[oa]|difettos[oa]|errore|"
    r"problema|disservizio|addebit|truffa|in ritardo|ancora niente|mai arrivat|"
    r"(?:does|do|did|is|was|are|were|has|have|can|will)(?:n't| not) (?:work|arrive|load|start|"
    r"respond|connect|charge|open)|broken|error|bug|crash|stuck|issue|problem|lost|missing|"
    r"delayed|never (?:arrived|received|got)|still (?:waiting|no|haven't)|charged twice|"
    r"overcharged|scam|fraud)",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"\b(?:grazie|grazie mille|ringrazio|complimenti|bravissim|fantastic|ottim|perfett|"
    r"risolto|funziona (?:ora|adesso|benissimo)|adoro|thanks?|thank you|thx|ty|great|awesome|"
    r"love|amazing|excellent|perfect|solved|works now|kudos|well done|appreciate)\w*",
    re.IGNORECASE,
)
_NO_PROBLEM = re.compile(
    r"\b(?:nessun problema|non (?:c'è|ci sono) (?:alcun )?problem[ai]|no problems?|"
    r"not a problem|no issues?)\b",
    re.IGNORECASE,
)
_SMALL_TALK = re.compile(
    r"\b(?:come (?:va|stai|state)|tutto bene|buon (?:natale|anno|weekend|lavoro)|buona giornata|"
    r"how are you|how's it going|what's up|happy (?:new year|holidays|birthday)|good morning|"
    r"have a nice)\b",
    re.IGNORECASE,
)


def rule(text: str) -> bool | None:
    """True when the text plainly asks something of the brand, False when it plainly does not
    (thanks, praise, small talk), None when the rules cannot tell."""
    if _FAULT.search(_NO_PROBLEM.sub(" ", text)):
        return True
    thanks = bool(_THANKS.search(text))
    asks = bool(_ASK.search(text)) or (not thanks and bool(_WEAK_ASK.search(text)))
    question = bool(_QUESTION.search(text))
    if question and _SMALL_TALK.search(text) and not asks:
        return False
    if asks or question:
        return True
    if thanks or _SMALL_TALK.search(text):
        return False
    return None


def score(text: str, learned: float) -> float:
    """The combined score in 0..1; the post needs the brand when it is at least THRESHOLD."""
    verdict = rule(text)
    if verdict is True:
        return max(learned, 0.9)
    if verdict is False:
        return min(learned, 0.1)
    return learned
