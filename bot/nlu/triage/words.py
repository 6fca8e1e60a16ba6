"""Words as the triage rules read them: lower case, spaCy's lookup lemmas, misspellings mended.

spaCy's tokenizer and lookup lemmatizer (tables from `spacy-lookups-data`) need no trained
pipeline. words.yml mends the few lemmas the rules need otherwise and lists common
misspellings; other misspelled words are mended when they are close to a word the rules use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

import yaml

from bot.shared.text import normalise_quotes

WORDS_FILE = Path(__file__).resolve().parent / "words.yml"
# A word this long may be one letter off a rule's word; from the second length on, two.
ONE_TYPO_FROM, TWO_TYPOS_FROM = 5, 8


@dataclass(frozen=True)
class Word:
    """One word of a text: its lemma, and where it is in the text."""

    lemma: str
    start: int
    end: int


def read_words_file(path: Path = WORDS_FILE) -> Dict[str, Dict[str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {key: {str(k): str(v) for k, v in (raw.get(key) or {}).items()} for key in raw}


class Lemmatizer:
    """Turns a text into its words' lemmas (spaCy is loaded when the first text is read)."""

    def __init__(self, path: Path = WORDS_FILE) -> None:
        table = read_words_file(path)
        self._lemma_fixes = table.get("lemmas", {})
        self._spellings = table.get("spellings", {})
        self._nlp = None
        self._table = None  # spaCy's lemma table: inflected forms (its keys are hashes)
        self._known: Set[str] = set()
        self._targets: Dict[int, List[str]] = {}

    def _pipeline(self):
        if self._nlp is None:
            import spacy

            nlp = spacy.blank("en")
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
            self._table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            self._known = set(self._table.values())
            self._nlp = nlp
        return self._nlp

    def known_words(self, words: Iterable[str]) -> None:
        """The rules' own words: a misspelled word close to one of them is read as its lemma."""
        self._pipeline()
        for word in words:
            for lemma in self.lemmas_of_phrase(word):
                targets = self._targets.setdefault(len(lemma), [])
                if lemma.isalpha() and len(lemma) >= ONE_TYPO_FROM and lemma not in targets:
                    targets.append(lemma)
                    self._known.add(lemma)
            self._known.add(word)

    def _mended(self, token: str) -> Optional[str]:
        if (
            len(token) < ONE_TYPO_FROM
            or not token.isalpha()
            or token in self._known
            or token in self._table
            or token in self._spellings
        ):
            return None
        from rapidfuzz.distance import Levenshtein

        allowed = 2 if len(token) >= TWO_TYPOS_FROM else 1
        best, best_distance = None, allowed + 1
        for length in range(len(token) - allowed, len(token) + allowed + 1):
            for word in self._targets.get(length, ()):
                distance = Levenshtein.distance(token, word, score_cutoff=allowed)
                if distance < best_distance:
                    best, best_distance = word, distance
        return best

    def lemmas_of_phrase(self, phrase: str) -> List[str]:
        """A rule's words as lemmas (no mending: the rule's author spelled them)."""
        return [w.lemma for w in self.words(phrase, mend=False)]

    def words(self, text: str, mend: bool = True) -> List[Word]:
        nlp = self._pipeline()
        text = normalise_quotes(text).lower()
        found: List[Word] = []
        for token in nlp(text):
            if token.is_space:
                continue
            start, end = token.idx, token.idx + len(token.text)
            spelled = self._spellings.get(token.text)
            if spelled is not None:
                for part in nlp(spelled):
                    found.append(Word(self._fix(part.lemma_, part.text), start, end))
                continue
            mended = self._mended(token.text) if mend else None
            lemma = mended or self._fix(token.lemma_, token.text)
            found.append(Word(lemma, start, end))
        return found

    def _fix(self, lemma: str, text: str) -> str:
        return self._lemma_fixes.get(text) or self._lemma_fixes.get(lemma) or lemma
