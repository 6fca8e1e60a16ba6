"""Free-text checklist answers are read the safe way (bot/shared/checklist_answers.py)."""

import pytest

from bot.shared.checklist_answers import checklist_reading, read_answer
from bot.shared.condition_matcher import ConditionMatcher


@pytest.fixture(scope="module")
def matcher():
    return ConditionMatcher()


def value(matcher, asked, text, intent=None):
    return read_answer(asked, text, intent, matcher).value


@pytest.mark.parametrize(
    "asked, text",
    [
        ("respiratory_illness", "not sure if I have asthma"),
        ("tumor", "I don't know whether I have a tumour"),
        ("anemia", "I think so"),
        ("kidney_disease", "maybe"),
        ("bleeding_disorder", "no idea, never been tested"),
        ("seizure_history", "had a funny turn once, they never found out what it was"),
    ],
)
def test_doubt_beats_a_negation_and_counts_as_yes(matcher, asked, text):
    answer = read_answer(asked, text, None, matcher)
    assert (answer.value, answer.unsure) == (True, True)


@pytest.mark.parametrize("text", ["I don't think so", "not that I know of", "nope"])
def test_a_polite_no_is_a_no(matcher, text):
    assert value(matcher, "stroke_history", text) is False


@pytest.mark.parametrize(
    "asked, text, expected",
    [
        ("under_18", "2", False),
        ("under_18", "1", True),
        ("respiratory_illness", "2", False),
        ("under_18", "17", True),
        ("under_18", "17 and a half", True),
        ("under_18", "turning 18 next month", True),
        ("under_18", "just turned 18", False),
        ("under_18", "no, I'm 42", False),
    ],
)
def test_numbers_are_buttons_and_ages_come_from_the_age_question(matcher, asked, text, expected):
    assert value(matcher, asked, text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes, a heart attack two months ago", True),
        ("last month", True),
        ("yes, back in 2015", False),
        ("I had a car crash years ago but the heart attack was 2 months ago", True),
        ("had one about 4 years ago", False),
    ],
)
def test_a_heart_attack_is_recent_by_its_own_time(matcher, text, expected):
    assert value(matcher, "recent_heart_attack", text) is expected


def test_an_old_heart_attack_is_a_no_and_says_why(matcher):
    answer = read_answer("recent_heart_attack", "yes, back in 2015", None, matcher)
    assert "more than six months ago" in answer.explanation


@pytest.mark.parametrize(
    "asked, text",
    [
        ("high_blood_pressure", "I take a blood pressure tablet"),
        ("bleeding_disorder", "I'm on blood thinners"),
        ("respiratory_illness", "I use an inhaler"),
        ("implants_or_pacemaker", "I have a titanium rod in my back"),
        ("implants_or_pacemaker", "I had a hip replacement"),
    ],
)
def test_a_medicine_or_device_for_the_condition_is_a_yes_and_the_reply_says_why(
    matcher, asked, text
):
    answer = read_answer(asked, text, None, matcher)
    assert answer.value is True
    assert "counted this as a yes to be on the safe side" in answer.explanation


@pytest.mark.parametrize(
    "asked, text, expected",
    [
        ("respiratory_illness", "I've got a chest infection at the moment", True),
        ("high_blood_pressure", "controlled with pills but yes", True),
        ("high_blood_pressure", "nah, my bp is fine", False),
        ("implants_or_pacemaker", "no metal anywhere", False),
        ("anemia", "iron's always been low", True),
        ("stroke_history", "unfortunately not", False),
        ("under_18", "I'm a retired teacher, so definitely not", False),
    ],
)
def test_the_condition_or_its_topic_is_read_with_its_state(matcher, asked, text, expected):
    assert value(matcher, asked, text) is expected


def test_another_condition_named_is_recorded_too(matcher):
    answer = read_answer("anemia", "no, but I do have a pacemaker", None, matcher)
    assert (answer.value, answer.others) == (False, {"implants_or_pacemaker": True})


def test_an_answer_that_says_nothing_is_asked_again(matcher):
    assert value(matcher, "anemia", "banana") is None


@pytest.mark.parametrize(
    "text, intent, taken",
    [
        ("how long is a session?", "faq", False),
        ("stop", "stop", False),
        ("no, my bloods were normal last month", "faq", True),
        ("4 months ago", "faq", True),
        ("2", "faq", True),
    ],
)
def test_an_faq_or_a_request_mid_checklist_is_left_to_the_rules_but_an_answer_is_not(
    matcher, text, intent, taken
):
    assert (checklist_reading("recent_heart_attack", text, intent, matcher) is not None) is taken


@pytest.mark.parametrize(
    "asked, text",
    [
        ("unstable_angina", "what is that? probably not"),
        ("raynauds", "never heard of it, I don't think so"),
        ("kidney_disease", "what does that mean"),
    ],
)
def test_asking_what_the_condition_is_is_doubt_even_with_a_no(matcher, asked, text):
    answer = read_answer(asked, text, None, matcher)
    assert (answer.value, answer.unsure) == (True, True)


@pytest.mark.parametrize(
    "text, under_18",
    [
        ("18 in a couple of weeks", True),
        ("born in june 2010", True),
        ("born in may 2001", False),
        ("I'm a grown-up", False),
        ("an adult obviously lol", False),
        ("I'm filling it in for my boy, he's eleven", True),
        ("fifty-ish", False),
    ],
)
def test_ages_in_words_birth_dates_and_adult_said_plainly(matcher, text, under_18):
    assert value(matcher, "under_18", text) is under_18


def test_a_relatives_condition_after_but_is_a_no_for_the_visitor(matcher):
    assert value(matcher, "tumor", "no, but my aunt had one") is False
    assert value(matcher, "tumor", "no, but I get lumps sometimes") is True  # a sign: doubt


def test_a_precise_old_time_decides_even_beside_a_no(matcher):
    assert value(matcher, "recent_heart_attack", "yes in 2018, nothing since then") is False
    assert value(matcher, "recent_heart_attack", "one in october, none since") is True


def test_nothing_right_before_a_condition_denies_it_only_there(matcher):
    assert value(matcher, "implants_or_pacemaker", "nothing metal inside me") is False
    assert value(matcher, "respiratory_illness", "nothing works for my asthma") is True


@pytest.mark.parametrize(
    "asked, text",
    [
        ("respiratory_illness", "no asthma, but I have copd"),
        ("implants_or_pacemaker", "nothing metal, just a pacemaker"),
        ("bleeding_disorder", "no, but my sister and I both bruise really easily"),
        ("recent_heart_attack", "no, the big one was in 2019 but there was a small one recently"),
    ],
)
def test_a_later_yes_or_a_doubt_is_never_hidden_by_an_earlier_no(matcher, asked, text):
    assert value(matcher, asked, text) is True


@pytest.mark.parametrize("text", ["adult soon", "adult in a few weeks", "Adult? I wish"])
def test_adult_said_of_the_future_is_no_age_and_the_question_is_asked_again(matcher, text):
    # None keeps the form on the age question: never a "no" to being under 18.
    assert value(matcher, "under_18", text) is None


@pytest.mark.parametrize(
    "asked, text, expected",
    [
        ("under_18", "I'm under 18", True),
        ("under_18", "not eighteen yet", True),
        ("under_18", "younger than eighteen", True),
        ("under_18", "I'm not an adult", True),
        ("under_18", "I'm not under 18", False),
        ("recent_heart_attack", "nope, one last month", True),
        ("recent_heart_attack", "I haven't had a heart attack since the one in September", True),
        ("recent_heart_attack", "no heart attack recently", False),
        ("bleeding_disorder", "no, but my sister has one and I bruise a lot too", True),
        ("bleeding_disorder", "no but my mum has it, same as me", True),
        ("high_blood_pressure", "my bp is up a lot but I don't have hypertension", True),
        ("anemia", "my iron is low, not anaemic though", True),
    ],
)
def test_a_yes_or_an_age_under_18_is_never_read_as_no(matcher, asked, text, expected):
    assert value(matcher, asked, text) is expected


def test_fifty_fifty_is_no_age(matcher):
    assert (
        read_answer("respiratory_illness", "I'm fifty fifty on asthma", None, matcher).others.get(
            "under_18"
        )
        is None
    )


@pytest.mark.parametrize(
    "asked, text",
    [
        ("respiratory_illness", "my husband has COPD, I don't have anything like that"),
        ("stroke_history", "my grandad had a stroke, I never have"),
        ("implants_or_pacemaker", "my wife has a pacemaker, not me"),
        ("cardiovascular_disease", "my nan had heart disease but mine's fine"),
    ],
)
def test_a_relatives_condition_is_not_the_visitors_answer(matcher, asked, text):
    assert value(matcher, asked, text) is False


def test_a_relatives_condition_said_of_oneself_too_is_a_yes(matcher):
    assert value(matcher, "respiratory_illness", "my mum has asthma and so do I") is True


@pytest.mark.parametrize(
    "asked, text, expected",
    [
        ("anemia", "I was anaemic years ago, fine ever since", False),
        ("tumor", "tumour no, a cyst yes", False),
        ("high_blood_pressure", "my blood pressure's on the low side if anything", False),
        ("respiratory_illness", "astma", True),
        ("stroke_history", "strok 3 yrs ago", True),
        # A history question: once is still a history, however long ago.
        ("seizure_history", "one fit as a child, nothing since", True),
        ("under_18", "just had my 15th birthday", True),
        ("under_18", "retired lol", False),
        ("under_18", "I'd rather not say", True),
    ],
)
def test_resolved_past_postponed_no_typos_and_ages_said_of_a_life(matcher, asked, text, expected):
    assert value(matcher, asked, text) is expected


def test_a_resolved_past_is_a_no_that_still_sends_it_to_the_doctor(matcher):
    answer = read_answer("anemia", "anaemic when pregnant, fine ever since", None, matcher)
    assert answer.value is False and "tell your doctor" in answer.explanation


@pytest.mark.parametrize(
    "text",
    [
        "not that I know of, haven't had it checked in years",
        "I don't think so... actually they said maybe a small one on my scan",
    ],
)
def test_a_doubt_the_polite_no_cannot_answer_is_a_doubt(matcher, text):
    answer = read_answer("high_blood_pressure", text, None, matcher)
    assert (answer.value, answer.unsure) == (True, True)


def test_a_statement_that_reads_as_yes_or_no_is_the_answer_whatever_the_intent(matcher):
    text = "my hands get cold like anyone's in winter, they never change colour"
    answer = checklist_reading("raynauds", text, "not_covered", matcher)
    assert answer is not None and answer.value is False
