import pytest

from bot.nlu.emergency_check import MEDICAL, SUICIDE, emergency_kind


@pytest.mark.parametrize(
    "text",
    [
        "I have crushing chest pain",
        "my chest feels tight and I'm sweating",
        "I can't breathe properly",
        "I've lost control of my bladder since this morning",
        "my groin and inner thighs have gone numb",
        "saddle numbness and back pain",
        "suddenly I can't move my legs",
        "my legs keep giving way",
        "I fell off a ladder and my back is agony",
        "I was in a car accident an hour ago and my back hurts",
        "I have a fever and terrible back pain",
        "my leg is cold and pale",
    ],
)
def test_medical_emergencies_are_caught(text):
    assert emergency_kind(text) == MEDICAL


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "I've been thinking about suicide",
        "I don't want to live anymore",
        "thinking about ending it all",
        "I keep hurting myself",
    ],
)
def test_suicidal_thoughts_are_caught_as_their_own_kind(text):
    assert emergency_kind(text) == SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "will I feel numb afterwards",
        "is tingling in my legs after the session normal?",
        "is the cold hard to breathe in",
        "can a car accident cause back pain years later",
        "does cryotherapy help with pain after a fall",
        "what are the side effects",
        "is cryo safe with high blood pressure",
        "how long does a session take",
        "will my skin go red",
        "can cryotherapy cause chest pain",
    ],
)
def test_ordinary_questions_raise_no_alarm(text):
    assert emergency_kind(text) is None
