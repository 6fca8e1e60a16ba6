"""Reads a free-text answer to one checklist question, the safe way.

In order: a numbered option ("1"/"2" on SMS and WhatsApp, never an age); doubt ("not sure",
"I think so", "maybe"), which beats a negation and counts as yes; for the age question, an
age; the condition, a medicine or device for it, or its topic with a state ("my bp is fine"),
with a heart attack's own time; then yes or no, the last one said winning ("controlled with
pills but yes"). Anything else is asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from bot.shared import names
from bot.shared.ages import ADULT_AGE, answered_age, stated_age
from bot.shared.condition_matcher import ConditionMatcher, ConditionMention, clause_span
from bot.shared.conditions import plain_name
from bot.shared.recency import TimePhrase, time_phrases

SIX_MONTHS = 6.0
OVER_SIX_MONTHS = (
    "That was more than six months ago, so it's a no for this question; your "
    "doctor can say what it means for cryotherapy."
)
AGE_QUESTION = "under_18"
HISTORY = "_history"  # the questions about having ever had it
HEART_ATTACK_QUESTION = "recent_heart_attack"
NUMBERED = {"1": True, "2": False}
YES_INTENTS, NO_INTENTS, UNSURE_INTENTS = {names.AFFIRM}, {names.DENY}, {names.UNSURE}
# Messages the checklist hands back to the rules (answered, then the same question again)...
INTERRUPTIONS = {
    names.FAQ,
    names.NOT_COVERED,
    names.STOP,
    names.EMERGENCY,
    names.URGENT,
    names.BACK_PAIN_REPORT,
    names.MEDICAL_ADVICE,
    names.HUMAN_HANDOFF,
    names.BOT_CHALLENGE,
}
# ...and those that end it.
LEAVES_THE_CHECKLIST = {names.STOP, names.EMERGENCY, names.DELETE_MY_DATA}

# "What's that?" said back: they cannot know whether they have it, so it is doubt, whatever follows.
ASKED_WHAT_IT_IS = re.compile(
    r"\bwhat'?s\s+that\b|\bwhats\s+that\b|\bwhat\s+is\s+(?:that|it|this)\b|\bwhat\s+does\s+"
    r"(?:that|it)\s+mean\b|\bnever\s+heard\s+of\s+(?:it|that|this)\b|\bno\s+idea\s+what\b",
    re.IGNORECASE,
)
# "I'd rather not say" is not "stop": it is an answer we cannot take as a no.
DECLINED = re.compile(r"\b(?:rather|prefer)\s+not\s+(?:to\s+)?say\b", re.IGNORECASE)
# "I don't think so" is a no, said politely: read before doubt.
POLITE_NO = re.compile(
    r"\b(?:i\s+)?(?:don'?t|do\s+not|dont)\s+(?:think|believe)\s+so\b|\bnot\s+that\s+i\s+(?:know|"
    r"remember|recall|am\s+aware)(?:\s+of)?\b|\bnot\s+to\s+my\s+knowledge\b|\bi\s+think\s+not\b",
    re.IGNORECASE,
)
DOUBT = re.compile(
    r"\b(?:not\s+(?:sure|certain|100%)|unsure|(?:don'?t|do\s+not|dont|didn'?t)\s+know|dunno|"
    r"idk|no\s+idea|not\s+a\s+clue|no\s+clue|maybe|possibly|perhaps|might\s+(?:have|be|do)|"
    r"may\s+(?:have|be)|could\s+be|i\s+(?:think|believe|guess|suppose)\s+so|probably|"
    r"(?:can'?t|cannot|don'?t|do\s+not)\s+remember|(?:never|not)\s+(?:been\s+)?(?:tested|checked|"
    r"diagnosed\s+but)|hard\s+to\s+say|unclear|i\s+wonder|borderline|not\s+really\s+sure|"
    r"waiting\s+(?:for|on)\s+(?:the\s+|my\s+)?(?:results?|tests?|scans?|a\s+diagnosis|biopsy)|"
    r"being\s+(?:tested|investigated|checked)|not\s+if\s+that\s+counts|if\s+that\s+counts|"
    r"(?:never|didn'?t|couldn'?t|could\s+not|not)\s+(?:(?:ever|really)\s+)?(?:worked?\s+out|found?\s+out|"
    r"figured?\s+out|confirmed?|told\s+me)\s+(?:if|whether|what)|(?:rather|prefer)\s+not\s+(?:to\s+)?say)\b",
    re.IGNORECASE,
)
# Doubt that a polite no cannot answer: "not that I know of, haven't had it checked in years".
UNCHECKED = re.compile(
    r"\b(?:haven'?t|havent|have\s+not|hasn'?t|never|not)\s+(?:had\s+(?:it|that|them|one)\s+|"
    r"been\s+)(?:checked|tested|measured|looked\s+at)\b",
    re.IGNORECASE,
)
YES = re.compile(
    r"\b(?:yes|yeah|yea|yep|yup|ya|yh|aye|sure|correct|affirmative|indeed|definitely|absolutely|"
    r"of\s+course|sadly|unfortunately|that'?s\s+right|i\s+do|i\s+have|i\s+am|i\s+did|i'?ve\s+had|"
    r"i\s+had|i'?m\s+afraid\s+so|true|(?<!never\s)(?<!not\s)(?<!never\sbeen\s)(?<!not\sbeen\s)"
    r"diagnosed)\b|👍",
    re.IGNORECASE,
)
NO = re.compile(
    r"\b(?:no|nope|nah|naw|never|negative|not\s+at\s+all|none|nothing|neither|no\s+way|not\s+me|"
    r"i\s+don'?t|i\s+do\s+not|i\s+haven'?t|i\s+have\s+not|i'?m\s+not|i\s+am\s+not|i\s+didn'?t|"
    r"nay|nein|not\s+really|all\s+clear|clear|mine(?:'?s|\s+is|\s+are)\s+(?:fine|ok|okay|normal|good)|(?:sadly|unfortunately|thankfully|luckily|definitely|"
    r"certainly|absolutely|of\s+course)\s+not)\b|👎",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Answer:
    """What an answer says about the asked condition, and about any other it names."""

    value: Optional[bool]  # True: has it (or may have it); False: does not; None: not understood
    # What it was read from: numbered, doubt, age, condition, time, words or intent.
    basis: Optional[str] = None
    unsure: bool = False
    explanation: Optional[str] = None  # said to the visitor (a medicine counted as a yes, ...)
    others: Dict[str, bool] = field(default_factory=dict)


# A no with something after "but" or "though" (not thanks, not "but my aunt had one"): it may
# be a sign of the condition. The relative must be the one who has it: "but my sister and I
# both bruise easily" stays a doubt.
_RELATIVE = (
    r"(?:only\s+)?(?:my|his|her|our)\s+(?:mum|mom|mother|mam|dad|father|sister|brother|gran\w*|"
    r"grand\w*|nan\w*|aunt\w*|uncle|cousin|wife|husband|partner|son|daughter|parents?|friend)"
    r"\s+(?:has|had|did|does|is|was|got|gets)\b"
    # ... unless the visitor says it of themselves too: "and I bruise a lot too", "same as me".
    r"(?![^.?!]{0,60}\b(?:and\s+i|and\s+me|i'?ve|i'?m|i\s+(?:have|get|am|do)|me\s+too|same\s+as\s+me|"
    r"and\s+mine)\b)"
)
# "my husband has emphysema, I don't": the clause about a relative is not the visitor's answer,
# unless the visitor says it of themselves too ("and so do I", "me too").
SOMEONE_ELSES = re.compile(
    r"\b(?:my|his|her|our)\s+(?:mum|mom|mother|mam|dad|father|sister|brother|gran\w*|grand\w*|"
    r"nan\w*|aunt\w*|uncle|cousin|wife|husband|partner|son|daughter|parents?|friend|"
    r"(?:older|younger|little|big)\s+(?:brother|sister))\s+(?:has|had|have|did|does|is|was|got|"
    r"gets|suffers|suffered|'s|s|is\s+a|was\s+a|has\s+got)\b"
    # ... to the end of the clause, or to where the visitor speaks of themselves.
    r"(?:(?!\b(?:and|but|while|whereas|though|i|me|mine)\b)[^,.;!?])*",
    re.IGNORECASE,
)
SAID_OF_SELF_TOO = re.compile(
    r"\b(?:so\s+do\s+i|so\s+have\s+i|me\s+too|same\s+as\s+me|and\s+me|and\s+i\s+(?:do|have|am)|"
    r"i\s+(?:do|have|am)\s+(?:too|as\s+well)|i\s+also|and\s+mine)\b",
    re.IGNORECASE,
)
# "fine ever since", "in remission, all clear": had it once, not now.
RESOLVED = re.compile(
    r"\b(?:(?:fine|ok|okay|clear|nothing|normal|healthy|good)\s+(?:ever\s+)?since|"
    r"(?:nothing|none|never)\s+(?:since|again)|since\s+then\s+(?:fine|nothing|normal)|"
    r"in\s+remission|all\s+clear|signed\s+(?:me\s+)?off|cleared\s+me|fully\s+(?:recovered|"
    r"cured|healed)|(?:recovered|cured|healed)\s+(?:fully|completely)|went\s+away|"
    r"(?:long|years)\s+gone)\b",
    re.IGNORECASE,
)
RESOLVED_EXPLANATION = (
    "You said that is in the past and resolved, so I've noted a no for now; please still "
    "tell your doctor about it."
)


def own_words(text: str) -> str:
    """The text with clauses about a relative blanked out (same length, same positions)."""
    if SAID_OF_SELF_TOO.search(text):
        return text
    return SOMEONE_ELSES.sub(lambda m: " " * len(m.group()), text)


HEDGED = re.compile(
    rf"\b(?:but|though|although|except|however)\b(?!\s*(?:thanks|thank\s+you|cheers|ta|"
    rf"{_RELATIVE})\b)"
    r"\s+\w+\s+\w+|\w+\s+\w+\s+(?:though|tho)\b",
    re.IGNORECASE,
)


def last_of(text: str, patterns: Iterable[re.Pattern]) -> Optional[int]:
    """Which pattern matches last in the text (its index), or None."""
    ends = [(m.end(), i) for i, p in enumerate(patterns) for m in p.finditer(text)]
    return max(ends)[1] if ends else None


def implied_explanation(mention: ConditionMention) -> str:
    return (
        f'You mentioned "{mention.implied_by}", which is used for or linked to '
        f"{plain_name(mention.key)}, so I've counted this as a yes to be on the safe side. "
        "Your doctor can tell you for certain."
    )


def without_clauses_of(text: str, mentions: List[ConditionMention]) -> str:
    """The text less the clauses that name other conditions."""
    kept = list(text)
    for mention in mentions:
        for position in clause_span(text, mention.start, mention.end):
            kept[position] = " "
    return "".join(kept)


# A time said of a heart attack the visitor had ("one last month", "the one in September"), not
# of the denial ("no heart attack recently").
_EVENT_BEFORE = re.compile(r"\b(?:one|had)\b[^,.;]{0,25}$", re.IGNORECASE)
_DENIAL_JUST_BEFORE = re.compile(
    r"\b(?:no|not|never|none|haven'?t|hasn'?t|didn'?t)\b[^,.;]{0,12}$", re.IGNORECASE
)


def recent_event_beside_a_no(text: str, times: List[TimePhrase]) -> bool:
    """ "nope, one last month", "I haven't had one since the one in September": recent."""
    # "March 2026" is one date, not March and then the whole of 2026.
    parts_of_a_date = {t.start for t in times for u in times if 0 <= t.start - u.end <= 1}
    return any(
        t.months_at_least <= SIX_MONTHS
        and t.start not in parts_of_a_date
        and _EVENT_BEFORE.search(text[: t.start])
        and not _DENIAL_JUST_BEFORE.search(text[: t.start])
        for t in times
    )


def doubted(text: str, intent: Optional[str]) -> bool:
    """Doubt, unless a polite no answers it: "not sure" yes, "I don't think so" no, and a doubt
    said after the polite no ("not that I'm aware of... maybe an old one?") is doubt again."""
    if UNCHECKED.search(text):
        return True
    polite = [m.end() for m in POLITE_NO.finditer(text)]
    doubts = [m.start() for m in DOUBT.finditer(text)]
    if not polite:
        return bool(doubts) or intent in UNSURE_INTENTS
    return bool(doubts) and max(doubts) >= max(polite)


def said_no(text: str) -> bool:
    return last_of(text, [YES, NO, POLITE_NO]) in (1, 2)


def said_of_asked(asked: str, text: str, matcher: ConditionMatcher) -> bool:
    """A state that means having the asked condition, said without naming it: "a bit high"."""
    words = matcher.yes_when(asked)
    return any(re.search(rf"(?<!not\s)\b{re.escape(w)}\b", text, re.IGNORECASE) for w in words)


@dataclass(frozen=True)
class NamedCondition:
    key: str
    has_it: bool
    start: int
    end: int


def named_conditions(text: str, matcher: ConditionMatcher) -> List[NamedCondition]:
    """The conditions a message says the visitor has or has not: the one reading behind the
    NLU's condition entities and the checklist's other answers. A relative's condition is not
    the visitor's, a medicine answers only the question it was asked for (read_answer), and an
    age statement answers the age question (a bare number is not an age: on SMS "2" means No).
    """
    own = own_words(text)
    named = [
        NamedCondition(m.key, not m.negated, m.start, m.end)
        for m in matcher.find(own)
        if m.implied_by is None
    ]
    age = stated_age(own)
    if age is not None:
        named.append(NamedCondition(AGE_QUESTION, age < ADULT_AGE, 0, len(text)))
    return named


def said_not_of_asked(asked: str, text: str, matcher: ConditionMatcher) -> bool:
    """A state that means not having the asked condition, said without naming it: "low"."""
    words = matcher.no_when(asked)
    return any(re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE) for w in words)


def read_answer(
    asked: str, text: str, intent: Optional[str] = None, matcher: Optional[ConditionMatcher] = None
) -> Answer:
    """The answer to the question about `asked` (a condition key) in a visitor's message."""
    matcher = matcher or ConditionMatcher()
    text = own_words(text)
    stripped = text.strip().rstrip(".)!").strip()
    mentions = {m.key: m for m in matcher.find(text)}
    others = {c.key: c.has_it for c in named_conditions(text, matcher) if c.key != asked}
    if stripped in NUMBERED:
        return Answer(NUMBERED[stripped], "numbered", others=others)
    if ASKED_WHAT_IT_IS.search(text):
        return Answer(True, "doubt", unsure=True, others=others)
    if doubted(text, intent):
        return Answer(True, "doubt", unsure=True, others=others)
    if asked == AGE_QUESTION:
        age = answered_age(text)
        if age is not None:
            return Answer(age < ADULT_AGE, "age", others=others)
    mention = mentions.get(asked)
    if mention is not None:
        implied = mention.implied_by not in (None, "topic") and not mention.negated
        explanation = implied_explanation(mention) if implied else None
        if (
            asked == HEART_ATTACK_QUESTION
            and mention.negated
            and recent_event_beside_a_no(text, time_phrases(text))
        ):
            return Answer(True, "time", others=others)
        if asked == HEART_ATTACK_QUESTION and mention.negated and not said_no(text):
            explanation = OVER_SIX_MONTHS
        # Present-tense questions only: a seizure "once, nothing since" is still a history.
        if (
            not asked.endswith(HISTORY)
            and asked != HEART_ATTACK_QUESTION
            and (not mention.negated and RESOLVED.search(text))
        ):
            return Answer(False, "condition", explanation=RESOLVED_EXPLANATION, others=others)
        return Answer(not mention.negated, "condition", explanation=explanation, others=others)
    if asked == HEART_ATTACK_QUESTION:
        times = time_phrases(text)  # "yes, back in 2015": the answer's own time decides
        # Beside a no, a precise recent time is a yes ("one in October, none since"); a precise
        # old one decides only when said of having had one ("I had one in 2019, nothing since");
        # "no, 2019, but a small one recently" stays a doubt.
        if said_no(text):
            if recent_event_beside_a_no(text, times):
                return Answer(True, "time", others=others)
            recent = [t for t in times if t.precise and t.months_at_least <= SIX_MONTHS]
            old_only = YES.search(text) and all(t.precise for t in times)
            times = recent or (times if old_only else [])
        times = [t for t in times if t.precise] or times
        if times:
            recent = min(t.months_at_least for t in times) <= SIX_MONTHS
            return Answer(
                recent, "time", explanation=None if recent else OVER_SIX_MONTHS, others=others
            )
    if said_not_of_asked(asked, text, matcher):  # "no, if anything it's on the low side"
        return Answer(False, "words", others=others)
    if said_of_asked(asked, text, matcher):
        # "a bit high sometimes, never diagnosed": a sign of it, and a no: not sure, so a yes.
        if said_no(text):
            return Answer(True, "doubt", unsure=True, others=others)
        return Answer(True, "condition", others=others)
    # "no, but I do have a pacemaker": the yes belongs to the pacemaker, not to this question.
    own = without_clauses_of(text, [mentions[k] for k in others if k in mentions])
    said = last_of(own, [YES, NO, POLITE_NO])
    if said in (1, 2) and HEDGED.search(own):
        # "not that I know of, my legs swell sometimes though": a no with a sign: not sure.
        return Answer(True, "doubt", unsure=True, others=others)
    if said is not None:
        return Answer(said == 0, "words", others=others)
    if intent in YES_INTENTS:
        return Answer(True, "intent", others=others)
    if intent in NO_INTENTS:
        return Answer(False, "intent", others=others)
    return Answer(None, others=others)


def is_numbered(text: str) -> bool:
    return text.strip().rstrip(".)!").strip() in NUMBERED


# Read from the message itself, not from yes/no words that an ordinary question may contain.
SPECIFIC_BASES = {"numbered", "age", "condition", "time"}
SHORT_ANSWER_WORDS = 8
_LEADING_ANSWER = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|no|nope|nah|not\s+sure|i'?m\s+not\s+sure|"
    r"don'?t\s+know|dunno|maybe|possibly|i\s+think\s+so)\b",
    re.IGNORECASE,
)


_QUESTION_WORD_FIRST = re.compile(
    r"^\W*(?:how|what|when|where|why|which|who|can|could|do|does|is|are|will|would|should|may)\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"\?|" + _QUESTION_WORD_FIRST.pattern, re.IGNORECASE)


def checklist_reading(
    asked: str, text: str, intent: Optional[str], matcher: ConditionMatcher
) -> Optional[Answer]:
    """What the checklist does with a message while `asked` is the question: an Answer, or
    None when the message is not an answer (an FAQ, "stop", an emergency) and the rules take it.

    A message the classifier took for a question or request is still an answer when it is read
    from something specific (a number, an age, the condition, a time) or is short or starts
    like an answer ("no, bloods were normal", "not sure, my mum has it").
    """
    if intent in LEAVES_THE_CHECKLIST and not DECLINED.search(text):
        return None
    answer = read_answer(asked, text, intent, matcher)
    if intent not in INTERRUPTIONS or answer.others:
        return answer
    if answer.basis in SPECIFIC_BASES:
        return answer
    # Just asked a yes-or-no question, a statement that reads as yes or no is the answer.
    if answer.basis in ("words", "doubt") and (
        len(text.split()) <= SHORT_ANSWER_WORDS
        or _LEADING_ANSWER.search(text)
        or not _QUESTION.search(text)
        # "i think my iron was low-ish?? cant remember": a doubt asked back is still a doubt.
        or (answer.basis == "doubt" and not _QUESTION_WORD_FIRST.search(text))
    ):
        return answer
    return None
