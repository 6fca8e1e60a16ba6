"""How much care a message needs, judged sentence by sentence by every layer.

The message is cut into units (bot/shared/text.py: every sentence, and every clause of a long
run-on sentence). Each unit is read by

- the rules (rules.py: clinicians' phrases, matched on lemmas),
- the semantic layer (bank.py: the unit's vector against red flags and near-misses),
- the classifier (classifier.py: care categories, a back-pain report, or no care),

and each layer's vote is judged in the context of the clause it came from (context.py: past,
resolved, hypothetical, a general question, a figure of speech, a checklist condition). The
most care any unit calls for is the message's: a care vote in one sentence is never diluted by
the rest of the message. A unit the classifier reads as a plain report of back pain, in a
message that needs no care, makes the message a back-pain report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Pattern, Sequence, Tuple

import numpy as np

from bot.nlu.triage.bank import BankMatch, RedFlagBank
from bot.nlu.triage.classifier import SentenceClassifier
from bot.nlu.triage.context import (
    PAST,
    about_someone_else,
    clause_around,
    denied_before,
    happening_now,
    recurring,
    reports_now,
    suppression,
)
from bot.nlu.triage.examples import BACK_PAIN
from bot.nlu.triage.rules import RuleBook, RuleHit
from bot.shared import names
from bot.shared.text import Span, is_question, units

# "never had pain like this before": a new pain, not a denial.
NEW_OF_ITS_KIND = re.compile(
    r"\bnever\s+(?:\w+\s+)?(?:had|felt|known|experienced|been\s+in)\b[^.?!]{0,50}"
    r"\b(?:like\s+this|this\s+(?:bad|much|before)|before)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(r"\b(?:not|no|without|never|nothing|can't|cannot|won't|don't)\b")
# A care level is also the intent the guard sets for it.
EMERGENCY = names.EMERGENCY
URGENT = names.URGENT
RANK = {None: 0, URGENT: 1, EMERGENCY: 2}
SUICIDE_CATEGORY = "suicide"
LAYERS = ("rules", "semantic", "classifier")

Encode = Callable[[List[str]], np.ndarray]


@dataclass(frozen=True)
class Thresholds:
    """Chosen on the tuning files (python -m bot.measure.triage_calibration)."""

    classifier_emergency: float = 0.55  # emergency categories' probability: an emergency
    classifier_care: float = 0.55  # all care categories' probability: at least urgent
    semantic_similarity: float = 0.82  # a red flag this close, and clear of near-misses
    semantic_margin: float = 0.02
    report: float = 0.5  # a back-pain report's probability
    report_in_words: float = 0.1  # ... when the unit says so in plain words ("my back aches")
    clause_margin: float = 0.2  # a clause of a run-on sentence needs this much more
    # The classifier learned the context from two-sided data; the context judges its votes too.
    context_for_learned: bool = True


@dataclass(frozen=True)
class Vote:
    layer: str
    level: str
    category: str
    unit: int
    score: float = 1.0


@dataclass
class UnitReading:
    """What every layer makes of one unit, before thresholds (kept for calibration)."""

    span: Span
    hits: List[RuleHit]
    match: Optional[BankMatch]
    probabilities: Dict[str, float]
    names_condition: bool
    reports_now: bool

    def care(self, levels: Dict[str, str], level: Optional[str] = None) -> float:
        return sum(
            p
            for label, p in self.probabilities.items()
            if label in levels and (level is None or levels[label] == level)
        )

    def likeliest_care(self, levels: Dict[str, str]) -> str:
        care = {k: v for k, v in self.probabilities.items() if k in levels}
        return max(care, key=care.get) if care else "general"


@dataclass
class CareDecision:
    level: Optional[str] = None
    category: Optional[str] = None
    for_someone_else: bool = False
    back_pain_report: bool = False
    asks: bool = False  # the message asks something besides what it reports
    votes: List[Vote] = field(default_factory=list)
    set_aside: List[Tuple[str, str, str]] = field(default_factory=list)  # layer, category, why

    def as_output(self) -> Dict:
        """What the parse result carries (categories and layers only, never text)."""
        return {
            "level": self.level,
            "category": self.category,
            "for_someone_else": self.for_someone_else,
            names.BACK_PAIN_REPORT: self.back_pain_report,
            "asks": self.asks,
            "layers": sorted({v.layer for v in self.votes}),
            "votes": [
                {
                    "layer": v.layer,
                    "level": v.level,
                    "category": v.category,
                    "score": round(v.score, 3),
                }
                for v in self.votes
            ],
            "set_aside": [
                {"layer": layer, "category": category, "why": why}
                for layer, category, why in self.set_aside
            ],
        }


@dataclass
class TriageModel:
    """Everything triage needs at run time; built when the assistant is trained."""

    rules: RuleBook
    bank: Optional[RedFlagBank]
    classifier: Optional[SentenceClassifier]
    levels: Dict[str, str]
    thresholds: Thresholds = Thresholds()
    needs_one_of: Dict[str, Pattern[str]] = field(default_factory=dict)


class CareAssessor:
    def __init__(self, model: TriageModel, encode: Encode) -> None:
        self.model = model
        self._encode = encode

    def read(
        self,
        text: str,
        message_vector: Optional[np.ndarray] = None,
        condition_spans: Sequence[Tuple[int, int]] = (),
    ) -> List[UnitReading]:
        """Every layer's reading of every unit (thresholds are applied by decide())."""
        parts = units(text)
        if not parts:
            return []
        if len(parts) == 1 and message_vector is not None:
            vector = np.asarray(message_vector, dtype=np.float32).reshape(1, -1)
            vectors = vector / max(float(np.linalg.norm(vector)), 1e-9)
        else:
            vectors = np.asarray(self._encode([p.text for p in parts]), dtype=np.float32)
        model = self.model
        matches = model.bank.match(vectors) if model.bank is not None else [None] * len(parts)
        probabilities = (
            model.classifier.by_label([p.text for p in parts], vectors)
            if model.classifier is not None
            else [{} for _ in parts]
        )
        readings = []
        for index, part in enumerate(parts):
            # Rules read sentences, and across two of them ("I had melanoma. Now new back
            # pain at night."); a clause holds no phrase its sentence lacks.
            hits = []
            if part.kind == "sentence":
                hits = model.rules.hits(part.text)
            elif part.kind == "pair":
                first = next(p for p in parts if p.kind == "sentence" and p.start == part.start)
                first_end = first.end - part.start
                hits = [h for h in model.rules.hits(part.text) if h.start < first_end < h.end]
            readings.append(
                UnitReading(
                    part,
                    hits,
                    matches[index],
                    probabilities[index],
                    any(part.start <= s < part.end for s, _ in condition_spans),
                    reports_now(part.text),
                )
            )
        return readings

    def assess(
        self,
        text: str,
        message_vector: Optional[np.ndarray] = None,
        condition_spans: Sequence[Tuple[int, int]] = (),
    ) -> CareDecision:
        return decide(self.read(text, message_vector, condition_spans), self.model)


def _set_aside_why(
    vote: Vote,
    clause: str,
    reading: UnitReading,
    readings: List[UnitReading],
    sentence: str,
    model: TriageModel,
) -> Optional[str]:
    message = " ".join(r.span.text for r in readings if r.span.kind == "sentence")
    needed = model.needs_one_of.get(vote.category)
    if vote.layer != "rules" and needed is not None and not needed.search(message):
        return "not that kind of red flag"
    elsewhere = any(r.reports_now for r in readings if r is not reading)
    return suppression(
        clause,
        vote.category,
        reading.names_condition,
        vote.layer,
        vote.level,
        elsewhere,
        sentence,
        message,
    )


def decide(readings: List[UnitReading], model: TriageModel) -> CareDecision:
    """The message's care from its units' readings, with the model's thresholds."""
    decision = CareDecision()
    t, levels = model.thresholds, model.levels
    for index, reading in enumerate(readings):
        text = reading.span.text
        denied = 0
        for hit in reading.hits:
            vote = Vote("rules", levels.get(hit.category, EMERGENCY), hit.category, index)
            # "no numbness" denies the phrase's last word too ("buttock to calf, no numbness"),
            # unless the phrase says "no" itself ("lost weight without trying").
            last_word = text.rfind(" ", hit.start, hit.end) + 1 or hit.start
            denies_last = not NEGATION.search(hit.phrase) and denied_before(text, last_word)
            if (denied_before(text, hit.start) or denies_last) and not NEW_OF_ITS_KIND.search(text):
                decision.set_aside.append(("rules", hit.category, "denied"))
                denied += 1
                continue
            clause = clause_around(text, hit.start, hit.end)
            _judge(decision, vote, clause, reading, readings, text, True, model)
        # Time is judged in the unit; what resolves it, in the sentence around it.
        sentence = _sentence_of(reading, readings)
        for vote in _learned_votes(reading, index, levels, t):
            # "never had chest pain": the red-flag words the unit has are all denied.
            if reading.hits and denied == len(reading.hits):
                decision.set_aside.append((vote.layer, vote.category, "denied"))
                continue
            _judge(decision, vote, text, reading, readings, sentence, t.context_for_learned, model)
    if decision.votes:
        best = max(decision.votes, key=lambda v: (RANK[v.level], v.layer == "rules", v.score))
        decision.level, decision.category = best.level, best.category
        decision.for_someone_else = about_someone_else(readings[best.unit].span.text)
    else:
        # Plain words decide only a plain statement: with a question, the classifier does.
        asks = any(is_question(r.span.text) for r in readings)
        reports = [r for r in readings if _reports_back_pain(r, t, asks, _sentence_of(r, readings))]
        decision.back_pain_report = bool(reports)
        if reports:
            decision.for_someone_else = about_someone_else(reports[0].span.text)
    decision.asks = any(is_question(r.span.text) for r in readings)
    return decision


# Back pain said in plain words, as a statement: the classifier need only lean that way.
BACK_PAIN_WORDS = re.compile(
    r"\b(?:back|backs|bak|spine|lumbar|sciatica)\b[^.?!]{0,40}\b(?:pain|ache|aches|aching|achy|"
    r"hurt|hurts|hurting|sore|twing\w*|agony|killing|stiff|knot|spasms?|playing up|gone)\b|"
    r"\b(?:backache|back ache|back pain|bad back|sore back|achy back|stiff back)\b",
    re.IGNORECASE,
)


STILL = re.compile(
    r"\b(?:still|ever since|since then|now|these days|every day|constantly|keeps?|again)\b",
    re.IGNORECASE,
)


def _sentence_of(reading: UnitReading, readings: List[UnitReading]) -> str:
    return next(
        (
            r.span.text
            for r in readings
            if r.span.kind == "sentence"
            and r.span.start <= reading.span.start
            and reading.span.end <= r.span.end
        ),
        reading.span.text,
    )


def _reports_back_pain(reading: UnitReading, t: Thresholds, asks: bool, sentence: str) -> bool:
    probability = reading.probabilities.get(BACK_PAIN, 0.0)
    text = reading.span.text
    # The time is read in the sentence ("as a kid"), what is still going on in the unit.
    if PAST.search(sentence) and not happening_now(text) and not STILL.search(text):
        return False  # "I hurt my back as a kid": background, not pain to answer now
    in_words = not asks and BACK_PAIN_WORDS.search(text)
    return probability >= t.report or bool(in_words and probability >= t.report_in_words)


def _learned_votes(
    reading: UnitReading, index: int, levels: Dict[str, str], t: Thresholds
) -> List[Vote]:
    votes = []
    match = reading.match
    if (
        match is not None
        and match.similarity >= t.semantic_similarity
        and match.margin >= t.semantic_margin
    ):
        level = levels.get(match.category, EMERGENCY)
        votes.append(Vote("semantic", level, match.category, index, match.similarity))
    emergency = reading.care(levels, EMERGENCY)
    care = reading.care(levels)
    extra = t.clause_margin if reading.span.kind == "clause" else 0.0
    if emergency >= t.classifier_emergency + extra or care >= t.classifier_care + extra:
        category = reading.likeliest_care(levels)
        level = EMERGENCY if emergency >= t.classifier_emergency + extra else URGENT
        votes.append(Vote("classifier", level, category, index, max(emergency, care)))
    return votes


def _judge(
    decision: CareDecision,
    vote: Vote,
    clause: str,
    reading: UnitReading,
    readings: List[UnitReading],
    sentence: str,
    always: bool,
    model: TriageModel,
) -> None:
    why = _set_aside_why(vote, clause, reading, readings, sentence, model) if always else None
    if why:
        decision.set_aside.append((vote.layer, vote.category, why))
        return
    if vote.level == EMERGENCY and recurring(vote.category, sentence):
        vote = replace(vote, level=URGENT)
    decision.votes.append(vote)
