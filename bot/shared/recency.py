"""How long ago something happened, read from a visitor's words ("two months ago", "in 2015").

Each time phrase gives the fewest months that can have passed since. "Last year" on
1 December is at least 11 months ago; in February it may be 2: the checklist counts a heart
attack as recent when it can have been within six months, to be on the safe side.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import List, Optional

NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple of": 2,
    "a couple of": 2,
    "few": 3,
    "a few": 2,
    "several": 3,
    "many": 6,
}
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_NUMBER = (
    r"(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"(?:a\s+)?couple\s+of|(?:a\s+)?few|several|many)"
)
_UNIT_MONTHS = {"day": 1 / 30, "week": 7 / 30, "month": 1.0, "year": 12.0}
AGO = re.compile(
    rf"\b{_NUMBER}\s+(?:and\s+a\s+half\s+)?(day|week|month|year)s?\s+(?:ago|back)\b", re.IGNORECASE
)
VAGUE_LONG_AGO = re.compile(
    r"\b(?:years\s+(?:ago|back)|decades?\s+ago|ages\s+ago|long\s+time\s+ago|long\s+ago|as\s+an?\s+"
    r"(?:kid|child|teenager)|when\s+i\s+was\s+(?:young|little|a\s+kid|a\s+child))\b",
    re.IGNORECASE,
)
RECENT = re.compile(
    r"\b(?:recently|just\s+(?:had|recovered)|last\s+(?:week|month)|this\s+(?:week|month)|"
    r"yesterday|a\s+few\s+(?:days|weeks)\s+ago|weeks\s+ago|days\s+ago|earlier\s+this\s+year)\b",
    re.IGNORECASE,
)
LAST_YEAR = re.compile(r"\blast\s+year\b", re.IGNORECASE)
THIS_YEAR = re.compile(r"\bthis\s+year\b", re.IGNORECASE)
YEAR = re.compile(r"\b(?:in|back\s+in|during|since)?\s*((?:19|20)\d\d)\b", re.IGNORECASE)
MONTH = re.compile(
    r"\b(?:in|back\s+in|last|this|since)\s+(" + "|".join(MONTHS) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True)
class TimePhrase:
    start: int
    end: int
    months_at_least: float
    # "in March", "2 years ago" are precise; "this year", "recently" are not, and give way.
    precise: bool = True


def time_phrases(text: str, today: Optional[datetime.date] = None) -> List[TimePhrase]:
    """Every time phrase in the text, with the fewest months that can have passed since."""
    today = today or datetime.date.today()
    found: List[TimePhrase] = []
    for match in AGO.finditer(text):
        count = NUMBERS.get(match[1].lower().strip(), None)
        number = float(match[1]) if count is None else float(count)
        if "and a half" in match[0].lower():
            number += 0.5
        found.append(
            TimePhrase(match.start(), match.end(), number * _UNIT_MONTHS[match[2].lower()])
        )
    for match in VAGUE_LONG_AGO.finditer(text):
        found.append(TimePhrase(match.start(), match.end(), 24.0))
    for match in RECENT.finditer(text):
        found.append(TimePhrase(match.start(), match.end(), 0.0, precise=False))
    for match in LAST_YEAR.finditer(text):
        found.append(TimePhrase(match.start(), match.end(), float(today.month - 1)))
    for match in THIS_YEAR.finditer(text):
        found.append(TimePhrase(match.start(), match.end(), 0.0, precise=False))
    for match in YEAR.finditer(text):
        year = int(match[1])
        if year <= today.year:
            months = max(0, (today.year - year - 1) * 12 + today.month - 1)
            found.append(TimePhrase(match.start(1), match.end(1), float(months)))
    for match in MONTH.finditer(text):
        month = MONTHS.index(match[1].lower()) + 1
        months = today.month - month if month <= today.month else today.month - month + 12
        if match[0].lower().startswith("last") and month >= today.month:
            months = today.month - month + 12
        found.append(TimePhrase(match.start(1), match.end(1), float(max(months - 1, 0))))
    return sorted(found, key=lambda t: t.start)


def nearest_time(
    text: str, position: int, today: Optional[datetime.date] = None, within: Optional[range] = None
) -> Optional[TimePhrase]:
    """The time phrase closest to a position (optionally only those inside a span)."""
    phrases = [
        t
        for t in time_phrases(text, today)
        if within is None or (t.start in within or t.end - 1 in within)
    ]
    if not phrases:
        return None
    return min(phrases, key=lambda t: min(abs(t.start - position), abs(t.end - position)))
