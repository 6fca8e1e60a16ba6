import pytest

from bot.shared.conditions import ConditionMatcher, condition_keys, load_conditions, parse_age

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


def test_the_checklist_uses_exactly_the_contract_vocabulary_in_order():
    assert condition_keys() == CONTRACT
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
        ("im only 16", "under_18"),
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
        ("no, I'm 40", "under_18"),
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
        ("17", 17),
        ("I am 17 years old", 17),
        ("my 16 year old son", 16),
        ("yes", None),
        ("I had it 10 years ago", None),
    ],
)
def test_ages_are_read_from_text(text, age):
    assert parse_age(text) == age
