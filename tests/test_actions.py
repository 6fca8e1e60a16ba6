"""Custom actions with rasa-sdk's real CollectingDispatcher and Tracker, and the real domain."""

import pytest
from rasa_sdk.events import (
    ActionExecuted,
    FollowupAction,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)

from actions.back_pain import ActionBackPainReport
from actions.checklist import (
    CHECKLIST_OFFER,
    ActionAcceptOffer,
    ActionScreeningSummary,
    ActionStartChecklist,
    ValidateChecklistForm,
)
from actions.fallback import ActionFallback
from actions.session import ActionSessionStart
from bot.shared.conditions import condition_keys
from bot.shared.settings import load_settings
from tests.conftest import condition_entity, user_message
from tests.support.checklist import checklist_length

SETTINGS = load_settings()  # the clinic's numbers, as the servers read them


def responses(dispatcher):
    return [m.get("response") or m.get("text") for m in dispatcher.messages]


async def test_session_start_puts_the_clinic_settings_in_slots(
    dispatcher, make_tracker, domain, monkeypatch
):
    monkeypatch.setenv("CLINIC_PHONE", "555 0000")
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain)
    assert events[0] == SessionStarted()
    assert SlotSet("clinic_phone", "555 0000") in events
    assert SlotSet("emergency_number", SETTINGS.emergency_number) in events
    assert events[-1] == ActionExecuted("action_listen")


async def test_starting_the_checklist_clears_old_answers(dispatcher, make_tracker, domain):
    tracker = make_tracker(
        slots={"anemia": True, "screening_result": "contraindicated"},
        latest=user_message("can I do cryo?", "check_eligibility"),
    )
    events = await ActionStartChecklist().run(dispatcher, tracker, domain)
    assert events == [SlotSet(k, None) for k in condition_keys()] + [
        SlotSet("screening_result", None),
        SlotSet("flagged_conditions", None),
    ]
    assert responses(dispatcher) == ["utter_checklist_intro"]


async def test_a_condition_stated_up_front_is_kept_and_acknowledged(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        latest=user_message(
            "I have a pacemaker, can I do cryo?",
            "check_eligibility",
            [condition_entity("implants_or_pacemaker")],
        )
    )
    events = await ActionStartChecklist().run(dispatcher, tracker, domain)
    assert SlotSet("implants_or_pacemaker", True) in events
    assert responses(dispatcher) == [
        "utter_checklist_intro",
        "You mentioned metal implants or a pacemaker: I've noted that. Now the other questions.",
    ]


async def test_a_typed_intent_with_a_list_as_entity_value_is_ignored_not_a_crash(
    dispatcher, make_tracker, domain
):
    injected = {
        "entity": "condition",
        "value": [["tumor"]],
    }  # '/check_eligibility{"condition":[[..]]}'
    tracker = make_tracker(
        latest=user_message("/check_eligibility", "check_eligibility", [injected])
    )
    events = await ActionStartChecklist().run(dispatcher, tracker, domain)
    assert [e for e in events if e["value"] is not None] == []
    assert responses(dispatcher) == ["utter_checklist_intro"]


async def run_validation(dispatcher, make_tracker, domain, asked, message, slots=None):
    tracker = make_tracker(
        slots={"requested_slot": asked, **(slots or {})},
        latest=message,
        active_loop="checklist_form",
    )
    return await ValidateChecklistForm().run(dispatcher, tracker, domain)


@pytest.mark.parametrize(
    "text, intent, value",
    [
        ("yep", "affirm", True),
        ("nope", "deny", False),
        ("mhm", "affirm", True),
        ("nah", None, False),
    ],
)
async def test_yes_and_no_answer_the_question_asked(
    dispatcher, make_tracker, domain, text, intent, value
):
    events = await run_validation(
        dispatcher, make_tracker, domain, "anemia", user_message(text, intent)
    )
    assert events == [SlotSet("anemia", value)]
    assert dispatcher.messages == []


async def test_not_sure_counts_as_yes_and_says_so(dispatcher, make_tracker, domain):
    events = await run_validation(
        dispatcher, make_tracker, domain, "tumor", user_message("not sure", "unsure")
    )
    assert events == [SlotSet("tumor", True)]
    assert responses(dispatcher) == ["utter_checklist_unsure"]


async def test_a_yes_naming_the_condition_flags_it(dispatcher, make_tracker, domain):
    message = user_message(
        "yes, I had a stroke in 2019", "affirm", [condition_entity("stroke_history")]
    )
    events = await run_validation(dispatcher, make_tracker, domain, "stroke_history", message)
    assert events == [SlotSet("stroke_history", True)]


async def test_another_condition_named_mid_checklist_is_recorded_and_the_question_kept(
    dispatcher, make_tracker, domain
):
    message = user_message(
        "I have a pacemaker", "inform_condition", [condition_entity("implants_or_pacemaker")]
    )
    events = await run_validation(dispatcher, make_tracker, domain, "kidney_disease", message)
    # The pacemaker is recorded; the kidney question stays open and is asked again.
    assert events == [SlotSet("implants_or_pacemaker", True), SlotSet("kidney_disease", None)]


async def test_an_age_answers_the_under_18_question(dispatcher, make_tracker, domain):
    message = user_message("no, I'm 40", "deny", [condition_entity("under_18", negated=True)])
    events = await run_validation(dispatcher, make_tracker, domain, "under_18", message)
    assert events == [SlotSet("under_18", False)]


async def test_an_answer_that_is_not_yes_or_no_is_asked_again(dispatcher, make_tracker, domain):
    events = await run_validation(
        dispatcher, make_tracker, domain, "anemia", user_message("purple", "nlu_fallback")
    )
    assert events == [SlotSet("anemia", None)]
    assert responses(dispatcher) == ["utter_checklist_answer_yes_no"]


async def test_summary_with_no_condition_is_clear_but_not_a_clearance(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(slots={k: False for k in condition_keys()})
    events = await ActionScreeningSummary().run(dispatcher, tracker, domain)
    assert events == [SlotSet("screening_result", "clear"), SlotSet("flagged_conditions", [])]
    text = dispatcher.messages[0]["text"]
    assert f"didn't report any of the {checklist_length()} conditions" in text
    assert "not a medical clearance" in text
    assert text.endswith(
        "please talk to your doctor: only they can say whether cryotherapy is " "right for you."
    )


async def test_summary_names_flagged_conditions_in_plain_words(dispatcher, make_tracker, domain):
    slots = {k: False for k in condition_keys()}
    slots.update(high_blood_pressure=True, under_18=True)
    events = await ActionScreeningSummary().run(dispatcher, make_tracker(slots=slots), domain)
    assert events == [
        SlotSet("screening_result", "contraindicated"),
        SlotSet("flagged_conditions", ["high_blood_pressure", "under_18"]),
    ]
    text = dispatcher.messages[0]["text"]
    assert "Whole-body cryotherapy is not for anyone under 18, so please don't book" in text
    assert (
        "You reported high blood pressure. Whole-body cryotherapy is not recommended for "
        "people with this condition." in text
    )
    assert text.endswith(
        "Please talk to your doctor: they know your health and can suggest what "
        "may help your back."
    )


async def test_a_recent_heart_attack_or_unstable_angina_means_seeing_the_doctor_soon(
    dispatcher, make_tracker, domain
):
    slots = {k: False for k in condition_keys()}
    slots.update(recent_heart_attack=True, unstable_angina=True, anemia=True)
    await ActionScreeningSummary().run(dispatcher, make_tracker(slots=slots), domain)
    text = dispatcher.messages[0]["text"]
    assert (
        "With a heart attack in the past six months and unstable angina, please see your "
        "doctor soon, not only before booking."
    ) in text
    assert text.endswith("can suggest what may help your back.")


async def test_a_medicine_for_the_asked_condition_is_a_yes_and_the_visitor_is_told_why(
    dispatcher, make_tracker, domain
):
    message = user_message("I take tablets for my blood pressure", "inform_condition")
    events = await run_validation(dispatcher, make_tracker, domain, "high_blood_pressure", message)
    assert events == [SlotSet("high_blood_pressure", True)]
    assert dispatcher.messages[0]["text"].startswith(
        'You mentioned "tablets for my blood pressure", which is used for or linked to high '
        "blood pressure, so I've counted this as a yes to be on the safe side."
    )


async def test_an_faq_mid_checklist_is_left_to_the_rules(dispatcher, make_tracker, domain):
    message = user_message("how long does a session take?", "faq")
    assert await run_validation(dispatcher, make_tracker, domain, "anemia", message) == []


def bot_event(utter_action):
    return {"event": "bot", "text": "...", "metadata": {"utter_action": utter_action}}


def user_event(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def answers_offering_the_checklist(domain):
    return sorted(
        name
        for name, variants in domain["responses"].items()
        if any(CHECKLIST_OFFER in (v.get("text") or "") for v in variants)
    )


async def test_yes_after_any_answer_that_offers_the_checklist_starts_it(
    dispatcher, make_tracker, domain
):
    offering = answers_offering_the_checklist(domain)
    assert "utter_faq/is_it_safe" in offering and "utter_help" in offering
    for answer in offering:
        events = [user_event("tell me", "faq"), bot_event(answer), user_event("yes", "affirm")]
        tracker = make_tracker(events=events, latest=user_message("yes", "affirm"))
        assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == [
            FollowupAction("action_start_checklist")
        ], answer


async def test_yes_after_an_answer_without_an_offer_does_not_start_it(
    dispatcher, make_tracker, domain
):
    events = [
        user_event("how long?", "faq"),
        bot_event("utter_faq/how_long"),
        user_event("yes", "affirm"),
    ]
    tracker = make_tracker(events=events, latest=user_message("yes", "affirm"))
    assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_no_problem"]


async def test_first_miss_asks_to_rephrase_second_offers_the_clinic(
    dispatcher, make_tracker, domain
):
    first = make_tracker(events=[user_event("asdf", "nlu_fallback")])
    assert await ActionFallback().run(dispatcher, first, domain) == [UserUtteranceReverted()]
    second = make_tracker(
        events=[
            user_event("asdf", "nlu_fallback"),
            bot_event("utter_ask_rephrase"),
            {"event": "rewind"},
            user_event("qwer", "nlu_fallback"),
        ]
    )
    await ActionFallback().run(dispatcher, second, domain)
    assert responses(dispatcher) == ["utter_ask_rephrase", "utter_fallback_contact"]


async def test_a_miss_after_an_understood_message_starts_counting_again(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        events=[
            user_event("asdf", "nlu_fallback"),
            user_event("hi", "greet"),
            user_event("qwer", "nlu_fallback"),
        ]
    )
    await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ask_rephrase"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("what are the side effects?", "faq"),
        ("stop", "stop"),
        ("I can't breathe", "emergency"),
        ("talk to a person", "human_handoff"),
    ],
)
async def test_interruptions_are_left_to_the_rules(dispatcher, make_tracker, domain, text, intent):
    assert (
        await run_validation(dispatcher, make_tracker, domain, "anemia", user_message(text, intent))
        == []
    )
    assert dispatcher.messages == []


@pytest.mark.parametrize("text, value", [("1", True), ("2", False), ("1)", True)])
async def test_numbered_options_answer_the_question(dispatcher, make_tracker, domain, text, value):
    events = await run_validation(
        dispatcher, make_tracker, domain, "anemia", user_message(text, "nlu_fallback")
    )
    assert events == [SlotSet("anemia", value)]


def report_message(open_set, ranking):
    message = user_message("my back is killing me, which chair should I buy?", "back_pain_report")
    message["open_set"] = open_set
    message["intent_ranking"] = [{"name": name, "confidence": c} for name, c in ranking]
    return message


@pytest.mark.parametrize(
    "open_set, ranking, then",
    [
        (
            {"topic": "faq/how_often", "covered": True},
            [("back_pain_report", 1.0), ("faq", 0.9)],
            "utter_faq/how_often",
        ),
        (
            {"topic": "faq/benefits", "covered": False},
            [("back_pain_report", 1.0), ("not_covered", 0.8), ("faq", 0.2)],
            "utter_not_covered",
        ),
        # No topic is sure, but the classifier read a question about cryotherapy: no wrong "I
        # don't have that", just the report and what it offers.
        ({"topic": "faq/benefits", "covered": False}, [("faq", 0.7), ("not_covered", 0.3)], None),
        ({}, [("back_pain_report", 1.0)], None),
    ],
)
async def test_a_back_pain_report_then_answers_its_question_or_says_honestly_it_cannot(
    dispatcher, make_tracker, domain, open_set, ranking, then
):
    tracker = make_tracker(latest=report_message(open_set, ranking))
    await ActionBackPainReport().run(dispatcher, tracker, domain)
    said = [m["response"] for m in dispatcher.messages]
    assert said == ["utter_back_pain_report"] + ([then] if then else [])
