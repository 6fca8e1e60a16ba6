"""The content contracts: FAQ catalogue, checklist questions, answer length and wording."""

import re
from pathlib import Path

import pytest
import yaml

from actions.checklist import CHECKLIST_OFFER
from bot.shared.conditions import condition_keys
from bot.shared.settings import ClinicSettings
from bot.staff.checklist_domain import LENGTH_SLOT
from bot.staff.content_checks import MAX_ANSWER_WORDS, MIN_TOPIC_EXAMPLES

ROOT = Path(__file__).resolve().parent.parent


def filled_in() -> dict:
    """What the answers' placeholders become: the clinic's settings and the checklist's length."""
    return {**ClinicSettings().as_slots(), LENGTH_SLOT: str(len(condition_keys()))}


def examples_by_intent(path: Path):
    blocks = yaml.safe_load(path.read_text())["nlu"]
    return {
        b["intent"]: [line.strip()[2:] for line in b["examples"].splitlines() if line.strip()]
        for b in blocks
    }


def faq_examples():
    return examples_by_intent(ROOT / "data/nlu/faq.yml")


def faq_answers():
    return yaml.safe_load((ROOT / "data/responses/faq.yml").read_text())["responses"]


def catalogue():
    """The FAQ topics: those with training examples."""
    return sorted(intent.removeprefix("faq/") for intent in faq_examples())


def test_every_catalogue_topic_has_examples_and_an_answer():
    assert catalogue(), "data/nlu/faq.yml has no topics"
    assert sorted(faq_answers()) == [f"utter_faq/{k}" for k in catalogue()]


def test_every_topic_has_the_training_examples_the_content_checks_ask_for():
    short = {k: len(v) for k, v in faq_examples().items() if len(v) < MIN_TOPIC_EXAMPLES}
    assert short == {}


def test_every_held_out_topic_has_enough_questions_to_measure():
    heldout = yaml.safe_load((ROOT / "tests/heldout/questions.yml").read_text())
    assert set(heldout["faq"]) <= set(catalogue())
    visitors = yaml.safe_load((ROOT / "tests/heldout/visitor_questions.yml").read_text())
    assert set(visitors["faq"]) <= set(catalogue())
    assert all(len(qs) >= 8 for qs in [*heldout["faq"].values(), *visitors["faq"].values()])
    assert sum(len(qs) for qs in visitors["not_covered"].values()) >= 60


def all_texts(domain):
    for name, variants in {**domain["responses"], **faq_answers()}.items():
        for variant in variants:
            yield name, variant["text"]


def test_answers_are_chat_sized_and_plain(domain):
    settings = filled_in()
    for name, text in all_texts(domain):
        # Under the limit with the clinic's settings written in, as the visitor reads it.
        assert len(text.format(**settings).split()) < MAX_ANSWER_WORDS, name
        assert "**" not in text and not re.search(r"^\s*[-*#] ", text, re.M), name


def test_answers_use_only_placeholders_the_clinic_settings_fill(domain):
    known = set(filled_in())
    for name, text in all_texts(domain):
        assert set(re.findall(r"{(\w+)}", text)) <= known, name


def test_answers_correct_the_articles_errors_and_overclaims():
    answers = {k: v[0]["text"] for k, v in faq_answers().items()}
    assert (
        "narrow" in answers["utter_faq/how_it_works"]
        and "widen" in answers["utter_faq/how_it_works"]
    )
    assert "3 minutes" in answers["utter_faq/how_long"]
    assert "20 minutes" in answers["utter_faq/when_relief_starts"]
    assert "2 to 3 weeks" in answers["utter_faq/how_long_relief_lasts"]
    assert "80%" in answers["utter_faq/about_back_pain"]
    assert "six weeks" in answers["utter_faq/about_back_pain"]
    for text in answers.values():
        assert not re.search(r"\b(cures|will cure|eliminates)\b", text, re.I)
    assert "anemia, tumors" in answers["utter_faq/contraindications"]
    for key in ("utter_faq/is_it_safe", "utter_faq/contraindications"):
        assert CHECKLIST_OFFER in answers[key]


def test_every_checklist_condition_has_a_yes_no_question_and_a_slot(domain):
    keys = condition_keys()
    assert domain["forms"]["checklist_form"]["required_slots"] == keys
    assert domain["slots"][LENGTH_SLOT]["initial_value"] == str(len(keys))
    for number, key in enumerate(keys, start=1):
        ask = domain["responses"][f"utter_ask_{key}"][0]
        assert ask["text"].startswith(f"({number}/{len(keys)}) ")
        assert [b["payload"] for b in ask["buttons"]] == ["/affirm", "/deny"]
        assert domain["slots"][key]["type"] == "bool"


def test_every_trained_component_has_a_random_seed():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    seeds = {
        "LogisticRegressionClassifier": "random_state",
        "ResponseSelector": "random_seed",
        "DIETClassifier": "random_seed",
        "TEDPolicy": "random_seed",
        "bot.nlu.intent_classifier.IntentClassifierLR": "random_state",
        "bot.nlu.faq_selector.FaqResponseSelector": "random_state",
    }
    for component in config["pipeline"] + config["policies"]:
        if component["name"] in seeds:
            assert seeds[component["name"]] in component, component["name"]


@pytest.mark.parametrize(
    "response", ["utter_ask_rephrase", "utter_fallback_contact", "utter_default"]
)
def test_every_reply_that_does_not_understand_gives_the_emergency_number(domain, response):
    for variant in domain["responses"][response]:
        assert "If this is an emergency, call {emergency_number} now." in variant["text"]


def test_the_channels_own_apologies_give_the_emergency_number_too():
    from bot.channels.rest import FAILURE_REPLY, RATE_LIMITED_REPLY

    assert "{emergency_number}" in RATE_LIMITED_REPLY and "{emergency_number}" in FAILURE_REPLY


def test_each_level_of_care_has_its_answer_for_the_visitor_and_for_the_person_helping(domain):
    kinds = {
        "utter_emergency": {"suicide", "suicide_for_someone_else", "medical_for_someone_else"},
        "utter_urgent": {"urgent_for_someone_else"},
    }
    for response, conditional in kinds.items():
        variants = domain["responses"][response]
        assert {c["value"] for v in variants for c in v.get("condition", [])} == conditional
        assert all("{emergency_number}" in v["text"] for v in variants)
        assert any("condition" not in v for v in variants)  # the visitor's own, by default


def test_answers_state_as_claims_what_the_article_only_claims():
    answers = {k: v[0]["text"] for k, v in faq_answers().items()}
    joined = " ".join(answers.values())
    assert "generally considered safe" not in joined
    assert "National Institute" not in joined  # the article's misattribution is not repeated
    assert "shorter time" not in joined and "much colder temperature" not in joined
    assert "find the cause" not in joined
    assert (
        "have had a heart attack in the past six months" in answers["utter_faq/contraindications"]
    )
    assert "Trained health professionals run the sessions" not in joined
    assert (
        "The article says it should be given by trained health professionals"
        in answers["utter_faq/what_is_cryotherapy"]
    )


@pytest.mark.parametrize(
    "topic, setting",
    [
        ("aftercare", "aftercare"),
        ("chamber_temperature", "chamber"),
        ("booking", "prices"),
        ("booking", "insurance"),
        ("booking", "gift_cards"),
        ("what_to_wear", "protective_items"),
        ("session_walkthrough", "session_staff"),
    ],
)
def test_clinic_facts_come_from_the_clinics_settings_with_honest_defaults(topic, setting):
    assert f"{{{setting}}}" in faq_answers()[f"utter_faq/{topic}"][0]["text"]
    default = getattr(ClinicSettings(), setting)
    assert re.search(r"I don't|[Aa]sk the clinic|check with|ask the staff", default), setting


def test_the_honest_answer_says_it_does_not_know_and_where_to_ask(domain):
    text = domain["responses"]["utter_not_covered"][0]["text"]
    assert text.startswith("I'm sorry, I don't have information on that.")
    assert "{clinic_phone}" in text and "doctor" in text and "{emergency_number}" in text
