"""The rules layer of triage: phrases a clinician wrote, as data, matched on lemmas.

Each file in rules/ holds one category's rules. A rule is a phrase in plain words, and its
words match every form of themselves ("lose control of bladder" finds "lost control of my
bladder"). The phrase may use:

    a|b|c       any one of these words            numb|tingly
    [a|b]       optional words                     [my|his|her] bladder
    (a b|c d)   any one of these word groups       (can not|unable to) pee
    ...         up to five other words between     chest ... tight
    word*       any word starting so               suicid*
    *           any one word

`unless` lists phrases that, in the same sentence, mean the rule's words say something else.
Every rule carries an `example` that it must find (tests check it), and may carry
`not_for` sentences it must not find.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Pattern, Sequence, Tuple

import yaml

from bot.nlu.triage.words import Lemmatizer, Word

RULES_FOLDER = Path(__file__).resolve().parent / "rules"
MAX_GAP_WORDS = 5


@dataclass(frozen=True)
class RuleHit:
    category: str
    start: int  # characters in the text, the phrase's first word
    end: int
    phrase: str


@dataclass(frozen=True)
class Rule:
    category: str
    phrase: str
    example: str
    pattern: Pattern[str]
    unless: Tuple[Pattern[str], ...] = ()
    not_for: Tuple[str, ...] = ()


class PhraseError(ValueError):
    pass


_TOKEN = re.compile(r"\.\.\.|[()\[\]|]|[^\s()\[\]|]+")


def _word(word: str, lemmatizer: Lemmatizer) -> str:
    """One word of a phrase as a regular expression over lemmas, each followed by a space."""
    if word == "*":
        return r"[^ ]+ "
    if word.endswith("*") and len(word) > 1:
        stem = " ".join(lemmatizer.lemmas_of_phrase(word[:-1]))
        return re.escape(stem) + r"[^ ]* "
    lemmas = lemmatizer.lemmas_of_phrase(word)
    if not lemmas:
        raise PhraseError(f"'{word}' has no letters to match")
    return "".join(re.escape(lemma) + " " for lemma in lemmas)


class _Parser:
    """Phrase syntax (see the module's doc): inside ( ) and [ ], '|' separates word groups;
    outside them, '|' separates single words."""

    def __init__(self, phrase: str, lemmatizer: Lemmatizer) -> None:
        self.tokens = _TOKEN.findall(phrase)
        self.lemmatizer = lemmatizer

    def parse(self) -> str:
        regex = self.sequence(in_group=False)
        if self.tokens:
            raise PhraseError(f"unexpected '{self.tokens[0]}'")
        if not regex:
            raise PhraseError("the phrase is empty")
        return regex

    def sequence(self, in_group: bool) -> str:
        items: List[str] = []
        while self.tokens and self.tokens[0] not in ")]":
            token = self.tokens.pop(0)
            if token == "|":
                if in_group:
                    self.tokens.insert(0, token)
                    break
                if not items or not self.tokens or self.tokens[0] in "()[]|":
                    raise PhraseError("'|' needs a word on each side")
                items[-1] = f"(?:{items[-1]}|{_word(self.tokens.pop(0), self.lemmatizer)})"
            elif token in "([":
                closing = ")" if token == "(" else "]"
                choices = [self.sequence(in_group=True)]
                while self.tokens and self.tokens[0] == "|":
                    self.tokens.pop(0)
                    choices.append(self.sequence(in_group=True))
                if not self.tokens or self.tokens.pop(0) != closing:
                    raise PhraseError(f"'{token}' is not closed with '{closing}'")
                if not all(choices):
                    raise PhraseError(f"an empty choice in '{token}...{closing}'")
                items.append("(?:" + "|".join(choices) + ")" + ("?" if token == "[" else ""))
            elif token == "...":
                items.append(rf"(?:[^ ]+ ){{0,{MAX_GAP_WORDS}}}")
            else:
                items.append(_word(token, self.lemmatizer))
        return "".join(items)


def compile_phrase(phrase: str, lemmatizer: Lemmatizer) -> Pattern[str]:
    return re.compile("(?<= )" + _Parser(phrase, lemmatizer).parse())


class LemmaText:
    """A text's lemmas as one string, with the way back to the text's characters."""

    def __init__(self, words: Sequence[Word]) -> None:
        self.words = list(words)
        self._offsets: List[int] = []
        pieces, position = [" "], 1
        for word in self.words:
            self._offsets.append(position)
            pieces.append(word.lemma + " ")
            position += len(word.lemma) + 1
        self.string = "".join(pieces)

    def span(self, start: int, end: int) -> Tuple[int, int]:
        first = bisect_right(self._offsets, start) - 1
        last = max(bisect_right(self._offsets, end - 1) - 1, first)
        return self.words[first].start, self.words[last].end


class RuleBook:
    def __init__(self, rules: List[Rule], lemmatizer: Lemmatizer) -> None:
        self.rules = rules
        self._lemmatizer = lemmatizer

    @classmethod
    def load(cls, folder: Path = RULES_FOLDER, lemmatizer: Optional[Lemmatizer] = None) -> RuleBook:
        lemmatizer = lemmatizer or Lemmatizer()
        entries = list(read_rule_files(folder))
        lemmatizer.known_words(
            word
            for _, entry in entries
            for word in re.findall(r"[a-z]+", str(entry.get("phrase", "")).lower())
        )
        rules = []
        for category, entry in entries:
            rules.append(
                Rule(
                    category,
                    entry["phrase"],
                    entry["example"],
                    compile_phrase(entry["phrase"], lemmatizer),
                    tuple(compile_phrase(p, lemmatizer) for p in entry.get("unless") or []),
                    tuple(entry.get("not_for") or []),
                )
            )
        return cls(rules, lemmatizer)

    def lemma_text(self, text: str) -> LemmaText:
        return LemmaText(self._lemmatizer.words(text))

    def hits(self, text: str, lemmas: Optional[LemmaText] = None) -> List[RuleHit]:
        """Every match of every rule (a past first mention must not hide a later one)."""
        lemmas = lemmas or self.lemma_text(text)
        found = []
        for rule in self.rules:
            for match in rule.pattern.finditer(lemmas.string):
                if any(u.search(lemmas.string) for u in rule.unless):
                    continue
                start, end = lemmas.span(match.start(), match.end() - 1)
                found.append(RuleHit(rule.category, start, end, rule.phrase))
        return found

    def categories(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for rule in self.rules:
            counts[rule.category] = counts.get(rule.category, 0) + 1
        return counts


def read_rule_files(folder: Path = RULES_FOLDER) -> Iterator[Tuple[str, Dict]]:
    """(category, rule) for every rule; the category is the file's name."""
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in raw.get("rules") or []:
            yield path.stem, entry
