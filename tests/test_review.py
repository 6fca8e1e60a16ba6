"""The staff review report: its pure parts, then a real run on the server's tracker store."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.staff import review

ROOT = Path(__file__).resolve().parent.parent


def user(
    text: str,
    intent: str = "faq",
    confidence: float = 0.95,
    topic: str = "faq/session_length",
    topic_confidence: float = 0.9,
    entities: Tuple[str, ...] = (),
    timestamp: float = 1.0,
) -> Dict[str, Any]:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "faq", "confidence": 0.2}]
    selector = {"response": {"intent_response_key": topic, "confidence": topic_confidence}}
    return {
        "event": "user",
        "text": text,
        "timestamp": timestamp,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking,
            "entities": [{"entity": e, "value": "x"} for e in entities],
            "response_selector": {"faq": selector},
        },
    }


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def flagged(text: str, label: Optional[str] = None, timestamp: float = 0.0) -> review.Flagged:
    return review.Flagged(text, [review.NOT_UNDERSTOOD], label, timestamp)


def snippet_examples(snippet: str) -> Tuple[List[str], List[str]]:
    """Intents (faq/<topic> for retrieval intents) and example texts, read by Rasa's own reader."""
    data = RasaYAMLReader().reads(snippet)
    labels = [m.get("intent_response_key") or m.get("intent") for m in data.intent_examples]
    return labels, [m.get("text") for m in data.intent_examples]


# Pure functions: no server needed.


def test_normalise_lowercases_and_strips_punctuation_annotations_and_spaces():
    messy = "  How LONG is a [session](thing)?!\n\tPlease "
    assert review.normalise(messy) == "how long is a session please"
    assert review.normalise("What's it… for?") == "whats it for"
    assert review.normalise("😀😀") == "😀😀"  # nothing but emoji stays itself, not ""


def test_emails_and_phone_numbers_typed_by_visitors_are_never_shown():
    cleaned = review.clean_text(
        "call me on +1 (555) 123-4567 or at jo.b@example.co.uk re the 3 minute session"
    )
    assert cleaned == "call me on (phone number) or at (email) re the 3 minute session"


def test_similar_messages_share_a_group_whose_id_is_stable():
    messages = [
        flagged("How long does a session take?", timestamp=1),
        flagged("how long does a session take", timestamp=2),
        flagged("How long is a session?", timestamp=3),
        flagged("Does insurance pay for it?", timestamp=4),
    ]
    groups = review.group_messages(messages)
    assert [len(g.messages) for g in groups] == [3, 1]
    assert groups[0].texts == ["How long does a session take?", "How long is a session?"]
    assert groups[0].id == review.text_hash("how long does a session take")[:8]
    later = review.group_messages(messages + [flagged("how long is a session", timestamp=9)])
    assert later[0].id == groups[0].id and len(later[0].messages) == 4


def test_a_word_alone_does_not_swallow_longer_questions_that_contain_it():
    groups = review.group_messages(
        [
            flagged("cryotherapy", timestamp=1),
            flagged("what does cryotherapy cost in the city", timestamp=2),
        ]
    )
    assert len(groups) == 2


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("how long does a session take", "How long is a session?", True),
        ("what should I wear", "No, that's not what I asked", True),
        ("what should I wear", "you didn't answer my question", True),
        ("how long does a session take", "thanks, bye", False),
        ("is it safe", "no", False),
    ],
)
def test_rephrase_detection(first, second, expected):
    assert review.is_rephrase(first, second) is expected


def test_flags_fallback_unsure_answers_and_rephrases_and_says_why():
    events = [
        user("flarn wibble", intent="nlu_fallback", confidence=0.7),
        action("action_fallback"),
        action("action_listen"),
        user("how long is a sesion", confidence=0.4),
        action("utter_faq"),
        action("action_listen"),
        user("what do I wear", topic="faq/what_to_wear", topic_confidence=0.2),
        action("utter_faq"),
        action("action_listen"),
        user("what should I wear", topic="faq/what_to_wear"),
        action("utter_faq"),
        action("action_listen"),
        user("no, that's not what I asked", intent="deny"),
        action("utter_no_problem"),
    ]
    read, found = review.flag_conversation(events)
    assert read == 5
    assert [(f.text, f.reasons) for f in found] == [
        ("flarn wibble", [review.NOT_UNDERSTOOD]),
        ("how long is a sesion", [review.UNSURE]),
        ("what do I wear", [review.UNSURE, review.ASKED_AGAIN]),
        ("what should I wear", [review.ASKED_AGAIN]),
    ]
    assert found[1].label == "faq/session_length"  # an unsure answer: still the model's lead
    assert found[2].label == "faq/what_to_wear"  # asked again: the rephrase's confident topic
    assert found[3].label is None  # the answer was turned down: no lead


def test_questions_no_topic_answers_are_listed_for_staff():
    events = [
        user("is there parking near the clinic", intent="not_covered", timestamp=1.0),
        action("utter_not_covered"),
        user("how long is a session", timestamp=2.0),
        action("utter_faq"),
    ]
    messages, found = review.flag_conversation(events)
    assert messages == 2
    assert [(f.text, f.reasons) for f in found] == [
        ("is there parking near the clinic", [review.NOT_COVERED])
    ]


def test_checklist_answers_conditions_emergencies_and_buttons_are_never_read():
    miss = {"intent": "nlu_fallback", "confidence": 0.1}
    events = [
        user("I have a pacemaker, flarn?", entities=("condition",), **miss),
        action("action_fallback"),
        user("no pacemaker here, flarn", entities=("no_condition",), **miss),
        user("I had a stroke flarn", intent="inform_condition", confidence=0.4),
        {"event": "active_loop", "name": "checklist_form"},
        user("yes, asthma since Dunwich", intent="affirm", confidence=0.2),
        user("quibblefrotz narwhal", **miss),
        action("action_fallback"),
        {"event": "active_loop", "name": None},
        user("chest pain flarn", intent="emergency", confidence=0.35),
        action("utter_emergency"),
        user("/affirm", intent="affirm", confidence=0.1),
        user("   ", **miss),
    ]
    read, found = review.flag_conversation(events)
    assert read == 8 and found == []


def test_a_topic_is_suggested_only_when_most_messages_lean_to_it():
    booking = [flagged("a", "faq/booking"), flagged("b", "faq/booking"), flagged("c")]
    assert review.suggested_label(review.Group("x", booking)) == "faq/booking"
    group = review.Group("x", [flagged("a", "faq/booking"), flagged("b"), flagged("c")])
    assert review.suggested_label(group) is None


def test_snippets_are_valid_rasa_nlu_even_with_awkward_characters():
    awkward = [
        "price: how much?",
        "# of sessions",
        "\"quoted\" 'both'",
        "- leading dash",
        "two\nlines",
        "a [pacemaker](condition) one",
        "pipe | and {braces}",
        "tab\there",
    ]
    group = review.Group("x", [flagged(t, "faq/booking") for t in awkward])
    labels, examples = snippet_examples(review.nlu_snippet(group))
    assert set(labels) == {"faq/booking"}
    assert examples == [
        "price: how much?",
        "# of sessions",
        "\"quoted\" 'both'",
        "- leading dash",
        "two lines",
        "a pacemaker one",
        "pipe | and {braces}",
        "tab here",
    ]
    no_topic = review.nlu_snippet(review.Group("y", [flagged("zorp")]))
    assert snippet_examples(no_topic) == ([review.NEW_TOPIC], ["zorp"])
    assert "# No likely topic" in no_topic


def test_the_table_escapes_pipes():
    row = review.table_row(review.Group("x", [flagged("a | b <script>")]))
    assert "a \\| b &lt;script>" in row and row.count(" | ") == 4


def test_handled_groups_keep_hashes_never_texts(tmp_path):
    handled = tmp_path / "handled.yml"
    group = review.Group(review.normalise("Secret question?"), [flagged("Secret question?")])
    review.mark_handled(handled, [group], [group.id])
    assert "secret" not in handled.read_text().lower()
    hashes = review.handled_hashes(review.load_handled(handled))
    assert hashes == {review.text_hash("secret question")}
    with pytest.raises(review.ReviewError, match=group.id):
        review.mark_handled(handled, [group], ["nosuchid"])


def test_the_committed_handled_file_is_an_empty_list():
    assert yaml.safe_load((ROOT / "review" / "handled.yml").read_text()) == []


@pytest.mark.parametrize("store", ["SQL", "bot.production.tracker_store.StrictSQLTrackerStore"])
def test_a_missing_database_is_one_plain_sentence_and_exit_code_1(tmp_path, store):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f'tracker_store:\n  type: {store}\n  dialect: "sqlite"\n' f'  db: "{tmp_path / "no.db"}"\n'
    )
    done = run_cli(["--endpoints", str(endpoints), "--out", str(tmp_path / "r.md")])
    assert done.returncode == 1
    assert done.stdout.startswith("There is no conversation database at")
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "no.db").exists() and not (tmp_path / "r.md").exists()


def run_cli(arguments: List[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.staff.review", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


# A real run on conversations held by the running server (shared with other tests).

# Sent by three visitors; the second is the first again, bar case and punctuation.
FALLBACK_VARIANTS = [
    "Blorptastic quenzelfrump wizzlesnoot?",
    "blorptastic, quenzelfrump wizzlesnoot!!",
    "blorptastic quenzelfrump wizzlesnoots please",
]
OTHER_VARIANTS = ["grumbletoft vaxxilow prengle", "Grumbletoft vaxxilow prengle"]
REPHRASED = "how many minutes does one freezing session last"
REPHRASED_SIMILAR = [
    "does cryotherapy help you sleep better at night",
    "does cryotherapy help you sleep better at night then?",
]
PRIVATE_TEXTS = [
    "I have a pacemaker since the Larkspur surgery, can I do cryo?",
    "quibblefrotz narwhal yesno",
    "yes, asthma since I was little in Dunwich",
    "I have crushing chest pain near Wexford right now",
]
PRIVATE_WORDS = ["larkspur", "quibblefrotz", "dunwich", "wexford"]


def new_sender() -> str:
    return f"review-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def senders(assistant) -> List[str]:
    """Seed the tracker store through REST; returns every sender id used."""
    used = []
    for texts in (FALLBACK_VARIANTS, OTHER_VARIANTS):
        for text in texts:
            used.append(new_sender())
            assistant.say(used[-1], text)
    used.append(new_sender())
    assistant.say(used[-1], REPHRASED)
    assistant.say(used[-1], "no, that's not what I asked")
    used.append(new_sender())
    for text in REPHRASED_SIMILAR:
        assistant.say(used[-1], text)
    used.append(new_sender())
    assistant.say(used[-1], PRIVATE_TEXTS[0])
    assert assistant.tracker(used[-1])["active_loop"]["name"] == "checklist_form"
    for text in PRIVATE_TEXTS[1:3] + ["no", "no"]:
        assistant.say(used[-1], text)
    used.append(new_sender())
    assistant.say(used[-1], PRIVATE_TEXTS[3])
    return used


def run_review(assistant, tmp_path: Path, capsys, *extra: str) -> Tuple[int, str]:
    code = review.main(
        [
            "--endpoints",
            str(assistant.workdir / "endpoints.yml"),
            "--out",
            str(tmp_path / "review.md"),
            "--handled",
            str(tmp_path / "handled.yml"),
            *extra,
        ]
    )
    return code, capsys.readouterr().out


def report_groups(report: str) -> Dict[str, Dict[str, Any]]:
    """Each group's table row and the labels and examples of its snippet."""
    groups = {}
    for group_id, count, why, topic in re.findall(
        r"^\| `(\w+)` \| (\d+) \| ([^|]*) \| ([^|]*) \|", report, re.M
    ):
        snippet = re.search(rf"## Group `{group_id}` .*?```yaml\n(.*?)```", report, re.S).group(1)
        labels, examples = snippet_examples(snippet)
        groups[group_id] = {
            "count": int(count),
            "why": why,
            "topic": topic,
            "labels": labels,
            "examples": examples,
            "snippet": snippet,
        }
    return groups


def report_groups_now(assistant, tmp_path: Path, capsys) -> Dict[str, Dict[str, Any]]:
    run_review(assistant, tmp_path, capsys)
    return report_groups((tmp_path / "review.md").read_text())


def group_with(groups: Dict[str, Dict[str, Any]], text: str) -> Tuple[str, Dict[str, Any]]:
    matches = [(i, g) for i, g in groups.items() if text in g["examples"]]
    assert len(matches) == 1, f"{text!r} is in {len(matches)} groups"
    return matches[0]


@pytest.mark.server
def test_the_report_groups_and_counts_what_went_wrong(assistant, senders, tmp_path, capsys):
    code, printed = run_review(assistant, tmp_path, capsys)
    report = (tmp_path / "review.md").read_text()
    assert code == 0 and f"Report: {tmp_path / 'review.md'}" in printed
    groups = report_groups(report)
    fallback_id, fallback = group_with(groups, FALLBACK_VARIANTS[0])
    assert fallback["count"] == 3 and fallback["why"] == "not understood (3)"
    assert fallback["examples"] == [FALLBACK_VARIANTS[0], FALLBACK_VARIANTS[2]]
    # Gibberish rarely has a likely topic, but that is the model's call: the snippet follows.
    expected_label = review.NEW_TOPIC if fallback["topic"] == "none" else fallback["topic"]
    assert fallback["labels"] == [expected_label] * 2
    other_id, other = group_with(groups, OTHER_VARIANTS[0])
    assert other["count"] == 2 and other_id != fallback_id
    _, rephrased = group_with(groups, REPHRASED)
    assert "asked again" in rephrased["why"]
    # The visitor turned the answer down, so its topic is not suggested again.
    assert rephrased["topic"] == "none" and rephrased["labels"] == [review.NEW_TOPIC]
    _, similar = group_with(groups, REPHRASED_SIMILAR[0])
    assert similar["count"] == 1 and "asked again (1)" in similar["why"]
    assert similar["topic"].startswith("faq/") and similar["labels"] == [similar["topic"]]
    assert fallback_id in printed and other_id in printed


@pytest.mark.server
def test_the_report_holds_no_sender_ids_and_no_checklist_answers(
    assistant, senders, tmp_path, capsys
):
    _, printed = run_review(assistant, tmp_path, capsys)
    everything = ((tmp_path / "review.md").read_text() + printed).lower()
    assert "Privacy:" in (tmp_path / "review.md").read_text()
    for sender in senders:
        assert sender.lower() not in everything
    for word in PRIVATE_WORDS:
        assert word not in everything


@pytest.mark.server
def test_a_handled_group_does_not_come_back(assistant, senders, tmp_path, capsys):
    groups = report_groups_now(assistant, tmp_path, capsys)
    fallback_id, _ = group_with(groups, FALLBACK_VARIANTS[0])
    code, printed = run_review(assistant, tmp_path, capsys, "--handle", fallback_id)
    assert code == 0 and f"Marked {fallback_id} handled" in printed
    assert "blorptastic" not in (tmp_path / "handled.yml").read_text().lower()
    for _ in range(2):  # the report written by --handle, then the next run's
        report = (tmp_path / "review.md").read_text()
        groups = report_groups(report)
        assert fallback_id not in groups and "blorptastic" not in report.lower()
        assert group_with(groups, OTHER_VARIANTS[0])[1]["count"] == 2
        assert "3 messages marked handled left out" in report
        run_review(assistant, tmp_path, capsys)


@pytest.mark.server
def test_an_unknown_group_lists_the_current_ones(assistant, senders, tmp_path, capsys):
    code, printed = run_review(assistant, tmp_path, capsys, "--handle", "zzzzzzzz")
    assert code == 1 and "No group zzzzzzzz in the current report" in printed
    other_id, _ = group_with(report_groups_now(assistant, tmp_path, capsys), OTHER_VARIANTS[0])
    assert other_id in printed


@pytest.mark.server
def test_the_command_line_works(assistant, senders, tmp_path):
    done = run_cli(
        [
            "--endpoints",
            str(assistant.workdir / "endpoints.yml"),
            "--out",
            str(tmp_path / "out" / "review.md"),
            "--handled",
            str(tmp_path / "h.yml"),
        ]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "" and "Report:" in done.stdout
    group_with(report_groups((tmp_path / "out" / "review.md").read_text()), OTHER_VARIANTS[0])
