"""The trained assistant over HTTP: what a visitor (or a client) really gets back."""

import json
import uuid

import pytest
import requests

from bot.shared.conditions import condition_keys
from bot.shared.settings import load_settings
from tests.support.checklist import checklist_length, numbered

SETTINGS = load_settings()  # the clinic's numbers, as the servers read them

pytestmark = pytest.mark.server


def new_sender() -> str:
    return f"visitor-{uuid.uuid4().hex[:10]}"


def post_raw(assistant, data: bytes, content_type="application/json"):
    return requests.post(
        f"{assistant.url}/webhooks/rest/webhook",
        data=data,
        headers={"Content-Type": content_type},
        timeout=30,
    )


def joined(texts):
    return " ".join(texts)


def test_an_faq_is_answered(assistant):
    assert "3 minutes" in joined(assistant.texts(new_sender(), "how long does a session take?"))


def test_the_greeting_says_it_is_not_medical_advice_and_what_to_do_in_an_emergency(assistant):
    text = joined(assistant.texts(new_sender(), "hello"))
    assert "not medical advice" in text and SETTINGS.emergency_number in text


@pytest.mark.parametrize(
    "raw, error",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"message": "hi"}).encode(), '"sender" is required'),
        (json.dumps({"sender": "x", "message": 12345}).encode(), '"message" must be a string'),
        (b'{"sender": "x", "message": "caf\xe9"}', "not valid UTF-8"),
    ],
)
def test_malformed_requests_get_a_400_with_a_json_error(assistant, raw, error):
    response = post_raw(assistant, raw)
    assert response.status_code == 400
    assert error in response.json()["error"]


def test_the_server_keeps_serving_after_bad_requests(assistant):
    for raw in (b"{", b"null", b"\xff\xff"):
        assert post_raw(assistant, raw).status_code == 400
    assert "3 minutes" in joined(assistant.texts(new_sender(), "how many minutes in the chamber"))


def test_an_empty_message_gets_a_gentle_prompt(assistant):
    assert "empty" in joined(assistant.texts(new_sender(), "   "))


@pytest.mark.parametrize("message", ["12345", "😀😀😀"])
def test_numbers_or_emoji_alone_reach_the_fallback(assistant, message):
    assert "say that another way" in joined(assistant.texts(new_sender(), message))


def test_a_very_long_message_is_answered_from_its_start(assistant):
    message = (
        "What are the side effects of cryotherapy? " + "My back has hurt since I moved house. " * 40
    )
    texts = assistant.texts(new_sender(), message)
    assert "numbness" in joined(texts).lower()
    assert "quite long" in texts[-1]


def test_two_misses_in_a_row_offer_the_clinics_contact(assistant):
    sender = new_sender()
    assert "another way" in joined(assistant.texts(sender, "zxqv plor blem"))
    assert SETTINGS.clinic_phone in joined(assistant.texts(sender, "wibble wobble flarn"))


def test_an_emergency_is_sent_to_emergency_care(assistant):
    text = joined(
        assistant.texts(new_sender(), "I suddenly can't feel my legs and I've wet myself")
    )
    assert SETTINGS.emergency_number in text and "emergency room" in text


def test_suicidal_thoughts_get_the_crisis_line_first(assistant):
    text = joined(assistant.texts(new_sender(), "I don't want to live anymore"))
    assert text.startswith("I'm really sorry") and SETTINGS.crisis_line in text


def test_a_red_flag_past_the_first_1000_characters_still_gets_the_emergency_answer(assistant):
    message = (
        "Hi, some background on my back before my question about sessions. "
        "I sit at a desk all day and it aches by the evening. "
        * 12
        + "And since this morning I have no feeling between my legs."
    )
    assert len(message) > 1200
    texts = assistant.texts(new_sender(), message)
    assert SETTINGS.emergency_number in texts[0] and "emergency room" in texts[0]


def test_urgent_symptoms_after_a_session_get_a_doctor_today(assistant):
    text = joined(assistant.texts(new_sender(), "my toes are blistered since my cryo session"))
    assert "doctor's attention today" in text and SETTINGS.emergency_number in text


def test_someone_else_in_trouble_gets_an_answer_for_the_person_helping(assistant):
    text = joined(
        assistant.texts(new_sender(), "my dad collapsed after his session and won't wake up")
    )
    assert "take them to the nearest emergency room" in text and "Stay with them" in text


@pytest.mark.parametrize(
    "message, answered_with",
    [
        # An old injury and a suitability question: the checklist, or the answer offering it.
        ("I fell off my bike as a kid, is cryo ok for me?", "conditions that rule"),
        # A figure of speech and a question: the back-pain answer, then the question's.
        ("this back pain is killing me, how often should I go?", "every three weeks"),
    ],
)
def test_the_past_and_figures_of_speech_raise_no_alarm(assistant, message, answered_with):
    text = joined(assistant.texts(new_sender(), message))
    assert "medical emergency" not in text and "doctor's attention today" not in text
    assert answered_with in text, text


@pytest.mark.parametrize(
    "message, helper",
    [
        ("my back hurts", False),
        ("I hurt my back", False),
        ("ouch my back", False),
        ("my back pain is terrible", False),
        ("my mom's back hurts", True),
    ],
)
def test_plain_back_pain_gets_help_and_the_signs_to_watch_never_an_alarm(
    assistant, message, helper
):
    text = joined(assistant.texts(new_sender(), message))
    assert "medical emergency" not in text and "doctor's attention today" not in text
    assert "I can't assess pain or its cause" in text
    assert ("numbness between their legs" if helper else "numbness between your legs") in text
    emergency_number = SETTINGS.emergency_number
    assert f"call {emergency_number} now" in text.lower() and "may help" in text


def test_back_pain_with_a_question_gets_the_back_pain_answer_and_the_faq_answer(assistant):
    texts = assistant.texts(new_sender(), "my back is killing me, how often should I go?")
    assert "I can't assess pain or its cause" in texts[0]
    assert any("every three weeks" in t for t in texts[1:]), texts


def test_ice_or_heat_at_home_gets_an_honest_answer_and_when_to_see_a_doctor(assistant):
    text = joined(
        assistant.texts(new_sender(), "should I use a hot water bottle or ice on my back?")
    )
    assert "not using ice or heat at home" in text and "pharmacist" in text


def test_every_reply_that_does_not_understand_gives_the_emergency_number(assistant):
    sender = new_sender()
    assert f"If this is an emergency, call {SETTINGS.emergency_number} now." in joined(
        assistant.texts(sender, "zxqv plor")
    )
    assert f"If this is an emergency, call {SETTINGS.emergency_number} now." in joined(
        assistant.texts(sender, "wibble flarn")
    )


@pytest.mark.parametrize(
    "question", ["who invented cryotherapy?", "is there parking at the clinic?"]
)
def test_a_question_no_topic_answers_gets_the_honest_answer(assistant, question):
    text = joined(assistant.texts(new_sender(), question))
    assert text.startswith("I'm sorry, I don't have information on that.")
    assert SETTINGS.clinic_phone in text


def test_a_new_topic_answers_from_the_clinics_settings_and_says_so_when_it_has_none(assistant):
    text = joined(assistant.texts(new_sender(), "what should I do after my session, can I shower?"))
    assert "I don't have this clinic's aftercare instructions" in text


def test_questions_beyond_the_article_go_to_the_doctor(assistant):
    assert "question for your doctor" in joined(
        assistant.texts(new_sender(), "how much ibuprofen should I take?")
    )


def test_the_http_api_needs_the_token(assistant):
    assert requests.get(f"{assistant.url}/conversations/x/tracker", timeout=10).status_code == 401


QUESTION_COUNT = len(condition_keys())


def start_checklist(assistant, sender, opener="can I do cryotherapy?"):
    texts = assistant.texts(sender, opener)
    assert any(f"{checklist_length()} conditions" in t for t in texts)
    return texts


def slots(assistant, sender):
    return assistant.tracker(sender)["slots"]


def test_full_checklist_with_one_condition_through_rest(assistant):
    sender = new_sender()
    texts = start_checklist(assistant, sender)
    assert texts[-1].startswith(numbered(1))
    for number, key in enumerate(condition_keys(), start=1):
        answer = "yes" if key == "high_blood_pressure" else "no"
        texts = assistant.texts(sender, answer)
        if number < QUESTION_COUNT:
            assert texts[-1].startswith(numbered(number + 1)), texts
    assert "You reported high blood pressure" in joined(texts)
    assert texts[-1].endswith("they know your health and can suggest what may help your back.")
    state = slots(assistant, sender)
    assert state["screening_result"] == "contraindicated"
    assert state["flagged_conditions"] == ["high_blood_pressure"]


def test_clear_checklist_with_casual_answers(assistant):
    sender = new_sender()
    start_checklist(assistant, sender, "am I a good candidate for cryo?")
    answers = [
        "nope",
        "no",
        "nah",
        "no",
        "never",
        "nope",
        "no",
        "no",
        "no",
        "nope",
        "no",
        "no",
        "nah",
        "no",
        "no, I'm 45",
    ]
    for answer in answers:
        texts = assistant.texts(sender, answer)
    assert "not a medical clearance" in joined(texts)
    state = slots(assistant, sender)
    assert state["screening_result"] == "clear" and state["flagged_conditions"] == []


def test_condition_stated_up_front_and_in_a_full_sentence(assistant):
    sender = new_sender()
    texts = start_checklist(assistant, sender, "I have a pacemaker, can I do cryo?")
    assert "metal implants or a pacemaker" in joined(texts)
    answers = {"stroke_history": "yes, I had a stroke in 2019"}
    for key in condition_keys():
        if key == "implants_or_pacemaker":
            continue
        texts = assistant.texts(sender, answers.get(key, "no"))
    state = slots(assistant, sender)
    assert state["screening_result"] == "contraindicated"
    assert state["flagged_conditions"] == ["stroke_history", "implants_or_pacemaker"]


def test_the_checklist_says_what_is_kept_before_the_first_question(assistant):
    texts = start_checklist(assistant, new_sender())
    intro = joined(texts[:-1])
    assert "stay in this conversation's record for 30 days" in intro and "delete my data" in intro


def test_free_text_answers_are_read_the_safe_way(assistant):
    sender = new_sender()
    start_checklist(assistant, sender)
    texts = assistant.texts(sender, "not sure if I have asthma")
    assert "count it as a yes to be on the safe side" in joined(texts)
    texts = assistant.texts(sender, "yes, back in 2015")
    assert "more than six months ago" in joined(texts)
    texts = assistant.texts(sender, "I take a blood pressure tablet")
    assert "counted this as a yes" in joined(texts) and texts[-1].startswith(numbered(4))
    state = slots(assistant, sender)
    assert [state[k] for k in condition_keys()[:3]] == [True, False, True]


def test_an_faq_in_the_middle_is_answered_then_the_same_question_asked_again(assistant):
    sender = new_sender()
    start_checklist(assistant, sender)
    assistant.texts(sender, "no")
    texts = assistant.texts(sender, "what are the side effects?")
    assert "numbness" in joined(texts).lower()
    assert texts[-1].startswith(numbered(2))
    assert assistant.texts(sender, "no")[-1].startswith(numbered(3))


def test_stop_leaves_the_checklist_and_chat_goes_on(assistant):
    sender = new_sender()
    start_checklist(assistant, sender)
    assistant.texts(sender, "no")
    assert "stopped the checklist" in joined(assistant.texts(sender, "stop"))
    assert assistant.tracker(sender)["active_loop"] in ({}, None, {"name": None})
    assert "3 minutes" in joined(assistant.texts(sender, "how long does a session take?"))


def test_an_emergency_mid_checklist_is_answered_at_once(assistant):
    sender = new_sender()
    start_checklist(assistant, sender)
    text = joined(assistant.texts(sender, "I have crushing chest pain right now"))
    assert SETTINGS.emergency_number in text
    assert assistant.tracker(sender)["active_loop"] in ({}, None, {"name": None})


def test_yes_after_the_safety_answer_starts_the_checklist(assistant):
    sender = new_sender()
    assert "check if I can do it" in joined(assistant.texts(sender, "is cryotherapy safe?"))
    texts = assistant.texts(sender, "yes please")
    assert any(f"{checklist_length()} conditions" in t for t in texts) and texts[-1].startswith(
        numbered(1)
    )


def test_checklist_questions_offer_yes_no_buttons(assistant):
    replies = assistant.say(new_sender(), "check if it's safe for me")
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/affirm", "/deny"]


@pytest.mark.parametrize(
    "answer, value",
    [
        ("yep", True),
        ("yeah", True),
        ("sure", True),
        ("I do", True),
        ("yes I have", True),
        ("nope", False),
        ("nah", False),
        ("no I don't", False),
        ("not that I know of", False),
        ("never", False),
        ("I don't have that", False),
    ],
)
def test_everyday_yes_and_no_answer_the_question(assistant, answer, value):
    sender = new_sender()
    start_checklist(assistant, sender)
    texts = assistant.texts(sender, answer)
    assert texts[-1].startswith(numbered(2)), texts
    assert slots(assistant, sender)["respiratory_illness"] is value


@pytest.mark.parametrize("answer", ["cancel", "quit", "I want to stop"])
def test_other_ways_to_stop(assistant, answer):
    sender = new_sender()
    start_checklist(assistant, sender)
    assert "stopped the checklist" in joined(assistant.texts(sender, answer))


def test_an_answer_that_is_not_yes_or_no_is_asked_again(assistant):
    sender = new_sender()
    start_checklist(assistant, sender)
    texts = assistant.texts(sender, "purple elephants")
    assert "yes or a no" in joined(texts) and texts[-1].startswith(numbered(1))


def test_ordinary_numbness_question_is_not_an_emergency(assistant):
    text = joined(assistant.texts(new_sender(), "will I feel numb afterwards"))
    assert "emergency room" not in text and "numbness" in text.lower()
