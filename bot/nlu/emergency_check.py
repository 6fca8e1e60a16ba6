"""A deterministic check for messages that describe an emergency.

It backs up the intent classifier: a message that matches here is an emergency
whatever the classifier guessed. Patterns are deliberately specific (symptom plus
body part or a personal "I/my") so ordinary questions such as "will I feel numb
afterwards" do not raise a false alarm.
"""

from __future__ import annotations

import re
from typing import Optional

SUICIDE = "suicide"
MEDICAL = "medical"

_I = r"(?:i|i'm|im|i am|i've|ive|i have|i was|i just|my|me|he|she|he's|she's|his|her|they|their|we)"

_SUICIDE_PATTERNS = [
    r"\bsuicid",
    r"\bkill(?:ing)?\s+my\s*self\b",
    r"\bend(?:ing)?\s+(?:it\s+all|my\s+life|things|it)\b(?!\s+(?:session|treatment))",
    r"\b(?:want|wanna|going)\s+to\s+die\b",
    r"\bdon'?t\s+want\s+to\s+(?:live|be\s+alive|be\s+here|wake\s+up)\b",
    r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|go(?:ing)?\s+on)\b",
    r"\bself[-\s]?harm",
    r"\b(?:hurt|harm|cut)(?:ing)?\s+my\s*self\b",
    r"\bbetter\s+off\s+dead\b",
    r"\bbetter\s+off\s+without\s+me\b",
    r"\btake\s+(?:my|his|her|their)\s+(?:own\s+)?life\b",
    r"\bno\s+point\s+(?:in\s+)?(?:living|being\s+alive|going\s+on)\b",
    r"\boverdose\b",
]

_MEDICAL_PATTERNS = [
    # chest pain
    r"\bchest\s+(?:pain|pains|hurts?|hurting|is\s+(?:\w+\s+)?(?:tight|hurting|killing)|feels\s+(?:\w+\s+)?(?:tight|heavy|crushed)|pressure|tightness)",
    r"\b(?:pressure|tightness|squeezing)\s+in\s+(?:my|his|her|the)\s+chest\b",
    r"\b(?:clutching|holding|grabbing)\s+(?:my|his|her|their)\s+chest\b",
    r"\bpain\s+in\s+(?:my|his|her|the)\s+chest\b",
    r"\b(?:crushing|squeezing|tight)\s+(?:pain\s+in\s+)?(?:my\s+)?chest\b",
    r"\bheart\s+attack\s+(?:now|right\s+now)\b",
    r"\b(?:i\s+think\s+)?(?:i'?m|i\s+am|he'?s|she'?s)\s+having\s+a\s+(?:heart\s+attack|stroke)\b",
    # breathing
    r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to|struggling\s+to|hard\s+to|trouble|difficulty|problems?)\s+(?:breath(?:e|ing)?|catch\s+(?:my|his|her)\s+breath)\b",
    r"\bshort(?:ness)?\s+of\s+breath\b",
    r"\bgasping\b",
    r"\b(?:isn'?t|not|stopped)\s+breathing\b",
    # bladder and bowel
    r"\b(?:lost|losing|loss\s+of|no|can'?t|cannot)\s+(?:control\s+(?:of|over)\s+)?(?:my\s+)?(?:bladder|bowels?)\b",
    r"\b(?:bladder|bowel)\s+(?:control|incontinence)\b",
    r"\b(?:can'?t|cannot|unable\s+to)\s+(?:hold|control)\s+(?:when\s+i\s+|my\s+)?(?:pee|urine|wee|poo|poop|bowels?|bladder)\b",
    r"\b(?:can'?t|cannot|unable\s+to)\s+(?:pee|urinate|wee)\b",
    r"\b(?:wet|peed|pooped|soiled)\s+(?:my\s*self|myself|my\s+pants)\b",
    r"\bincontinen",
    # saddle numbness
    r"\bnumb(?:ness)?\b[^.?!]{0,40}\b(?:groin|inner\s+thighs?|saddle|genitals?|private\s+parts|crotch|bum|buttocks|between\s+(?:my\s+)?legs)\b",
    r"\b(?:groin|inner\s+thighs?|saddle|genitals?|crotch|private\s+parts)\b[^.?!]{0,30}\bnumb",
    r"\bsaddle\s+(?:numbness|anaesthesia|anesthesia|area)\b",
    r"\b(?:bum|buttocks|private\s+(?:area|parts))\b[^.?!]{0,30}\b(?:numb|no\s+feeling)",
    r"\bcauda\s+equina\b",
    # new weakness or numbness in the legs
    r"\b(?:legs?|feet)\s+(?:won'?t|will\s+not|can'?t|don'?t)\s+(?:hold|support|carry)\s+(?:me|him|her)\b",
    r"\b(?:can'?t|cannot|unable\s+to)\s+(?:feel|move|lift|stand\s+on)\s+(?:my|his|her|either|both)?\s*(?:legs?|feet|foot)\b",
    r"\b(?:legs?|feet|foot)\s+(?:(?:has|have|is|are|just|keeps?|keep)\s+)*(?:gave|giving|give|gone|went|going|suddenly|collaps\w*|buckl\w*)\s*(?:out|way|weak|numb|dead)?\b",
    r"\b(?:sudden(?:ly)?|new|getting)\s+(?:\w+\s+){0,2}(?:weak(?:ness)?|numb(?:ness)?|paraly\w*)\b[^.?!]{0,30}\b(?:legs?|feet|foot)\b",
    r"\b(?:weak(?:ness)?|numb(?:ness)?|paraly\w*)\s+(?:in\s+)?(?:both\s+)?(?:my|his|her)\s+(?:legs?|feet|foot)\b(?![^.?!]*\b(?:after|from)\s+(?:the\s+)?(?:cryo|session|treatment|chamber))",
    r"\b(?:legs?|feet)\s+(?:are|is|went|have\s+gone|feel|feels)\s+(?:suddenly\s+)?(?:numb|weak|dead|paralys\w*|paralyz\w*)\b(?![^.?!]*\b(?:after|from)\s+(?:the\s+)?(?:cryo|session|treatment|chamber))",
    # falls and accidents
    r"\b(?:fell|fallen|falling|slipped|tumbled)\s+(?:off|from|down)\b",
    r"\b(?:had|have\s+had|was\s+in|been\s+in|just\s+had)\s+an?\s+(?:bad\s+|serious\s+|major\s+)?(?:car|motorbike|motorcycle|bike|bicycle|road|traffic|skiing|work)?\s*(?:accident|crash|collision|wreck)\b",
    r"\b(?:hit|run\s+over|knocked\s+down)\s+by\s+a\s+(?:car|truck|bus|van|vehicle)\b",
    r"\b(?:bad|serious|big|hard|nasty)\s+fall\b",
    r"\b(?:car|motorbike|motorcycle|bike|bicycle|road|traffic)\s+(?:accident|crash|wreck|collision)\b(?![^.?!]*\b(?:years?|months?)\s+ago\b)",
    r"\b(?:rear[-\s]?ended|t[-\s]?boned|run\s+over)\b",
    # fever with back pain
    r"\b(?:fever|feverish|high\s+temperature|temperature\s+of|chills|burning\s+up)\b",
    # a cold, pale leg
    r"\b(?:legs?|foot|feet|toes)\s+(?:is|are|has|have|went|turned|turning|looks?|gone|feels?)?\s*(?:\w+\s+)?(?:cold\s+and\s+(?:pale|white|blue)|pale|white|blue|grey|gray|purple)\b",
    r"\b(?:pale|white|blue|grey|gray)\s+(?:and\s+cold\s+)?(?:legs?|foot|feet)\b",
    r"\bcold\s+(?:and\s+)?(?:pale|white|blue)\s+(?:legs?|foot|feet)\b",
    # collapse and unconsciousness
    r"\b(?:coll?aps(?:ed|ing)|passed\s+out|unconscious|fainted|not\s+respond\w*|unresponsive)\b",
    r"\bcall(?:ing)?\s+(?:an?\s+)?ambulance\b",
    r"\b(?:this\s+is\s+an|it'?s\s+an|having\s+an|medical)\s+emergency\b",
]

_SUICIDE = re.compile("|".join(_SUICIDE_PATTERNS), re.IGNORECASE)
_MEDICAL = re.compile("|".join(_MEDICAL_PATTERNS), re.IGNORECASE)
_QUESTION_START = (
    r"^\s*(?:will|would|does|do|is|are|can|could|should|might|may|what|how|why|when)\b"
)
_QUESTION = re.compile(_QUESTION_START, re.IGNORECASE)
_PERSONAL = re.compile(rf"\b{_I}\b", re.IGNORECASE)
# Questions about the treatment's own, expected effects are not emergencies.
_ABOUT_TREATMENT = re.compile(
    _QUESTION_START
    + r"[^.!]*\b(?:cryo\w*|wbc|session|treatment|chamber|therapy|cold|afterwards?)\b",
    re.IGNORECASE,
)


def emergency_kind(text: str) -> Optional[str]:
    """'suicide', 'medical' or None for a message."""
    normalised = text.replace("’", "'")
    if _SUICIDE.search(normalised):
        return SUICIDE
    match = _MEDICAL.search(normalised)
    if not match:
        return None
    # A general question ("can a car crash cause back pain?") is not someone in trouble.
    if _QUESTION.search(normalised) and not _PERSONAL.search(normalised):
        return None
    if _ABOUT_TREATMENT.search(normalised) and not _PERSONAL.search(normalised[: match.start()]):
        return None
    return MEDICAL
