"""A visitor's age, only when they state it: "I'm 45", "16 years old", "turning 18 next month".

A bare number is an age only as the answer to the age question (the checklist decides that):
on SMS a "2" is the second button, never an age.
"""

from __future__ import annotations

import datetime
import re
from typing import Optional

from bot.shared.text import normalise_quotes

ADULT_AGE = 18
_WORD_NUMBERS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_N = r"(\d{1,3}|" + "|".join(_WORD_NUMBERS) + r")"
_MEASURE = (
    r"(?!\s*(?:minutes?|mins?|hours?|hrs?|times?|%|percent|per\s+cent|fifty|kg|kilos?|lbs?|"
    r"pounds|am\b|pm\b|"
    r"o'?clock|weeks?|months?|sessions?|days?|degrees|\)|/))"
)
# "turning 18 soon", "I'll be 18 in June", "nearly 18", "18 next month": younger than the number.
NOT_YET = [
    re.compile(
        rf"\b(?:turning|turn|i'?ll\s+be|i\s+will\s+be|will\s+be|nearly|almost|not\s+"
        rf"(?:yet\s+)?quite|not\s+yet|soon\s+to\s+be|about\s+to\s+(?:turn|be))\s+{_N}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_N}\s+(?:next\s+(?:week|month|year)|in\s+(?:a|one|two|three|four|five|six|"
        rf"\d+|a\s+few|a\s+couple\s+of|few|a\s+couple)\s+(?:days?|weeks?|months?)|soon|later\s+this\s+(?:year|month)|this\s+"
        rf"(?:summer|winter|spring|autumn|fall))\b",
        re.IGNORECASE,
    ),
]
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
BORN = re.compile(
    r"\bborn\s+(?:in\s+|on\s+)?(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    rf"(?:({'|'.join(_MONTH_NAMES)})\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?)?((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# "I'm an adult" and nothing more (a laugh aside): not under 18. "Adult soon" is no answer.
ADULT = re.compile(
    r"^\W*(?:i'?m|im|i\s+am)?\s*(?:an?\s+)?(?:adult|grown[\s-]?up)\W*(?:obviously|of\s+course|"
    r"lol|haha|yes|yep)?\W*(?:obviously|lol|haha)?\W*$",
    re.IGNORECASE,
)
# Said of one's life, not one's age: "retired lol", "I'm a grandmother".
ADULT_BY_LIFE = re.compile(
    r"\b(?:retired|pensioner|oap|grand(?:ma|mother|pa|dad|father|parent)s?|grandkids|"
    r"grandchildren|old\s+enough|i\s+work\s+full[\s-]?time)\b",
    re.IGNORECASE,
)
STATED = [
    re.compile(
        rf"\b(?:i\s+am|i'?m|im|am|aged?|age\s+is|age|just\s+turned|turned|i\s+turned)\s+"
        rf"(?:only\s+|just\s+|now\s+)?{_N}\b{_MEASURE}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b{_N}[\s-]*(?:(?:years?|yrs?)[\s-]*old|y/?o|yrs?\b|years?\s+of\s+age)", re.IGNORECASE
    ),
    re.compile(
        rf"\b(?:he|she|they)(?:'s|\s+is|\s+are|'re)\s+(?:only\s+|just\s+)?{_N}\b{_MEASURE}",
        re.IGNORECASE,
    ),  # "just had my 14th birthday": the age that birthday was.
    re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\s+(?:birthday|bday|b-day)\b", re.IGNORECASE),
]
# In an answer to the age question, a number that is not a measure is an age.
NUMBER_IN_ANSWER = re.compile(rf"\b{_N}\b{_MEASURE}", re.IGNORECASE)
HALF = re.compile(r"\band\s+a\s+half\b|\.5\b|½", re.IGNORECASE)


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else _WORD_NUMBERS[raw.lower()]


def plausible(age: float) -> bool:
    return 1 <= age <= 120


# "I'm under 18", "not 18 yet", "younger than eighteen", "not an adult": under 18, no number.
UNDER_ADULT = re.compile(
    r"(?<!not\s)(?<!n't\s)\b(?:under|below|younger\s+than|less\s+than)\s+(?:18|eighteen)\b|"
    r"\bnot\s+(?:yet\s+)?(?:18|eighteen)(?:\s+yet)?\b|\bnot\s+(?:yet\s+)?(?:an?\s+)?(?:adult|grown[\s-]?up)\b",
    re.IGNORECASE,
)
NOT_UNDER = re.compile(r"(?:\bnot|n't)\s+under\s+(?:18|eighteen)\b", re.IGNORECASE)


def stated_age(text: str) -> Optional[float]:
    """The age a sentence states, if any; "17 and a half" is 17.5, "turning 18" is 17.5."""
    normalised = normalise_quotes(text)
    if NOT_UNDER.search(normalised):
        return float(ADULT_AGE)
    if UNDER_ADULT.search(normalised):
        return ADULT_AGE - 1.0
    for pattern in NOT_YET:
        match = pattern.search(normalised)
        if match and plausible(_number(match[1])):
            return _number(match[1]) - 0.5
    born = BORN.search(normalised)
    if born:  # without a month, the birthday may not have come yet: the younger of the two ages
        today = datetime.date.today()
        month = _MONTH_NAMES.index(born[1].lower()) + 1 if born[1] else 13
        return float(today.year - int(born[2]) - (1 if month >= today.month else 0))
    for pattern in STATED:
        match = pattern.search(normalised)
        if match and plausible(_number(match[1])):
            return _number(match[1]) + (0.5 if HALF.search(normalised[match.end() :][:15]) else 0)
    return None


def answered_age(text: str) -> Optional[float]:
    """The age in an answer to "Are you under 18?": a stated age, or a number above 2."""
    age = stated_age(text)
    if age is not None:
        return age
    normalised = normalise_quotes(text)
    match = NUMBER_IN_ANSWER.search(normalised)
    if match and _number(match[1]) > 2 and plausible(_number(match[1])):
        return _number(match[1]) + (0.5 if HALF.search(text) else 0)
    if ADULT.search(normalised) or ADULT_BY_LIFE.search(text):
        return float(ADULT_AGE)
    return None
