"""Text helpers that triage and the checklist reader share: quotes, sentences, clauses, questions.

Rasa-free, so the action server reads text the same way as the NLU pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

# A sentence longer than this is cut, so one run-on paragraph cannot hide in one piece.
MAX_SENTENCE_CHARS = 400
# A sentence with more words than this is also judged clause by clause.
RUN_ON_WORDS = 12
MIN_CLAUSE_WORDS = 3

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+|;\s*|(?<=[.!?])(?=[A-Z])")
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,:()]|\s-\s|\.\.+)\s*|\s+(?:and|but|so|because|cos|coz|then|while|although|though|"
    r"plus|also|however|n|&)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9']+")
# What may come before a question's first word, and the words and verbs that open a question.
_FILLERS = r"so\s+|and\s+|but\s+|also\s+|hi,?\s+|hey,?\s+|quick question,?\s+"
_QUESTION_WORDS = (
    r"will|would|does|do|did|is|are|was|can|could|should|might|may|what|how|why|when|which|who|"
    r"has|have|any|anyone"
)


def _question_start(lead: str, fillers: str, words: str) -> re.Pattern:
    return re.compile(rf"^{lead}(?:{fillers})?(?:{words})\b(?!'|n't|not)", re.IGNORECASE)


# Asking: also after a greeting or a quote, and "where ...", "am I ...".
_QUESTION_START = _question_start(
    r"\W*", _FILLERS + r"|hello,?\s+|ok,?\s+", _QUESTION_WORDS + "|where|am"
)
# Triage's general question (bot/nlu/triage/context.py): the question word itself comes first.
_STRICT_QUESTION_START = _question_start(r"\s*", _FILLERS, _QUESTION_WORDS)


@dataclass(frozen=True)
class Span:
    """A piece of a text and where it is: text[start:end] == self.text."""

    start: int
    end: int
    text: str
    kind: str = "sentence"  # or "clause" (of a run-on sentence), "pair" (two sentences)


def normalise_quotes(text: str) -> str:
    """Typographic apostrophes and quotes as plain ones (phones type them)."""
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def split_at(text: str, breaks: re.Pattern, offset: int = 0) -> List[Span]:
    """The text cut at every match of `breaks`, each piece stripped, the empty ones left out."""
    found, position = [], 0
    for match in list(breaks.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = offset + position + (len(chunk) - len(chunk.lstrip()))
            found.append(Span(start, start + len(stripped), stripped))
        position = match.end() if match else len(text)
    return found


def sentences(text: str) -> List[Span]:
    """The text's sentences, those longer than a few hundred characters cut into pieces."""
    found = []
    for sentence in split_at(text, _SENTENCE_BREAK):
        for offset in range(0, len(sentence.text), MAX_SENTENCE_CHARS):
            piece = sentence.text[offset : offset + MAX_SENTENCE_CHARS]
            start = sentence.start + offset + (len(piece) - len(piece.lstrip()))
            if piece.strip():
                found.append(Span(start, start + len(piece.strip()), piece.strip()))
    return found


def clauses(sentence: Span) -> List[Span]:
    """A sentence's clauses; a piece too short to say anything joins the one before it."""
    merged: List[Span] = []
    for piece in split_at(sentence.text, _CLAUSE_BREAK, sentence.start):
        if merged and (
            word_count(piece.text) < MIN_CLAUSE_WORDS
            or word_count(merged[-1].text) < MIN_CLAUSE_WORDS
        ):
            last = merged[-1]
            end = piece.end
            merged[-1] = Span(
                last.start, end, sentence.text[last.start - sentence.start : end - sentence.start]
            )
        else:
            merged.append(piece)
    return merged


def _report_then_question(pieces: List[Span]) -> bool:
    """ "my back is killing me, how often should I go?": the report is judged on its own."""
    return len(pieces) > 1 and is_question(pieces[-1].text) and not is_question(pieces[0].text)


def units(text: str, max_units: int = 80) -> List[Span]:
    """What triage judges: every sentence, every clause of a long (run-on) sentence or of a
    report followed by a question, and every two sentences in a row (a history in one, the
    new pain in the next)."""
    found: List[Span] = []
    parts = sentences(text)
    for index, sentence in enumerate(parts):
        found.append(sentence)
        pieces = clauses(sentence)
        if word_count(sentence.text) > RUN_ON_WORDS or _report_then_question(pieces):
            if len(pieces) > 1:
                found.extend(Span(p.start, p.end, p.text, "clause") for p in pieces)
        if index:
            start = parts[index - 1].start
            found.append(Span(start, sentence.end, text[start : sentence.end], "pair"))
        if len(found) >= max_units:
            break
    return found[:max_units] or ([Span(0, len(text), text)] if text.strip() else [])


def clause_range(text: str, start: int, end: int, breaks: re.Pattern) -> range:
    """Where the clause holding text[start:end] is: from the break before it to the next one."""
    before = [m.end() for m in breaks.finditer(text, 0, start)]
    after = breaks.search(text, end)
    return range(before[-1] if before else 0, after.start() if after else len(text))


def opens_as_question(text: str, strict: bool = False) -> bool:
    """A question word or verb first, after a filler ("so", "hi,"), a greeting or a quote;
    `strict`: after a filler only, and not "where" or "am"."""
    pattern = _STRICT_QUESTION_START if strict else _QUESTION_START
    return bool(pattern.search(normalise_quotes(text)))


def is_question(text: str, strict: bool = False) -> bool:
    """Asked as a question: a question mark, or a question word or verb first."""
    text = normalise_quotes(text).strip()
    return text.endswith("?") or opens_as_question(text, strict)
