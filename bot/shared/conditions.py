"""The contraindication checklist's conditions and how they are recognised in free text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.shared.project import project_file

CONDITIONS_FILE = "conditions.yml"
# Entity names the NLU component emits and the checklist actions read.
CONDITION_ENTITY = "condition"
NEGATED_CONDITION_ENTITY = "no_condition"

# Words of at least this many letters also match a synonym one typo away.
FUZZY_MIN_LENGTH = 7
NEGATION_CUES = {
    "no",
    "not",
    "never",
    "without",
    "nor",
    "neither",
    "dont",
    "don't",
    "doesnt",
    "doesn't",
    "havent",
    "haven't",
    "hasnt",
    "hasn't",
    "didnt",
    "didn't",
    "aint",
    "ain't",
    "isnt",
    "isn't",
    "wasnt",
    "wasn't",
    "non",
    "free",
    "nt",
    "n't",
}
CLAUSE_BREAKS = {",", ".", ";", "!", "?", "but", "however", "though", "although", "except"}
NEGATION_WINDOW = 6
LONG_AGO = re.compile(
    r"\b(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|many|several|few)\s+years?\s+ago\b"
    r"|\blast year\b|\byears ago\b|\bin (19|20)\d\d\b",
    re.IGNORECASE,
)
AGE_PATTERNS = [
    re.compile(
        r"\b(?:i am|i'm|im|i’m|am|aged?|age is|turned|turning)\s+(?:only\s+|just\s+)?(\d{1,3})\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(\d{1,3})[\s-]*(?:(?:years?|yrs?)[\s-]*old|y/?o)\b", re.IGNORECASE),
    re.compile(r"^\s*(\d{1,3})\s*[.!]?\s*$"),
]


@dataclass(frozen=True)
class Condition:
    key: str
    name: str
    synonyms: Tuple[str, ...]


@dataclass(frozen=True)
class ConditionMention:
    """A condition named in a message; `negated` when the user says they do not have it."""

    key: str
    start: int
    end: int
    text: str
    negated: bool = False


def load_conditions(path: Optional[Path] = None) -> Dict[str, Condition]:
    """The checklist's conditions in the order they are asked (conditions.yml)."""
    return _read_conditions(path or project_file(CONDITIONS_FILE))


@lru_cache(maxsize=None)
def _read_conditions(path: Path) -> Dict[str, Condition]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["conditions"]
    return {
        key: Condition(key=key, name=entry["name"], synonyms=tuple(entry["synonyms"]))
        for key, entry in raw.items()
    }


def condition_keys() -> List[str]:
    return list(load_conditions())


def plain_name(key: str) -> str:
    return load_conditions()[key].name


def parse_age(text: str) -> Optional[int]:
    """An age the user states ("I'm 45", "16 years old", "17"), if any and plausible."""
    for pattern in AGE_PATTERNS:
        match = pattern.search(text)
        if match and 1 <= int(match.group(1)) <= 120:
            return int(match.group(1))
    return None


class ConditionMatcher:
    """Finds checklist conditions in text with spaCy's PhraseMatcher plus a one-typo fuzzy match."""

    def __init__(self, conditions: Optional[Dict[str, Condition]] = None) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self._nlp = spacy.blank("en")
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._single_words: Dict[str, str] = {}
        for condition in (conditions or load_conditions()).values():
            patterns = [self._nlp.make_doc(s) for s in condition.synonyms]
            self._matcher.add(condition.key, patterns)
            for synonym in condition.synonyms:
                if " " not in synonym and len(synonym) >= FUZZY_MIN_LENGTH:
                    self._single_words[synonym] = condition.key

    def find(self, text: str) -> List[ConditionMention]:
        doc = self._nlp.make_doc(text)
        spans = [
            (start, end, self._nlp.vocab.strings[match_id])
            for match_id, start, end in self._matcher(doc)
        ]
        spans += self._fuzzy_spans(doc, covered={i for s, e, _ in spans for i in range(s, e)})
        mentions: Dict[str, ConditionMention] = {}
        # Longest match first, so "unstable angina pectoris" wins over "angina".
        for start, end, key in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
            if key in mentions:
                continue
            span = doc[start:end]
            negated = self._is_negated(doc, start)
            if key == "recent_heart_attack" and LONG_AGO.search(text):
                negated = True
            mentions[key] = ConditionMention(
                key=key, start=span.start_char, end=span.end_char, text=span.text, negated=negated
            )
        age = parse_age(text)
        if age is not None and "under_18" not in mentions:
            mentions["under_18"] = ConditionMention(
                key="under_18", start=0, end=len(text), text=str(age), negated=age >= 18
            )
        return list(mentions.values())

    def _fuzzy_spans(self, doc, covered) -> List[Tuple[int, int, str]]:
        from rapidfuzz.distance import Levenshtein

        found = []
        for token in doc:
            word = token.lower_
            if token.i in covered or len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
                continue
            for synonym, key in self._single_words.items():
                if abs(len(synonym) - len(word)) <= 1 and Levenshtein.distance(word, synonym) <= 1:
                    found.append((token.i, token.i + 1, key))
                    break
        return found

    @staticmethod
    def _is_negated(doc, start: int) -> bool:
        for token in reversed(doc[max(0, start - NEGATION_WINDOW) : start]):
            word = token.lower_.replace("’", "'")
            if word in CLAUSE_BREAKS:
                return False
            if word in NEGATION_CUES or word.endswith("n't"):
                return True
        return False
