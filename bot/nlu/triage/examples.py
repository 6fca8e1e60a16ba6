"""Triage's training examples (data/triage/), read as the sentences triage judges.

The files list messages by level and category, the shape of the held-out files:

    emergency: {cauda_equina: [...], ...}   urgent: {...}   none: {plain_back_pain: [...], ...}

In a care message of more than one sentence, [[double brackets]] mark the words that carry the
red flag: those words are the care example, so the classifier learns the sentence that matters,
not the booking question around it. Ordinary messages teach both sides: each of their sentences
is an example of no care, and a plain statement of back pain is an example of a back-pain
report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import yaml

from bot.shared import names
from bot.shared.project import SOURCE_ROOT
from bot.shared.text import sentences

TRIAGE_DATA = SOURCE_ROOT / "data" / "triage"
CARE_LEVELS = (names.EMERGENCY, names.URGENT)
ORDINARY = "none"
PLAIN_BACK_PAIN = "plain_back_pain"
# The classifier's labels besides the care categories.
BACK_PAIN, NO_CARE = "back_pain", "none"
CARE_FOR_INTENTS = 20  # red flags per category the intent classifier sees
MARK = re.compile(r"\[\[(.+?)\]\]")
# A sentence of a long plain-back-pain message that speaks of the pain (the others are not
# reports: "Can I book on Friday?").
_PAIN_WORDS = re.compile(
    r"\b(?:back|spine|spinal|lumbar|sciatica|sciatic|disc|disk|hurts?|hurting|ache|aches|aching|"
    r"achy|pain|painful|sore|stiff|twinge|spasms?|killing|agony|throb\w*|pulled|slipped|"
    r"tweaked|put my|threw my|neck|shoulder|hips?|buttock|leg)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TriageExample:
    level: str  # emergency, urgent or none
    category: str  # a care category, or the kind of ordinary message
    text: str  # the whole message, marks removed
    marked: Tuple[str, ...]  # the words that carry the red flag (care messages)

    @property
    def label(self) -> str:
        if self.level in CARE_LEVELS:
            return self.category
        return BACK_PAIN if self.category == PLAIN_BACK_PAIN else NO_CARE


def _holds_mark(sentence: str, example: TriageExample) -> bool:
    """The sentence holds a marked red flag, or is part of one."""
    return any(m in sentence or sentence in m for m in example.marked)


def unmarked(text: str) -> str:
    return MARK.sub(lambda m: m.group(1), text)


def read_examples(folder: Path = TRIAGE_DATA) -> List[TriageExample]:
    found = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for level, categories in raw.items():
            for category, texts in (categories or {}).items():
                for text in texts or []:
                    found.append(
                        TriageExample(
                            level,
                            category,
                            unmarked(text),
                            tuple(m.group(1).strip() for m in MARK.finditer(text)),
                        )
                    )
    return found


def training_units(examples: List[TriageExample]) -> Iterator[Tuple[str, str]]:
    """(text, label) pairs at the grain triage judges: sentences, two sentences in a row, and
    the marked words of a red flag."""
    for example in examples:
        parts = [s.text for s in sentences(example.text)]
        pairs = [f"{a} {b}" for a, b in zip(parts, parts[1:])]
        if example.level in CARE_LEVELS:
            yield from ((words, example.label) for words in example.marked)
            if not example.marked and len(parts) <= 2:
                yield example.text, example.label
            if not example.marked:
                continue
            # The words around a red flag are the other side: "Can I still come on Friday?"
            for part in parts + pairs:
                if _holds_mark(part, example):
                    yield part, example.label
                else:
                    yield part, BACK_PAIN if _PAIN_WORDS.search(part) else NO_CARE
            continue
        if len(parts) <= 1:
            yield example.text, example.label
            continue
        for part in parts + pairs:
            speaks_of_pain = example.label == BACK_PAIN and _PAIN_WORDS.search(part)
            yield part, BACK_PAIN if speaks_of_pain else NO_CARE


def examples_by_intent(
    examples: List[TriageExample], care_per_category: int = CARE_FOR_INTENTS
) -> Dict[str, List[str]]:
    """What the intent classifier learns from this data: every back-pain report, and a few
    red flags of each category (triage decides care; the intents only need to exist, and care
    to be no FAQ topic's)."""
    intents: Dict[str, List[str]] = {
        names.EMERGENCY: [],
        names.URGENT: [],
        names.BACK_PAIN_REPORT: [],
    }
    taken: Dict[str, int] = {}
    for example in examples:
        if example.level in CARE_LEVELS:
            if taken.get(example.category, 0) < care_per_category:
                taken[example.category] = taken.get(example.category, 0) + 1
                intents[example.level].extend(example.marked or [example.text])
        elif example.category == PLAIN_BACK_PAIN:
            intents[names.BACK_PAIN_REPORT].append(example.text)
    return intents
