"""`make validate`'s content checks: each one broken on purpose in a copy of the project."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.shared.conditions import condition_keys
from bot.staff.checklist_domain import stale as checklist_stale
from bot.staff.checklist_domain import write as write_checklist
from bot.staff.content_checks import check_project, report

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = [
    "config.yml",
    "domain.yml",
    "clinic.yml",
    "data",
    "conditions.yml",
    "tests/heldout",
    "tests/tuning",
    "tests/test_faq_conversations.yml",
    "bot/nlu/triage",
]


def copy_project(target: Path) -> Path:
    for relative in PROJECT_FILES:
        source, destination = ROOT / relative, target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copy(source, destination)
    return target


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def errors(project: Path):
    return [str(p) for p in check_project(project) if p.blocking]


def warnings(project: Path):
    return [str(p) for p in check_project(project) if not p.blocking]


def only_error(project: Path) -> str:
    found = errors(project)
    assert len(found) == 1, found
    return found[0]


def test_the_project_as_committed_passes():
    assert errors(ROOT) == []


def test_a_topic_without_an_answer_is_named_with_where_to_add_it(project):
    edit(project / "data/responses/faq.yml", "  utter_faq/sleep:", "  utter_faq/sleeping:")
    found = errors(project)
    assert any(
        "data/nlu/faq.yml, line" in e
        and "faq/sleep has questions but no answer" in e
        and "data/responses/faq.yml" in e
        for e in found
    ), found
    assert any("utter_faq/sleeping has no questions" in e for e in found), found


def test_a_topic_with_too_few_examples_says_how_many_more(project):
    with (project / "data/nlu/faq.yml").open("a", encoding="utf-8") as nlu:
        nlu.write(
            "- intent: faq/parking\n  examples: |\n    - can I leave my bicycle outside\n"
            "    - where do cars go\n"
        )
    with (project / "data/responses/faq.yml").open("a", encoding="utf-8") as answers:
        answers.write('  utter_faq/parking:\n  - text: "There is a car park behind the clinic."\n')
    message = only_error(project)
    assert "'faq/parking' has 2 examples; it needs at least 20. Add 18 more" in message
    assert message.startswith("ERROR data/nlu/faq.yml, line")


def test_an_example_under_two_intents_is_an_error_with_both_places(project):
    edit(
        project / "data/nlu/faq.yml",
        "  examples: |\n",
        "  examples: |\n    - how long does relief last\n",
    )
    edit(
        project / "data/nlu/faq.yml",
        "- intent: faq/how_often\n  examples: |\n",
        "- intent: faq/how_often\n  examples: |\n    - How long does relief last?\n",
    )
    message = only_error(project)
    assert (
        "is listed under both 'faq/what_is_cryotherapy' (data/nlu/faq.yml line 5) "
        "and 'faq/how_often'" in message
    )
    assert "delete it where it does not belong" in message


def test_a_near_duplicate_across_topics_is_reported_but_does_not_block(project):
    edit(
        project / "data/nlu/faq.yml",
        "- intent: faq/how_often\n  examples: |\n",
        "- intent: faq/how_often\n  examples: |\n"
        "    - can you please explain what cryotherapy is\n",
    )
    assert errors(project) == []
    assert any(
        '"can you please explain what cryotherapy is" (faq/how_often) is almost the same as' in w
        for w in warnings(project)
    )


def test_an_answer_over_the_length_limit_is_named(project):
    edit(
        project / "data/responses/faq.yml",
        '  utter_faq/sleep:\n  - text: "',
        '  utter_faq/sleep:\n  - text: "' + "word " * 80,
    )
    message = only_error(project)
    assert "data/responses/faq.yml, line" in message
    assert "the answer 'utter_faq/sleep' has" in message and "must stay under 80" in message


def test_a_placeholder_that_is_not_a_clinic_setting_is_named(project):
    edit(
        project / "data/responses/faq.yml",
        '  utter_faq/booking:\n  - text: "',
        '  utter_faq/booking:\n  - text: "Fax us at {clinic_fax}. ',
    )
    message = only_error(project)
    assert (
        "uses {clinic_fax}, which is not a clinic setting" in message
        and "{clinic_phone}" in message
    )


def test_a_misspelled_clinic_setting_is_named(project):
    edit(project / "clinic.yml", "clinic_phone:", "clinic_phnoe:")
    message = only_error(project)
    assert (
        message.startswith("ERROR clinic.yml, line")
        and "'clinic_phnoe' is not a setting" in message
    )


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('    question: "Do you have anemia?"\n', "", "'anemia' needs 'question:'"),
        ("    name: anemia\n", "", "'anemia' needs 'name:'"),
        (
            "    synonyms:\n      - anemia\n",
            "    synonyms: []\n    old_synonyms:\n      - anemia\n",
            "'anemia' needs 'synonyms:'",
        ),
    ],
)
def test_every_checklist_item_has_its_question_name_and_synonyms(project, old, new, expected):
    edit(project / "conditions.yml", old, new)
    assert any(expected in e for e in errors(project)), errors(project)


@pytest.mark.parametrize(
    "old, new",
    [
        ("      - anemia\n", ""),  # a condition left out of the form
        ('"(7/{total}) ', '"(8/{total}) '),  # a question renumbered by hand
        ("  anemia:\n    type: bool\n", "  anemia:\n    type: text\n"),  # its slot changed
    ],
)
def test_a_hand_edit_of_the_checklist_in_the_domain_is_named_and_make_validate_repairs_it(
    project, old, new
):
    total = len(condition_keys())
    edit(project / "domain.yml", old.format(total=total), new.format(total=total))
    assert "no longer match conditions.yml. Run `make validate`" in only_error(project)
    assert write_checklist(project) and errors(project) == []


def test_a_condition_added_to_conditions_yml_is_asked_last_with_its_number(project):
    total = len(condition_keys()) + 1
    with (project / "conditions.yml").open("a", encoding="utf-8") as conditions:
        conditions.write(
            "\n  frostnip_history:\n    name: frostnip\n"
            '    question: "Have you had frostnip?"\n    synonyms:\n      - frostnip\n'
        )
    assert write_checklist(project)
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    assert domain["forms"]["checklist_form"]["required_slots"][-1] == "frostnip_history"
    assert domain["slots"]["frostnip_history"]["type"] == "bool"
    assert domain["slots"]["checklist_length"]["initial_value"] == str(total)
    asked = domain["responses"]["utter_ask_frostnip_history"][0]
    assert asked["text"] == f"({total}/{total}) Have you had frostnip?"
    assert [b["payload"] for b in asked["buttons"]] == ["/affirm", "/deny"]
    assert domain["responses"]["utter_ask_anemia"][0]["text"].startswith(f"(7/{total}) ")
    assert errors(project) == []


def test_a_condition_removed_from_conditions_yml_leaves_the_domain_with_the_rest(project):
    edit(project / "conditions.yml", "  anemia:\n", "  anemia_removed:\n")
    text = (project / "conditions.yml").read_text(encoding="utf-8")
    start = text.index("  anemia_removed:\n")
    end = text.index("\n  tumor:\n")
    (project / "conditions.yml").write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    assert write_checklist(project)
    domain = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))
    total = len(condition_keys()) - 1
    assert "anemia" not in domain["slots"] and "utter_ask_anemia" not in domain["responses"]
    assert domain["responses"]["utter_ask_tumor"][0]["text"].startswith(f"(7/{total}) ")


def test_the_committed_domain_follows_conditions_yml():
    assert not checklist_stale(ROOT), "run `make validate` and commit domain.yml"


def test_the_checklist_markers_removed_from_the_domain_are_explained(project):
    edit(project / "domain.yml", "  # >>> checklist questions,", "  # checklist questions,")
    message = only_error(project)
    assert "the lines marking the checklist questions are missing or repeated" in message


def test_a_training_example_copied_from_the_held_out_questions_is_refused(project):
    edit(
        project / "data/nlu/faq.yml",
        "  examples: |\n",
        "  examples: |\n    - wat is cryo exactly?\n",
    )
    assert "is one of the test messages (tests/heldout/questions.yml)" in only_error(project)


def test_a_tab_is_reported_in_plain_words_with_its_line(project):
    edit(
        project / "data/nlu/faq.yml",
        "    - whole body cryotherapy meaning",
        "\t- whole body cryotherapy meaning",
    )
    message = only_error(project)
    assert message.startswith("ERROR data/nlu/faq.yml, line ") and "indented with a tab" in message


def test_bad_indentation_is_reported_in_plain_words(project):
    edit(project / "data/responses/faq.yml", "  utter_faq/sleep:", "    utter_faq/sleep:")
    found = errors(project)
    assert any(
        e.startswith("ERROR data/responses/faq.yml, line")
        and "'utter_faq/sleep' is indented as if" in e
        and "line it up with the other names" in e
        for e in found
    ), found


def test_an_example_without_its_dash_is_reported(project):
    edit(
        project / "data/nlu/faq.yml",
        "    - whole body cryotherapy meaning",
        "    whole body cryotherapy meaning",
    )
    message = only_error(project)
    assert "does not start with '- '" in message and "data/nlu/faq.yml, line" in message


def test_an_answer_without_its_dash_is_reported(project):
    edit(
        project / "data/responses/faq.yml",
        "  utter_faq/sleep:\n  - text:",
        "  utter_faq/sleep:\n    text:",
    )
    assert "the answer 'utter_faq/sleep' must be a list" in only_error(project)


def test_an_unclosed_quote_is_reported(project):
    edit(
        project / "data/responses/faq.yml",
        '  utter_faq/sleep:\n  - text: "',
        '  utter_faq/sleep:\n  - text: """',
    )
    message = only_error(project)
    assert message.startswith("ERROR data/responses/faq.yml, line") and "Traceback" not in message


def test_the_command_exits_non_zero_with_the_problems_and_a_count(project):
    edit(project / "clinic.yml", "clinic_phone:", "clinic_phnoe:")
    done = subprocess.run(
        [sys.executable, "-m", "bot.staff.content_checks", "--root", str(project)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1
    assert "'clinic_phnoe' is not a setting" in done.stdout
    assert "1 problem(s) to fix" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_the_report_says_when_all_is_well():
    text, ok = report([])
    assert ok and text == "Content checks passed."


def test_a_message_stating_the_wrong_number_of_conditions_is_named(project):
    edit(
        project / "domain.yml",
        "Let's go through the {checklist_length} conditions",
        "Let's go through the 14 conditions",
    )
    message = only_error(project)
    total = len(condition_keys())
    assert f"'utter_checklist_intro' says 14 conditions, but conditions.yml has {total}" in message


def test_a_red_flag_rule_that_misses_its_own_example_is_named(project):
    rules = project / "bot/nlu/triage/rules/cold_burn.yml"
    edit(rules, 'example: "I think I got frostbite on my toes"', 'example: "my toes are cold"')
    message = only_error(project)
    assert (
        "cold_burn.yml" in message and 'does not find its own example "my toes are cold"' in message
    )


def test_a_broken_rule_phrase_is_explained(project):
    rules = project / "bot/nlu/triage/rules/cold_burn.yml"
    edit(rules, '(burn|burnt) by the cold"', '(burn|burnt by the cold"')
    message = only_error(project)
    assert "cold_burn.yml" in message and "(burn|burnt by the cold" in message


def test_a_rule_file_for_no_category_is_named(project):
    rules = project / "bot/nlu/triage/rules"
    (rules / "cold_burn.yml").rename(rules / "frostbite.yml")
    message = only_error(project)
    assert "'frostbite' is not a category" in message and "categories.yml" in message


def test_a_rule_that_resumes_the_checklist_where_the_reader_ends_it_is_named(project):
    edit(
        project / "data/rules/emergency.yml",
        "  - action: utter_emergency\n  - action: action_deactivate_loop\n  - active_loop: null\n",
        "  - action: utter_emergency\n  - action: checklist_form\n"
        "  - active_loop: checklist_form\n",
    )
    assert "'emergency' should have a rule that ends the checklist" in only_error(project)


def test_an_interruption_without_its_rule_is_named(project):
    edit(project / "data/rules/checklist.yml", "  - intent: bot_challenge\n", "  - intent: greet\n")
    found = errors(project)
    assert any("'bot_challenge' should have a rule that resumes" in e for e in found), found
    assert any("'greet' has a rule, but the checklist reader does not" in e for e in found), found
