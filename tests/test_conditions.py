import pytest

from bot.shared.ages import answered_age, stated_age
from bot.shared.condition_matcher import ConditionMatcher
from bot.shared.conditions import condition_keys, load_conditions

# The article's conditions, whose keys other systems read in flagged_conditions: none may be
# renamed or dropped without the medical lead; a clinic may add its own after them.
CONTRACT = [
    "respiratory_illness",
    "recent_heart_attack",
    "high_blood_pressure",
    "unstable_angina",
    "cardiovascular_disease",
    "circulatory_disorder",
    "anemia",
    "tumor",
    "stroke_history",
    "seizure_history",
    "raynauds",
    "bleeding_disorder",
    "kidney_disease",
    "implants_or_pacemaker",
    "under_18",
]


@pytest.fixture(scope="module")
def matcher() -> ConditionMatcher:
    return ConditionMatcher()


def found(matcher, text):
    return {(m.key, m.negated) for m in matcher.find(text)}


def test_the_checklist_keeps_the_contract_vocabulary_in_order():
    assert condition_keys()[: len(CONTRACT)] == CONTRACT
    assert all(c.name and c.synonyms for c in load_conditions().values())


@pytest.mark.parametrize(
    "text, key",
    [
        ("I have a pacemaker, can I do cryo?", "implants_or_pacemaker"),
        ("i have a pace maker", "implants_or_pacemaker"),
        ("I've got a metal plate in my leg", "implants_or_pacemaker"),
        ("my doctor says I have hypertension", "high_blood_pressure"),
        ("I have hypertention", "high_blood_pressure"),
        ("I was diagnosed with DVT", "circulatory_disorder"),
        ("I have epilepsy", "seizure_history"),
        ("epilepsey since childhood", "seizure_history"),
        ("yes, I had a stroke in 2019", "stroke_history"),
        ("I suffer from reynauds", "raynauds"),
        ("anaemia", "anemia"),
        ("I have asthma", "respiratory_illness"),
        ("I have hemophilia", "bleeding_disorder"),
        ("chronic kidney disease", "kidney_disease"),
        ("I had a heart attack two months ago", "recent_heart_attack"),
        ("afib", "cardiovascular_disease"),
        ("I have unstable angina", "unstable_angina"),
        ("I had a tumour removed", "tumor"),
    ],
)
def test_conditions_are_recognised_with_synonyms_and_misspellings(matcher, text, key):
    assert (key, False) in found(matcher, text)


@pytest.mark.parametrize(
    "text, key",
    [
        ("I don't have a pacemaker", "implants_or_pacemaker"),
        ("no asthma", "respiratory_illness"),
        ("never had a stroke", "stroke_history"),
        ("I had a heart attack 10 years ago", "recent_heart_attack"),
    ],
)
def test_denied_conditions_are_marked_negated(matcher, text, key):
    assert (key, True) in found(matcher, text)


def test_a_negation_does_not_cross_into_the_next_clause(matcher):
    assert found(matcher, "no asthma but I do have DVT") == {
        ("respiratory_illness", True),
        ("circulatory_disorder", False),
    }


@pytest.mark.parametrize(
    "text",
    [
        "minor back pain",
        "I use a heating pad",
        "I have a kid",
        "how long does a session take?",
        "yes",
    ],
)
def test_ordinary_words_are_not_conditions(matcher, text):
    assert found(matcher, text) == set()


@pytest.mark.parametrize(
    "text, age",
    [
        ("I'm 45", 45),
        ("I am 17 years old", 17),
        ("my 16 year old son", 16),
        ("17 and a half", None),  # a bare number is an age only as an answer to the age question
        ("turning 18 next month", 17.5),
        ("I'm 18 next month", 17.5),
        ("just turned 18", 18),
        ("yes", None),
        ("2", None),
        ("a session is 3 minutes", None),
        ("I had it 10 years ago", None),
    ],
)
def test_only_a_stated_age_is_an_age(text, age):
    assert stated_age(text) == age


@pytest.mark.parametrize(
    "text, age",
    [("17", 17), ("17 and a half", 17.5), ("42", 42), ("no, I'm 30", 30), ("2", None), ("1", None)],
)
def test_an_answer_to_the_age_question_may_be_a_bare_number_but_never_a_button_number(text, age):
    assert answered_age(text) == age


@pytest.mark.parametrize(
    "text, expected",
    [
        ("nah, my bp is fine", {("high_blood_pressure", True)}),
        ("my blood pressure is a bit high", {("high_blood_pressure", False)}),
        ("iron's always been low", {("anemia", False)}),
        ("no metal anywhere", {("implants_or_pacemaker", True)}),
        ("my lungs are fine", {("respiratory_illness", True)}),
        ("I've got a chest infection right now", {("respiratory_illness", False)}),
        (
            "I had a car crash years ago but the heart attack was 2 months ago",
            {("recent_heart_attack", False)},
        ),
    ],
)
def test_a_topic_with_its_state_and_a_heart_attacks_own_time_are_read(matcher, text, expected):
    assert found(matcher, text) == expected


@pytest.mark.parametrize(
    "text, key, treatment",
    [
        ("I take a blood pressure tablet", "high_blood_pressure", "blood pressure tablet"),
        ("on warfarin", "bleeding_disorder", "warfarin"),
        ("I use an inhaler", "respiratory_illness", "inhaler"),
        ("a titanium rod in my spine", "implants_or_pacemaker", "titanium rod"),
        ("I had my hip replaced", "implants_or_pacemaker", "hip replaced"),
        ("tablets for my blood pressure", "high_blood_pressure", "tablets for my blood pressure"),
    ],
)
def test_a_medicine_or_device_implies_its_condition(matcher, text, key, treatment):
    mention = next(m for m in matcher.find(text) if m.key == key)
    assert (mention.negated, mention.implied_by) == (False, treatment)
