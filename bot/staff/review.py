"""What visitors asked that the assistant handled badly, grouped for clinic staff to review.

Reads the conversations from the tracker store in endpoints.yml (as the server does), flags
messages that fell to the fallback, were answered with low confidence or were followed by a
rephrase, groups similar ones and writes a Markdown report with snippets for data/nlu/.

Run: python -m bot.staff.review [--endpoints endpoints.yml] [--out reports/review.md]
     python -m bot.staff.review --handle ID [ID ...]
     (marks groups handled: they do not come back)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
import os
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import yaml
from rapidfuzz import fuzz

from bot.measure.heldout import quiet_rasa_logs
from bot.shared import names
from bot.shared.project import project_file
from bot.shared.text import normalise_quotes

Events = List[Dict[str, Any]]  # one conversation's events, as Rasa stores them
FALLBACK_INTENT = names.NLU_FALLBACK
FALLBACK_ACTIONS = {"action_fallback", "action_default_fallback"}
# Actions that do not answer the visitor (listening, starting a session).
SILENT_ACTIONS = {"action_listen", "action_session_start", "action_unlikely_intent"}
# Privacy: health details and emergencies are never read into the report.
PRIVATE_INTENTS = {names.INFORM_CONDITION, names.EMERGENCY, names.URGENT}
PRIVATE_ENTITIES = {names.CONDITION_ENTITY, names.NEGATED_CONDITION_ENTITY, names.CARE_KIND}
PRIVATE_ACTIONS = {"utter_emergency", "utter_urgent"}
# Below even odds an answer is as likely wrong as right (below 0.3 the fallback takes over).
LOW_INTENT_CONFIDENCE = 0.5
# Same for the FAQ topic: among 20 topics the selector is above 0.9 on most right answers.
LOW_TOPIC_CONFIDENCE = 0.5
# Similarity (0-100, see similarity()) at which two messages count as the same question.
GROUP_SIMILARITY = 80
# The next message is a rephrase at a little less: being asked right after is evidence too.
REPHRASE_SIMILARITY = 75
# Suggest only a topic the model would have answered without being unsure...
SUGGESTION_MIN_CONFIDENCE = LOW_TOPIC_CONFIDENCE
# ...for at least half of the group's messages.
SUGGESTION_MIN_SHARE = 0.5
NEW_TOPIC = "faq/NEW_TOPIC"
NOT_UNDERSTOOD, UNSURE, ASKED_AGAIN = "not understood", "answered, unsure", "asked again"
# Questions that got "I don't have information on that": a topic staff may want to add.
NOT_COVERED = "not covered"
NOT_COVERED_INTENT = names.NOT_COVERED
# Visitors telling the assistant it missed the point (matched on normalised text).
COMPLAINT = re.compile(
    r"\bnot what i\b|\bnot my question\b|\bwrong answer\b|\bi meant\b|\bmisunderst"
    r"|\b(didnt|doesnt|did not|does not) answer\b|\byou (didnt|did not|dont) (understand|get)\b"
    r"|\bthats not (it|right|what)\b"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_NUMBER = re.compile(r"\+?\d[\d ().-]{5,}\d")
ENTITY_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
EXAMPLES_IN_TABLE, TABLE_TEXT_LENGTH = 3, 100
PRIVACY_NOTE = (
    "Privacy: only message texts are shown, never sender ids or slot values; messages "
    "sent during the checklist, naming a health condition or reporting an emergency "
    "are left out entirely."
)
HANDLED_HEADER = (
    "# Groups marked handled with `python -m bot.staff.review --handle ID`: the sha256 of "
    "each normalised message, never the text.\n"
)


class ReviewError(Exception):
    """A problem staff can fix; the message says how."""


@dataclass
class Turn:
    """One visitor message and what the assistant did next."""

    text: str
    parse: Dict[str, Any]
    timestamp: float
    session: int
    in_checklist: bool
    actions: List[str] = field(default_factory=list)


@dataclass
class Flagged:
    text: str
    reasons: List[str]
    label: Optional[str]
    timestamp: float = 0.0


@dataclass
class Group:
    representative: str
    messages: List[Flagged]

    @property
    def id(self) -> str:
        return text_hash(self.representative)[:8]

    @property
    def texts(self) -> List[str]:
        """Distinct wordings, first seen first."""
        distinct: Dict[str, str] = {}
        for message in self.messages:
            distinct.setdefault(normalise(message.text), clean_text(message.text))
        return list(distinct.values())


def clean_text(text: str) -> str:
    """One line, without entity annotations, contact details or characters YAML cannot hold."""
    text = " ".join(ENTITY_ANNOTATION.sub(r"\1", text).split())
    # Visitors sometimes type their email or phone number: staff never need to see them.
    text = PHONE_NUMBER.sub("(phone number)", EMAIL.sub("(email)", text))
    return "".join(
        c for c in text if unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff"
    )


def normalise(text: str) -> str:
    lowered = normalise_quotes(clean_text(text).casefold()).replace("'", "")
    words = re.sub(r"[^\w\s]|_", " ", lowered).split()
    # Emoji-only messages have no words left: keep them apart from each other.
    return " ".join(words) or lowered


def text_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def similarity(a: str, b: str) -> float:
    """token_set alone scores 100 when one message's words are a subset of the other's."""
    return 100.0 if a == b else (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


def is_rephrase(first: str, second: str) -> bool:
    second = normalise(second)
    similar = similarity(normalise(first), second) >= REPHRASE_SIMILARITY
    return similar or bool(COMPLAINT.search(second))


def intent_name(parse: Dict[str, Any]) -> Optional[str]:
    return (parse.get("intent") or {}).get("name")


def selected_topic(parse: Dict[str, Any]) -> Tuple[Optional[str], float]:
    selectors = parse.get("response_selector") or {}
    response = (selectors.get(names.FAQ) or selectors.get("default") or {}).get("response") or {}
    return response.get("intent_response_key"), float(response.get("confidence") or 0.0)


def low_confidence(parse: Dict[str, Any]) -> bool:
    if float((parse.get("intent") or {}).get("confidence", 1.0)) < LOW_INTENT_CONFIDENCE:
        return True
    return intent_name(parse) == names.FAQ and selected_topic(parse)[1] < LOW_TOPIC_CONFIDENCE


def likely_label(parse: Dict[str, Any]) -> Optional[str]:
    """The intent (or faq/<topic>) the model leaned to, when it leaned clearly enough."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    if not ranking:
        return None
    label, confidence = ranking[0].get("name"), float(ranking[0].get("confidence") or 0.0)
    if label == names.FAQ:
        label, confidence = selected_topic(parse)
    return label if confidence >= SUGGESTION_MIN_CONFIDENCE else None


def turns_of(events: Events) -> List[Turn]:
    turns: List[Turn] = []
    session, in_checklist = 0, False
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            session, in_checklist = session + 1, False
        elif kind == "active_loop":
            in_checklist = event.get("name") == names.CHECKLIST_FORM
        elif kind == "user":
            turns.append(
                Turn(
                    event.get("text") or "",
                    event.get("parse_data") or {},
                    float(event.get("timestamp") or 0.0),
                    session,
                    in_checklist,
                )
            )
        elif kind == "action" and turns:
            turns[-1].actions.append(event.get("name") or "")
    return turns


def is_private(turn: Turn) -> bool:
    entities = {entity.get("entity") for entity in turn.parse.get("entities") or []}
    return (
        turn.in_checklist
        or intent_name(turn.parse) in PRIVATE_INTENTS
        or bool(entities & PRIVATE_ENTITIES)
        or bool(PRIVATE_ACTIONS.intersection(turn.actions))
    )


def is_typed(turn: Turn) -> bool:
    """Button clicks ("/affirm") and empty messages are not questions."""
    text = clean_text(turn.text)
    return bool(text) and not text.startswith("/")


def fell_to_fallback(turn: Turn) -> bool:
    return intent_name(turn.parse) == FALLBACK_INTENT or bool(
        FALLBACK_ACTIONS.intersection(turn.actions)
    )


def reasons_for(turn: Turn, following: Optional[Turn]) -> List[str]:
    if fell_to_fallback(turn):
        return [NOT_UNDERSTOOD]
    if intent_name(turn.parse) == NOT_COVERED_INTENT:
        return [NOT_COVERED]
    reasons = [UNSURE] if low_confidence(turn.parse) else []
    answered = any(action not in SILENT_ACTIONS for action in turn.actions)
    if (
        answered
        and following
        and following.session == turn.session
        and not is_private(following)
        and is_typed(following)
        and is_rephrase(turn.text, following.text)
    ):
        reasons.append(ASKED_AGAIN)
    return reasons


def label_for(turn: Turn, following: Optional[Turn], reasons: List[str]) -> Optional[str]:
    """What the model leaned to; for a message asked again, what the rephrase got."""
    if ASKED_AGAIN not in reasons or following is None:
        return likely_label(turn.parse)
    # An answer the visitor turned down ("not what I asked") is no lead at all.
    return None if COMPLAINT.search(normalise(following.text)) else likely_label(following.parse)


def flag_conversation(events: Events) -> Tuple[int, List[Flagged]]:
    """How many visitor messages the conversation has, and those that need a look."""
    turns = turns_of(events)
    flagged = []
    for index, turn in enumerate(turns):
        if is_private(turn) or not is_typed(turn):
            continue
        following = turns[index + 1] if index + 1 < len(turns) else None
        reasons = reasons_for(turn, following)
        if reasons:
            label = label_for(turn, following, reasons)
            flagged.append(Flagged(clean_text(turn.text), reasons, label, turn.timestamp))
    return len(turns), flagged


def group_messages(flagged: Sequence[Flagged]) -> List[Group]:
    """Oldest first: a group's representative is its first message, so its id stays put."""
    groups: List[Group] = []
    for message in sorted(flagged, key=lambda m: (m.timestamp, normalise(m.text))):
        key = normalise(message.text)
        scores = [similarity(key, group.representative) for group in groups]
        best = max(range(len(groups)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= GROUP_SIMILARITY:
            groups[best].messages.append(message)
        else:
            groups.append(Group(key, [message]))
    return sorted(groups, key=lambda g: (-len(g.messages), g.id))


def suggested_label(group: Group) -> Optional[str]:
    labels = Counter(m.label for m in group.messages if m.label)
    if not labels:
        return None
    label, count = labels.most_common(1)[0]
    return label if count >= SUGGESTION_MIN_SHARE * len(group.messages) else None


def why(group: Group) -> str:
    counts = Counter(reason for m in group.messages for reason in m.reasons)
    return ", ".join(f"{reason} ({n})" for reason, n in counts.most_common())


def nlu_snippet(group: Group) -> str:
    label = suggested_label(group)
    lines = ['version: "3.1"', "nlu:"]
    if label is None:
        lines.append(
            f"# No likely topic: change {NEW_TOPIC} to a topic from data/nlu/faq.yml "
            "(a new topic also needs an answer in data/responses/faq.yml)."
        )
    lines += [f"- intent: {label or NEW_TOPIC}", "  examples: |"]
    return "\n".join(lines + [f"    - {text}" for text in group.texts]) + "\n"


def table_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def table_row(group: Group) -> str:
    shown = [t if len(t) <= TABLE_TEXT_LENGTH else t[:TABLE_TEXT_LENGTH] + "…" for t in group.texts]
    examples = "; ".join(f"“{t}”" for t in shown[:EXAMPLES_IN_TABLE])
    if len(shown) > EXAMPLES_IN_TABLE:
        examples += f" (+{len(shown) - EXAMPLES_IN_TABLE} more)"
    cells = [
        f"`{group.id}`",
        str(len(group.messages)),
        why(group),
        suggested_label(group) or "none",
        examples,
    ]
    return "| " + " | ".join(table_cell(c) for c in cells) + " |"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(conversations: int, messages: int, groups: List[Group], skipped: int) -> str:
    flagged = sum(len(g.messages) for g in groups)
    skipped_note = f" ({plural(skipped, 'message')} marked handled left out)" if skipped else ""
    return (
        f"Read {plural(conversations, 'conversation')} with "
        f"{plural(messages, 'visitor message')}: {plural(flagged, 'message')} to look at, "
        f"in {plural(len(groups), 'group')}{skipped_note}."
    )


def report_markdown(summary: str, groups: List[Group]) -> str:
    lines = [
        "# Visitor messages to review",
        "",
        f"Made on {datetime.date.today().isoformat()}. {summary}",
        "",
        PRIVACY_NOTE,
        "",
    ]
    if not groups:
        return "\n".join(
            lines
            + [
                "Nothing to review: no message fell to the fallback, was "
                "answered with low confidence or was asked again.",
                "",
            ]
        )
    lines += [
        f"Why: *{NOT_UNDERSTOOD}*, the assistant asked to rephrase; *{UNSURE}*, it answered "
        f"but was unsure; *{ASKED_AGAIN}*, the visitor asked again or said that was not "
        f"what they meant; *{NOT_COVERED}*, no topic answers it, so the assistant said it has no "
        "information on that (a new topic may be worth adding, see the staff guide, section 5).",
        "",
        "For each group: check the topic, paste its lines under that topic in `data/nlu/faq.yml` "
        '(fix the topic if it is wrong), run `make validate`, then `make review HANDLED="<group>"` '
        "so the group does not come back (docs/staff-guide.md, section 8).",
        "",
        "| group | messages | why | suggested topic | examples |",
        "| --- | ---: | --- | --- | --- |",
        *[table_row(g) for g in groups],
        "",
    ]
    for group in groups:
        lines += [
            f"## Group `{group.id}` ({plural(len(group.messages), 'message')})",
            "",
            "```yaml",
            nlu_snippet(group).rstrip("\n"),
            "```",
            "",
        ]
    return "\n".join(lines)


def load_handled(path: Path) -> List[Dict[str, Any]]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    if not isinstance(entries or [], list):
        raise ReviewError(f"{path} should be a list of handled groups: fix it or empty it.")
    return entries or []


def handled_hashes(entries: List[Dict[str, Any]]) -> Set[str]:
    return {
        digest
        for entry in entries
        if isinstance(entry, dict)
        for digest in entry.get("message_sha256") or []
    }


def mark_handled(path: Path, groups: List[Group], ids: List[str]) -> None:
    by_id = {group.id: group for group in groups}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ReviewError(
            f"No group {', '.join(unknown)} in the current report; its groups "
            f"are: {', '.join(by_id) or 'none'}."
        )
    entries = load_handled(path) + [
        {
            "group": i,
            "handled_on": datetime.date.today().isoformat(),
            "message_sha256": sorted({text_hash(normalise(m.text)) for m in by_id[i].messages}),
        }
        for i in dict.fromkeys(ids)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HANDLED_HEADER + yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")


def check_conversations_exist(config: Any, endpoints: Path) -> None:
    """Rasa's SQL store would create a missing SQLite file, and retry an unreachable server."""
    from bot.production.endpoints import (
        DatabaseUnavailable,
        NoDatabaseFile,
        check_database,
        database_url,
    )

    url = database_url(config)
    try:
        check_database(url, existing_file=True)
    except NoDatabaseFile:
        raise ReviewError(
            f"There is no conversation database at {Path(url.database or '?').resolve()} yet: "
            "start the assistant and talk to it first, or pass --endpoints with the "
            "endpoints file the server uses."
        ) from None
    except DatabaseUnavailable:
        raise ReviewError(
            f"Can't reach the conversation database at {url.host or 'localhost'}: "
            f"check that it is running and that {endpoints} (and the environment "
            "variables it names) has the right settings."
        ) from None


async def read_conversations(endpoints: Path) -> List[Events]:
    """Every conversation's events; sender ids are used to fetch them and then dropped."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

    from bot.production.endpoints import EndpointsError, is_sql_store, tracker_store_config

    try:
        config = tracker_store_config(endpoints)
    except EndpointsError as error:
        raise ReviewError(str(error)) from None
    if is_sql_store(config):
        check_conversations_exist(config, endpoints)
    try:
        store = TrackerStore.create(config, domain=Domain.load(str(project_file("domain.yml"))))
        trackers = [await store.retrieve_full_tracker(key) for key in await store.keys()]
    except Exception as error:
        raise ReviewError(
            f"Can't read the conversations ({type(error).__name__}): check that "
            f"the tracker store in {endpoints} is running and its settings are "
            "right."
        ) from None
    return [[event.as_dict() for event in tracker.events] for tracker in trackers if tracker]


def find_groups(conversations: List[Events], handled: Path) -> Tuple[str, List[Group]]:
    """The report's summary line and the groups, without messages already marked handled."""
    skip = handled_hashes(load_handled(handled))
    messages, flagged = 0, []
    for events in conversations:
        count, found = flag_conversation(events)
        messages, flagged = messages + count, flagged + found
    kept = [m for m in flagged if text_hash(normalise(m.text)) not in skip]
    groups = group_messages(kept)
    return summary_line(len(conversations), messages, groups, len(flagged) - len(kept)), groups


def quiet_libraries() -> None:
    import logging
    import warnings

    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    import rasa.core.tracker_store  # noqa: F401
    import rasa.core.utils  # noqa: F401

    quiet_rasa_logs()
    # Only now: importing Rasa replaces the warning filters.
    warnings.filterwarnings("ignore")
    logging.getLogger("rasa").setLevel(logging.CRITICAL)


def parse_arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.staff.review", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=Path("endpoints.yml"),
        help="the endpoints file the server uses (default: endpoints.yml)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports/review.md"), help="report file")
    parser.add_argument(
        "--handled",
        type=Path,
        default=Path("review/handled.yml"),
        help="where handled groups are kept (default: review/handled.yml)",
    )
    parser.add_argument("--handle", nargs="+", metavar="ID", help="mark these groups handled")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_arguments(argv)
    quiet_libraries()
    try:
        conversations = asyncio.run(read_conversations(args.endpoints))
        summary, groups = find_groups(conversations, args.handled)
        if args.handle:
            ids = [i.strip("`").lower() for i in args.handle]
            mark_handled(args.handled, groups, ids)
            print(f"Marked {', '.join(ids)} handled: those messages will not come back.")
            summary, groups = find_groups(conversations, args.handled)
    except ReviewError as error:
        print(error)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report_markdown(summary, groups), encoding="utf-8")
    print(summary if groups else f"{summary} Nothing to review.")
    for group in groups:
        print(f"  {group.id}  {len(group.messages):>3}  {why(group)}")
    print(f"Report: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
