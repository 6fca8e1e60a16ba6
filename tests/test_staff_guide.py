"""docs/staff-guide.md, followed to the letter on a copy of the project: its snippets are applied
where the guide says, the checks pass, and the retrained assistant answers with the changes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest
import yaml

from bot.channels.twilio import numbered_options
from bot.staff.content_checks import check_project
from bot.staff.report import gate_failures, heldout_pairs, load_baseline, scores
from tests.conftest import FAST_TESTS
from tests.support.fake_providers import FakeProviders
from tests.support.messaging import SECRETS, post, twilio_form
from tests.support.widget import ask, open_widget, wait_for_bot_text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUIDE = ROOT / "docs" / "staff-guide.md"
NOT_COPIED = shutil.ignore_patterns(
    ".venv",
    ".git",
    "models",
    "results",
    "reports",
    ".rasa",
    "artifacts",
    ".run",
    ".hypothesis",
    "*.db",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
)


def guide_snippets() -> Dict[str, str]:
    """The code block after each `<!-- guide-step: NAME -->` marker in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    return {
        name: body
        for name, body in re.findall(
            r"<!-- guide-step: ([\w-]+) -->\n```yaml\n(.*?)```", text, re.S
        )
    }


def insert_after(path: Path, anchor: str, snippet: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(anchor) == 1, f"{anchor!r} should appear once in {path}"
    path.write_text(text.replace(anchor, anchor + snippet), encoding="utf-8")


def append(path: Path, snippet: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + snippet, encoding="utf-8")


def replace_answer(path: Path, name: str, snippet: str) -> None:
    text = path.read_text(encoding="utf-8")
    block = re.search(rf"^  {re.escape(name)}:\n  - text: .*\n", text, re.M)
    assert block, f"{name} not found in {path}"
    path.write_text(text.replace(block.group(0), snippet), encoding="utf-8")


def remove_lines_with(path: Path, words) -> None:
    """What the guide asks: delete the examples that ask about the new topic."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line
        for line in lines
        if not (line.startswith("    - ") and any(word in line.lower() for word in words))
    ]
    path.write_text("".join(kept), encoding="utf-8")


def follow_the_guide(project: Path, steps: Dict[str, str]) -> None:
    faq, answers = project / "data/nlu/faq.yml", project / "data/responses/faq.yml"
    conditions = project / "conditions.yml"
    # Section 3: a new way of asking, under the how_long topic's examples.
    insert_after(faq, "- intent: faq/how_long\n  examples: |\n", steps["add-variant"])
    # Section 4: a changed answer.
    replace_answer(answers, "utter_faq/what_to_wear", steps["change-answer"])
    # Section 5: a new topic, its answer and its test conversation.
    append(faq, steps["add-topic-questions"])
    remove_lines_with(
        project / "data/nlu/not_covered.yml", yaml.safe_load(steps["not-covered-words"])
    )
    append(answers, steps["add-topic-answer"])
    append(project / "tests/test_faq_conversations.yml", steps["add-test-conversation"])
    # Section 6: a synonym, then a new checklist item: one block in conditions.yml.
    insert_after(conditions, "      - anemia\n", steps["add-synonym"])
    append(conditions, steps["add-item-condition"])
    # Section 7: make validate, whose first step writes the checklist into domain.yml.
    checked = run([sys.executable, "-m", "bot.staff.content_checks", "--write-checklist"], project)
    assert checked.returncode == 0 and "Content checks passed." in checked.stdout, checked.stdout


def run(command, project: Path, **kwargs) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PYTHONPATH": str(project),
        "TQDM_DISABLE": "1",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    return subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, **kwargs
    )


@pytest.fixture(scope="module")
def edited_project(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("staff") / "project"
    shutil.copytree(ROOT, project, ignore=NOT_COPIED)
    follow_the_guide(project, guide_snippets())
    return project


@pytest.fixture(scope="module")
def retrained(edited_project) -> Path:
    done = run(
        [str(BIN / "rasa"), "train", "--fixed-model-name", "current", "--out", "models"],
        edited_project,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return edited_project / "models" / "current.tar.gz"


@pytest.fixture(scope="module")
def providers():
    fake = FakeProviders()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def edited_assistant(edited_project, retrained, providers, tmp_path_factory):
    """The edited copy, retrained, with the widget and SMS on (SMS to a fake of Twilio)."""
    from bot.measure.launcher import start_assistant

    running = start_assistant(
        tmp_path_factory.mktemp("staff-run"),
        model=retrained,
        root=edited_project,
        env={**SECRETS, "FAKE_PROVIDER_URL": providers.url},
        rasa_entry=[sys.executable, "-m", "tests.support.rasa_with_fake_providers"],
    )
    yield running
    running.stop()


def test_every_step_of_the_guide_has_its_snippet():
    assert set(guide_snippets()) == {
        "add-variant",
        "change-answer",
        "add-topic-questions",
        "add-topic-answer",
        "not-covered-words",
        "add-test-conversation",
        "add-synonym",
        "add-item-condition",
    }


def test_after_the_guides_edits_make_validate_passes(edited_project):
    assert [str(p) for p in check_project(edited_project)] == []
    validated = run([str(BIN / "rasa"), "data", "validate", "--fail-on-warnings"], edited_project)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]


def test_the_new_checklist_item_is_written_into_the_domain_as_the_sixteenth_question(
    edited_project,
):
    domain = yaml.safe_load((edited_project / "domain.yml").read_text(encoding="utf-8"))
    keys = domain["forms"]["checklist_form"]["required_slots"]
    assert len(keys) == 16 and keys[-1] == "cold_urticaria"
    asked = domain["responses"]["utter_ask_cold_urticaria"][0]
    assert asked["text"] == "(16/16) Do you get hives or a rash from the cold (cold urticaria)?"
    assert numbered_options(asked["text"], asked["buttons"]).startswith(
        f"{asked['text']}\n1) Yes\n2) No\n"
    )
    assert all(
        domain["responses"][f"utter_ask_{key}"][0]["text"].startswith(f"({n}/16) ")
        for n, key in enumerate(keys, 1)
    )


def test_the_fast_tests_pass_on_the_edited_copy(edited_project):
    """What a clinic's `make test` checks first, on the project as the guide left it."""
    tested = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            FAST_TESTS,
            "--ignore=tests/test_staff_guide.py",
            "tests",
        ],
        edited_project,
    )
    assert tested.returncode == 0, tested.stdout[-4000:] + tested.stderr[-2000:]
    assert re.search(r"\b\d{3,} passed\b", tested.stdout), tested.stdout[-500:]


@pytest.mark.training
def test_the_new_test_conversation_passes(edited_project, retrained):
    tested = run(
        [
            str(BIN / "rasa"),
            "test",
            "core",
            "--e2e",
            "--model",
            str(retrained),
            "--stories",
            "tests/test_faq_conversations.yml",
            "--fail-on-prediction-errors",
            "--out",
            "results",
        ],
        edited_project,
    )
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]


@pytest.mark.training
def test_the_new_question_variant_is_answered_by_its_topic(edited_assistant):
    assert any(
        "3 minutes" in t
        for t in edited_assistant.texts("staff-1", "is the freezing part over quickly")
    )


@pytest.mark.training
def test_the_changed_answer_is_what_visitors_see(edited_assistant):
    texts = edited_assistant.texts("staff-2", "what clothes should I wear for cryo")
    assert any("Our staff will tell you on the day exactly what to wear" in t for t in texts), texts


@pytest.mark.training
def test_the_new_topic_is_answered_with_the_clinics_details(edited_assistant):
    texts = edited_assistant.texts(
        "staff-3", "my dad is in a wheelchair, will he manage to get in?"
    )
    assert any("12 Example Street" in t and "step-free access" in t for t in texts), texts


def answer_no_until_the_end(assistant, sender: str, texts) -> list:
    asked = []
    for _ in range(20):
        question = next((t for t in texts if re.match(r"\(\d+/\d+\) ", t)), None)
        if not question:
            return asked
        asked.append(question)
        texts = assistant.texts(sender, "yes" if "cold urticaria" in question else "no")
    pytest.fail(f"the checklist did not end: {asked}")


@pytest.mark.training
def test_the_new_checklist_item_is_asked_last_and_reported(edited_assistant):
    asked = answer_no_until_the_end(
        edited_assistant, "staff-4", edited_assistant.texts("staff-4", "can I do cryotherapy?")
    )
    assert len(asked) == 16 and asked[0].startswith("(1/16) ")
    assert asked[-1] == "(16/16) Do you get hives or a rash from the cold (cold urticaria)?"
    assert edited_assistant.tracker("staff-4")["slots"]["flagged_conditions"] == ["cold_urticaria"]


def sms(assistant, sender: str, text: str) -> None:
    url = f"{assistant.url}/webhooks/twilio/webhook"
    body, headers = twilio_form(url, {"From": sender, "Body": text})
    assert post(assistant.url, "twilio", body, headers).status_code == 204


@pytest.mark.training
def test_the_sixteenth_question_reaches_sms_as_a_numbered_question(edited_assistant, providers):
    sender = "+15550001616"
    sms(edited_assistant, sender, "can I do cryotherapy?")
    for number in range(1, 16):
        providers.wait_for("twilio", f"({number}/16)", also=f"To={sender}")
        sms(edited_assistant, sender, "2")  # option 2 is No
    question = providers.wait_for("twilio", "(16/16)", also=f"To={sender}")
    assert "(16/16) Do you get hives or a rash from the cold (cold urticaria)?" in question
    assert "1) Yes\n2) No" in question


@pytest.mark.training
@pytest.mark.browser
def test_the_sixteenth_question_shows_in_the_widget_with_its_buttons(edited_assistant, browser):
    context = browser.new_context(viewport={"width": 390, "height": 800})  # phone size
    page = context.new_page()
    page.goto(f"{edited_assistant.url}/webhooks/widget/demo")
    open_widget(page)
    ask(page, "can I do cryotherapy?")
    for number in range(1, 16):
        wait_for_bot_text(page, f"({number}/16)")
        page.locator(".cryo-chat__choices").last.get_by_role("button", name="No").click()
    wait_for_bot_text(page, "(16/16) Do you get hives or a rash from the cold")
    choices = page.locator(".cryo-chat__choices").last
    assert choices.get_by_role("button", name="Yes").is_visible()
    context.close()


@pytest.mark.training
def test_the_new_synonym_is_understood(edited_assistant):
    asked = answer_no_until_the_end(
        edited_assistant,
        "staff-5",
        edited_assistant.texts("staff-5", "I have low red blood cells, can I do it?"),
    )
    assert len(asked) == 15 and not any("anemia" in q for q in asked)
    assert edited_assistant.tracker("staff-5")["slots"]["flagged_conditions"] == [
        "anemia",
        "cold_urticaria",
    ]


@pytest.mark.training
def test_the_edits_did_not_make_any_topic_worse(edited_assistant):
    pairs = heldout_pairs(edited_assistant.parse)
    assert gate_failures(scores(pairs), load_baseline(), pairs) == []
