"""Health data: "delete my data" removes the conversation; checklist answers stay out of logs."""

from __future__ import annotations

import sqlite3

import pytest

from tests.support.checklist import checklist_length

FLAGGED_WORDS = ("epilepsy", "seizure_history", "pacemaker", "implants_or_pacemaker")


def stored_events(assistant, sender: str) -> int:
    with sqlite3.connect(assistant.workdir / "tracker.db") as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]


def test_delete_my_data_asks_first_then_removes_the_whole_conversation(assistant):
    sender = "privacy-delete"
    assistant.texts(sender, "how long is a session")
    assistant.texts(sender, "I have epilepsy, can I still do it?")
    assert stored_events(assistant, sender) > 0
    confirm = assistant.texts(sender, "delete my data")
    assert any("delete this conversation" in t and "can't be undone" in t for t in confirm), confirm
    assert stored_events(assistant, sender) > 0
    done = assistant.texts(sender, "yes")
    assert any("have been deleted" in t for t in done), done
    assert stored_events(assistant, sender) == 0
    # The visitor can carry on: a fresh conversation, with nothing of the old one.
    assert any("3 minutes" in t for t in assistant.texts(sender, "how long is a session"))
    texts = [e.get("text") for e in assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert texts == ["how long is a session"]


def test_saying_no_keeps_the_conversation(assistant):
    sender = "privacy-keep"
    assistant.texts(sender, "is it safe")
    assistant.texts(sender, "erase this chat please")
    kept = assistant.texts(sender, "no")
    assert any("haven't deleted anything" in t for t in kept), kept
    assert stored_events(assistant, sender) > 0


def test_checklist_answers_never_reach_the_logs(assistant):
    sender = "privacy-logs"
    assistant.texts(sender, "I have epilepsy and a pacemaker")
    for _ in range(checklist_length()):
        assistant.texts(sender, "no")
    assert assistant.tracker(sender)["slots"]["flagged_conditions"]
    for log in ("rasa.log", "actions.log"):
        text = (
            (assistant.workdir / "logs" / log).read_text(encoding="utf-8", errors="replace").lower()
        )
        assert not [w for w in FLAGGED_WORDS if w in text], log


@pytest.mark.server
def test_a_crashing_action_mid_checklist_leaves_no_health_data_in_either_log(tmp_path):
    from bot.measure.launcher import start_assistant
    from tests.support.crashing_actions import CRASH_TEXT

    running = start_assistant(tmp_path, actions_package="tests.support.crashing_actions")
    try:
        sender = "privacy-crash"
        running.texts(sender, "I have epilepsy and a pacemaker")
        running.texts(sender, "no")
        reply = " ".join(running.texts(sender, CRASH_TEXT))
        assert "something went wrong on my side" in reply  # the visitor still gets an answer
    finally:
        running.stop()
    logs = {
        name: (tmp_path / "logs" / name).read_text(encoding="utf-8", errors="replace")
        for name in ("rasa.log", "actions.log")
    }
    assert "injected fault" in logs["actions.log"]  # the crash happened, and was logged
    assert "Encountered an exception" in logs["rasa.log"] or "500" in logs["rasa.log"]
    for name, text in logs.items():
        assert not [w for w in FLAGGED_WORDS + (CRASH_TEXT,) if w in text.lower()], name
