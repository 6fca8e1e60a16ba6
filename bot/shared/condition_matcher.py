"""Finds the checklist's conditions in free text: synonyms, one-typo misspellings, and whether
the visitor says they have it ("I have asthma") or not ("no asthma", "my lungs are fine").

Plain Python (no spaCy, no Rasa): the NLU pipeline and the action server read answers alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from bot.shared.conditions import Condition, load_conditions
from bot.shared.recency import nearest_time
from bot.shared.text import clause_range

# Words of at least this many letters match a synonym one typo away; shorter words of at least
# SHORT_TYPO_LENGTH only a synonym with one letter missing ("astma", "strok"): a changed
# letter in a short word is often another word ("cancel", "spent").
FUZZY_MIN_LENGTH = 7
SHORT_TYPO_LENGTH = 5
NOT_TYPOS = {"chest"}  # a word of its own, one letter short of "chesty"
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
    "nope",
    "nah",
    "zero",
}
CLAUSE_BREAKS = {",", ".", ";", "!", "?", "but", "however", "though", "although", "except", "and"}
NEGATION_WINDOW = 6
# "my bp is fine", "lungs are healthy", "no metal anywhere": the condition, then a healthy state.
HEALTHY_AFTER = re.compile(
    r"^\W*(?:is|are|'s|s|has been|have been|was|were|looks?|seems?|all|always|totally|"
    r"completely|perfectly|been|fully|pretty|very|quite|\s)*"
    r"(?:fine|normal|ok|okay|good|healthy|great|perfect|grand|clear|strong|ace|spot on|"
    r"no problems?|no issues?|never been a problem)\b",
    re.IGNORECASE,
)
# "tumor no, cyst yes", "heart attack? no.": the condition, then a no of its own.
NO_AFTER = re.compile(
    r"^\s*[?:\-–—]*\s*(?:no|nope|nah|never|none|not\s+me)\b(?!\s+(?:idea|clue|doubt|but)\b)"
    r"(?=\s*(?:[,.;!]|$|\w+\s+(?:yes|yeah)\b))",
    re.IGNORECASE,
)
# "tablets for my", "an inhaler for the": a treatment, said of a condition's topic.
TREATED_FOR = re.compile(
    r"\b(?:tablets?|pills?|medication|medications|medicine|meds|treatment|treated|inhalers?|"
    r"sprays?|injections?|drugs?)\s+for\s+(?:my|the|his|her|their|a|an)?\s*$",
    re.IGNORECASE,
)
SIX_MONTHS = 6.0
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[^\sa-z0-9]", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return word_form(self.text)


@dataclass(frozen=True)
class ConditionMention:
    """A condition named in a message; `negated` when the user says they do not have it."""

    key: str
    start: int
    end: int
    text: str
    negated: bool = False
    # Named through something that implies it (a medicine, a device), not by name.
    implied_by: Optional[str] = None


def tokens(text: str) -> List[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def word_form(word: str) -> str:
    """Lower case, one kind of apostrophe, no possessive: "Iron's" reads as "iron"."""
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


def phrase_key(words: Iterable[str]) -> Tuple[str, ...]:
    return tuple(word_form(w) for w in words)


class ConditionMatcher:
    """Synonym phrases, then single words one typo from a long synonym, then negation."""

    def __init__(self, conditions: Optional[Dict[str, Condition]] = None) -> None:
        self._conditions = conditions or load_conditions()
        self._phrases: Dict[Tuple[str, ...], Tuple[str, Optional[str]]] = {}
        self._single_words: Dict[str, str] = {}
        for condition in self._conditions.values():
            for synonym in condition.synonyms:
                self._phrases[phrase_key(t.text for t in tokens(synonym))] = (condition.key, None)
                if " " not in synonym and len(synonym) > SHORT_TYPO_LENGTH:
                    self._single_words[synonym] = condition.key
            for treatment in condition.treatments:
                key = phrase_key(t.text for t in tokens(treatment))
                self._phrases.setdefault(key, (condition.key, treatment))
        self._topics: Dict[Tuple[str, ...], Condition] = {
            phrase_key(t.text for t in tokens(word)): condition
            for condition in self._conditions.values()
            for word in condition.topic_words
        }
        self._longest = max((len(k) for k in [*self._phrases, *self._topics]), default=1)

    def yes_when(self, key: str) -> tuple:
        """Words that, said of the condition's topic, mean having it ("high" blood pressure)."""
        return self._conditions[key].yes_when if key in self._conditions else ()

    def no_when(self, key: str) -> tuple:
        """Words that, said of the condition's topic, mean not having it ("low" blood pressure)."""
        return self._conditions[key].no_when if key in self._conditions else ()

    def find(self, text: str) -> List[ConditionMention]:
        """Each condition the text names (its first mention, or the first not denied), with
        whether it is denied: "no asthma, but I have COPD" has a respiratory illness."""
        words = tokens(text)
        spans = self._phrase_spans(words)
        covered = {i for start, end, _, _ in spans for i in range(start, end)}
        spans += self._fuzzy_spans(words, covered)
        mentions: Dict[str, ConditionMention] = {
            m.key: m for m in self._topic_mentions(text, words)
        }
        # Longest match first, so "unstable angina pectoris" wins over "angina".
        for start, end, key, implied_by in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
            first, last = words[start], words[end - 1]
            negated = self._is_negated(words, start) or self._healthy_after(text, last.end)
            if key == "recent_heart_attack" and not negated:
                negated = self._long_ago(text, first.start, last.end)
            existing = mentions.get(key)
            if existing is not None:
                if not existing.negated and negated:
                    continue  # a yes is never taken back by a later no: "bp is up, no hypertension"
                if existing.implied_by != "topic" and existing.negated == negated:
                    continue  # the first mention, unless a topic's state gives way to the name
            mentions[key] = ConditionMention(
                key, first.start, last.end, text[first.start : last.end], negated, implied_by
            )
        return list(mentions.values())

    def _topic_mentions(self, text: str, words: List[Token]) -> List[ConditionMention]:
        """A condition's topic with a state: "my iron is low" (has it), "my bp is fine" (not)."""
        found = []
        lowered = [w.lower for w in words]
        for start in range(len(words)):
            for length in range(min(self._longest, len(words) - start), 0, -1):
                condition = self._topics.get(tuple(lowered[start : start + length]))
                if condition is None:
                    continue
                first, last = words[start], words[start + length - 1]
                clause = text[last.end : clause_span(text, first.start, last.end).stop][:60].lower()
                treated = TREATED_FOR.search(text[max(0, first.start - 40) : first.start])
                if treated:  # "tablets for my blood pressure": a treatment for it
                    negated = self._is_negated(words, start)
                    implied_by = f"{treated.group().strip()} {text[first.start : last.end]}"
                elif self._healthy_after(text, last.end):
                    negated, implied_by = True, "topic"
                elif any(re.search(rf"\b{re.escape(w)}\b", clause) for w in condition.yes_when):
                    negated, implied_by = self._is_negated(words, start), "topic"
                elif any(re.search(rf"\b{re.escape(w)}\b", clause) for w in condition.no_when):
                    negated, implied_by = True, "topic"
                else:
                    break
                mention = text[first.start : last.end]
                found.append(
                    ConditionMention(
                        condition.key, first.start, last.end, mention, negated, implied_by
                    )
                )
                break
        return found

    def _phrase_spans(self, words: List[Token]) -> List[Tuple[int, int, str, Optional[str]]]:
        found = []
        lowered = [w.lower for w in words]
        for start in range(len(words)):
            for length in range(min(self._longest, len(words) - start), 0, -1):
                hit = self._phrases.get(tuple(lowered[start : start + length]))
                if hit:
                    found.append((start, start + length, hit[0], hit[1]))
                    break
        return found

    def _fuzzy_spans(self, words: List[Token], covered) -> List[Tuple[int, int, str, None]]:
        from rapidfuzz.distance import Levenshtein

        found = []
        for index, token in enumerate(words):
            word = token.lower
            short = len(word) < FUZZY_MIN_LENGTH
            if index in covered or len(word) < SHORT_TYPO_LENGTH or not word.isalpha():
                continue
            if word in NOT_TYPOS:
                continue
            for synonym, key in self._single_words.items():
                if short and len(synonym) != len(word) + 1:
                    continue
                if not short and len(synonym) < FUZZY_MIN_LENGTH:
                    continue
                if abs(len(synonym) - len(word)) <= 1 and Levenshtein.distance(word, synonym) <= 1:
                    found.append((index, index + 1, key, None))
                    break
        return found

    @staticmethod
    def _is_negated(words: List[Token], start: int) -> bool:
        if start > 0 and words[start - 1].lower == "nothing":
            return True  # "nothing metal in me"; further away ("nothing helps my asthma") it is not
        for token in reversed(words[max(0, start - NEGATION_WINDOW) : start]):
            word = token.lower
            if word in CLAUSE_BREAKS:
                return False
            if word in NEGATION_CUES or word.endswith("n't"):
                return True
        return False

    @staticmethod
    def _healthy_after(text: str, end: int) -> bool:
        rest = text[end : end + 60]
        return bool(HEALTHY_AFTER.search(rest) or NO_AFTER.search(rest))

    @staticmethod
    def _long_ago(text: str, start: int, end: int) -> bool:
        """A heart attack is recent unless its own time phrase says over six months ago."""
        clause = clause_span(text, start, end)
        time = nearest_time(text, start, within=clause)
        return time is not None and time.months_at_least > SIX_MONTHS


_CLAUSE_BREAK = re.compile(r"[.;!?]|,?\s+but\s+|,?\s+though\s+|,?\s+whereas\s+", re.IGNORECASE)


def clause_span(text: str, start: int, end: int) -> range:
    """The clause of the text around [start, end), as a range of positions."""
    return clause_range(text, start, end, _CLAUSE_BREAK)
