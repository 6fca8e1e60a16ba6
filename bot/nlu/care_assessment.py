"""How much care a message needs: emergency, urgent or none, from three layers and the context.

- rules: the unmistakable phrases (bot/nlu/emergency_check.py);
- semantic: each sentence's vector against the red-flag bank (bot/nlu/red_flag_bank.py);
- classifier: the trained intent classifier's `emergency` and `urgent` probabilities.

Each layer votes per sentence (the classifier for the whole message); the context
(bot/nlu/red_flag_context.py) can set a vote aside (past, question, long-standing condition).
When the layers disagree, the most care wins: a message that is possibly urgent is urgent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot.nlu.emergency_check import rule_hits
from bot.nlu.red_flag_bank import RedFlagBank, care_levels
from bot.nlu.red_flag_context import (
    Sentence,
    about_someone_else,
    clause_around,
    denied_before,
    reports_now,
    sentences,
    suppression,
)

EMERGENCY = "emergency"
URGENT = "urgent"
RANK = {None: 0, URGENT: 1, EMERGENCY: 2}
# Sentences read per message: a very long message is still read well past its first part.
MAX_SENTENCES = 80
SUICIDE_CATEGORY = "suicide"
SHORT_MESSAGE_SENTENCES = 2
QUESTION_LIKE = re.compile(
    r"\?\s*$|^\W*(?:can|could|is|are|do|does|will|would|should|what|how|"
    r"why|when|which)\b(?!'|n't)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Thresholds:
    emergency_similarity: float = 0.62
    urgent_similarity: float = 0.58
    possible_similarity: float = 0.52
    near_miss_margin: float = 0.04
    classifier_emergency: float = 0.5
    classifier_possible: float = 0.35
    # The bank alone over-reads plain questions about the treatment ("cryo vs ice bath"): its
    # vote counts only when the classifier gives care at least this much probability.
    semantic_needs_classifier: float = 0.05


@dataclass(frozen=True)
class SentenceContext:
    names_condition: bool  # it talks of a checklist condition
    reported_elsewhere: bool  # another sentence reports what is happening now


@dataclass(frozen=True)
class Vote:
    layer: str
    level: str
    category: str
    sentence: int
    score: float = 1.0


@dataclass
class CareDecision:
    level: Optional[str] = None
    category: Optional[str] = None
    for_someone_else: bool = False
    votes: List[Vote] = field(default_factory=list)
    set_aside: List[Tuple[str, str, str]] = field(default_factory=list)  # layer, category, why

    def as_output(self) -> Dict:
        """What the parse result carries (categories and layers only, never text)."""
        return {
            "level": self.level,
            "category": self.category,
            "for_someone_else": self.for_someone_else,
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


class CareAssessor:
    def __init__(
        self,
        bank: Optional[RedFlagBank],
        encode: Callable[[List[str]], np.ndarray],
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        self._bank = bank
        self._encode = encode
        self._thresholds = thresholds
        self._levels = bank.levels if bank else care_levels()

    def level_of(self, category: str) -> str:
        return self._levels.get(category, EMERGENCY)

    def assess(
        self,
        text: str,
        message_vector: Optional[np.ndarray] = None,
        ranking: Sequence[Dict] = (),
        condition_spans: Sequence[Tuple[int, int]] = (),
    ) -> CareDecision:
        """`message_vector`: the whole text's sentence vector when the pipeline has it;
        `condition_spans`: where the text talks of a checklist condition."""
        decision = CareDecision()
        parts = sentences(text)[:MAX_SENTENCES] or [Sentence(0, len(text), text)]
        reporting = [reports_now(p.text) for p in parts]
        contexts = [
            SentenceContext(
                any(p.start <= start < p.end for start, _ in condition_spans),
                any(r for j, r in enumerate(reporting) if j != i),
            )
            for i, p in enumerate(parts)
        ]
        self._rules(parts, contexts, decision)
        care = sum(
            float(r.get("confidence") or 0.0)
            for r in ranking
            if r.get("name") in (EMERGENCY, URGENT)
        )
        before = len(decision.votes)
        closest, carrier = self._semantic(parts, contexts, message_vector, decision)
        # The classifier reads a long message as a whole, too diluted to judge one sentence.
        if (
            len(parts) <= SHORT_MESSAGE_SENTENCES
            and care < self._thresholds.semantic_needs_classifier
        ):
            kept = []
            for vote in decision.votes[before:]:
                # A statement that sounds suicidal keeps its crisis line; a question does not.
                if vote.category == SUICIDE_CATEGORY and not QUESTION_LIKE.search(
                    parts[vote.sentence].text
                ):
                    kept.append(vote)
                else:
                    decision.set_aside.append(
                        (vote.layer, vote.category, "classifier sees no care")
                    )
            decision.votes[before:] = kept
        self._classifier(parts, contexts, ranking, closest, carrier, decision)
        if decision.votes:
            best = max(decision.votes, key=lambda v: (RANK[v.level], v.layer == "rules", v.score))
            decision.level, decision.category = best.level, best.category
            sentence = parts[best.sentence].text if best.sentence >= 0 else text
            decision.for_someone_else = about_someone_else(sentence) or (
                best.sentence < 0 and about_someone_else(text)
            )
        return decision

    @staticmethod
    def _why_not(
        vote: Vote, text: str, context: SentenceContext, sentence: Optional[str] = None
    ) -> Optional[str]:
        return suppression(
            text,
            vote.category,
            context.names_condition,
            vote.layer,
            vote.level,
            context.reported_elsewhere,
            sentence,
        )

    def _keep(
        self,
        decision: CareDecision,
        vote: Vote,
        text: str,
        context: SentenceContext,
        sentence: Optional[str] = None,
    ) -> None:
        why = self._why_not(vote, text, context, sentence)
        if why:
            decision.set_aside.append((vote.layer, vote.category, why))
        else:
            decision.votes.append(vote)

    def _rules(
        self, parts: List[Sentence], contexts: List[SentenceContext], decision: CareDecision
    ) -> None:
        for index, sentence in enumerate(parts):
            for hit in rule_hits(sentence.text):
                vote = Vote("rules", self.level_of(hit.category), hit.category, index)
                if denied_before(sentence.text, hit.start):
                    decision.set_aside.append(("rules", hit.category, "denied"))
                    continue
                clause = clause_around(sentence.text, hit.start, hit.end)
                self._keep(decision, vote, clause, contexts[index], sentence.text)

    def _semantic(
        self,
        parts: List[Sentence],
        contexts: List[SentenceContext],
        message_vector: Optional[np.ndarray],
        decision: CareDecision,
    ) -> Tuple[Optional[str], Optional[int]]:
        """Votes per sentence; returns the red flag closest to the message (alarm or not) and
        the sentence that carries it."""
        if self._bank is None:
            return None, None
        if len(parts) == 1 and message_vector is not None:
            vectors = np.asarray(message_vector, dtype=np.float32).reshape(1, -1)
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        else:
            vectors = self._encode([p.text for p in parts])
        t = self._thresholds
        matches = self._bank.match(vectors)
        for index, (sentence, match) in enumerate(zip(parts, matches)):
            if match.margin < t.near_miss_margin:
                continue
            level = self.level_of(match.category)
            needed = t.emergency_similarity if level == EMERGENCY else t.urgent_similarity
            if match.similarity >= needed:
                vote = Vote("semantic", level, match.category, index, match.similarity)
            elif match.similarity >= t.possible_similarity:
                # Possibly a red flag: urgent care; for thoughts of suicide, the crisis line.
                possible = EMERGENCY if match.category == SUICIDE_CATEGORY else URGENT
                vote = Vote("semantic", possible, match.category, index, match.similarity)
            else:
                continue
            self._keep(decision, vote, sentence.text, contexts[index])
        if not matches:
            return None, None
        carrier = max(range(len(matches)), key=lambda i: matches[i].similarity)
        return matches[carrier].category, carrier

    def _classifier(
        self,
        parts: List[Sentence],
        contexts: List[SentenceContext],
        ranking: Sequence[Dict],
        closest: Optional[str],
        carrier: Optional[int],
        decision: CareDecision,
    ) -> None:
        scores = {r.get("name"): float(r.get("confidence") or 0.0) for r in ranking}
        emergency, urgent = scores.get(EMERGENCY, 0.0), scores.get(URGENT, 0.0)
        t = self._thresholds
        if emergency >= t.classifier_emergency:
            level = EMERGENCY
        elif urgent >= t.classifier_emergency or emergency + urgent >= t.classifier_possible:
            level = URGENT
        else:
            return
        # The classifier reads the whole message: it stands unless every sentence is set aside.
        # Its category is only a label (the closest red flag), never a reason to keep it.
        category = next((v.category for v in decision.votes), closest or "general")
        hint = closest if closest != SUICIDE_CATEGORY else None  # only a rule keeps that one
        supported = next((v.category for v in decision.votes), hint or "general")
        vote = Vote("classifier", level, supported, -1, max(emergency, urgent))
        # Judged where the message sounds most like a red flag, not on "just mentioning it".
        carriers = [i for i in range(len(parts)) if i == carrier] if carrier is not None else []
        reasons = [
            self._why_not(vote, parts[i].text, contexts[i]) for i in (carriers or range(len(parts)))
        ]
        if all(reasons):
            decision.set_aside.append(("classifier", category, reasons[0]))
            return
        decision.votes.append(Vote("classifier", level, category, -1, vote.score))
        # Two layers that each see a possible emergency make it one.
        for index, other in enumerate(decision.votes):
            if (
                other.layer == "semantic"
                and other.level == URGENT
                and (
                    self.level_of(other.category) == EMERGENCY or other.category == SUICIDE_CATEGORY
                )
            ):
                decision.votes[index] = replace(other, level=EMERGENCY)
