"""The safety check's layers, each on its own: rules, context, the semantic bank, and how the
assessment combines them (the most care wins; the context can set a vote aside)."""

import numpy as np
import pytest

from bot.nlu.care_assessment import CareAssessor, Thresholds
from bot.nlu.emergency_check import PATTERNS, rule_hits
from bot.nlu.red_flag_bank import RedFlagBank, care_levels, read_red_flags
from bot.nlu.red_flag_context import (
    clause_around,
    denied_before,
    reports_now,
    sentences,
    suppression,
)


def categories(text):
    return {hit.category for hit in rule_hits(text)}


@pytest.mark.parametrize(
    "text, category",
    [
        ("I have crushing chest pain", "chest_pain"),
        ("I can't breathe properly", "breathing"),
        ("I've lost control of my bladder since this morning", "cauda_equina"),
        ("my groin and inner thighs have gone numb", "cauda_equina"),
        ("no feeling around my bottom since I woke up", "cauda_equina"),
        ("suddenly I can't move my legs", "leg_weakness"),
        ("my foot drags and I can't lift my toes", "leg_weakness"),
        ("I fell off a ladder and my back is agony", "trauma"),
        ("came off my scooter an hour ago", "trauma"),
        ("a sudden tearing pain through to my back", "aorta"),
        ("one side of her face is drooping", "stroke"),
        ("she fainted in the chamber", "collapse"),
        ("he can't stop shivering since the session", "hypothermia"),
        ("my leg is cold and pale", "circulation"),
        ("I think I got frostbite on my toes", "cold_burn"),
        ("fever after my epidural last week", "infection"),
        ("I had breast cancer and now new back pain at night", "cancer_history"),
        ("losing weight without trying and my back aches", "weight_loss"),
        ("I have a fever and a sore back", "fever"),
        ("I want to kill myself", "suicide"),
        ("thinking about jumping off the bridge", "suicide"),
        ("part of me wants to steer the car into a tree", "suicide"),
        ("I won't be around for much longer, so thank you", "suicide"),
        ("chest has been heavy for an hour", "chest_pain"),
        ("my bladder has suddenly stopped, I try and nothing happens", "cauda_equina"),
        ("tripping over my own foot since lunch", "leg_weakness"),
        ("grandad slipped on the ice and landed on his back", "trauma"),
        ("my triple a is being watched and now sudden pain in my back", "aorta"),
        ("her right arm won't move and she's seeing double", "stroke"),
        ("still shivering all over two hours after the chamber", "hypothermia"),
        ("read this as my final goodbye to everyone", "suicide"),
        ("her foot has been getting weaker since breakfast", "leg_weakness"),
        ("he fell from his horse an hour ago", "trauma"),
        ("sudden crushing pain in her stomach and back, she looks grey", "aorta"),
        ("my mum's face has been drooping since tea time", "stroke"),
        ("so cold after the session and now he's slow to reply", "hypothermia"),
        ("a patch on my heel turned black after the session", "cold_burn"),
        ("had lymphoma and my back has started aching", "cancer_history"),
        ("lost three dress sizes without dieting and my back aches", "weight_loss"),
    ],
)
def test_each_categorys_unmistakable_phrases_are_caught(text, category):
    assert category in categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "will I feel numb afterwards",
        "what are the side effects",
        "how long does a session take",
        "my skin went a bit red",
        "is cryo safe with high blood pressure",
        "I use a heating pad",
        "I've been trying to book online but nothing happens when I click pay",
        "I'm going to run into the sea on boxing day for charity",
        "I won't be around much longer today, the shop shuts at 5",
        "my chest feels a bit tight with this cold",
        "I see double sometimes when I'm really tired",
        "my bladder has stopped bothering me since the tablets",
        "fell backwards onto the sofa laughing",
        "tripped on the kerb yesterday, just bruised, can I still come in?",
    ],
)
def test_ordinary_messages_match_no_rule(text):
    assert categories(text) == set()


def test_every_rule_category_has_its_care_in_red_flags_yml():
    assert set(PATTERNS) <= set(care_levels())
    assert set(care_levels().values()) == {"emergency", "urgent"}


def test_the_bank_has_descriptions_for_every_category_and_near_misses():
    raw = read_red_flags()
    assert all(len(entry["descriptions"]) >= 4 for entry in raw["categories"].values())
    assert len(raw["not_red_flags"]) >= 20


@pytest.mark.parametrize(
    "sentence, category, layer, why",
    [
        ("I fell off my bike as a kid", "trauma", "rules", "past"),
        ("I had a fever last month but I'm fine now", "fever", "rules", "resolved"),
        ("can you faint in the chamber", "collapse", "rules", "general question"),
        ("what if I can't breathe in there", "breathing", "rules", "hypothetical"),
        ("this pain is killing me", "suicide", "semantic", "figure of speech"),
        ("my legs are dead after leg day today", "leg_weakness", "rules", "after exercise"),
        ("my feet go white and cold in winter", "circulation", "rules", "long-standing condition"),
        ("my skin is a bit itchy, is that normal", "cold_burn", "semantic", "mild"),
        ("crashed my car when I was at college, no harm done", "trauma", "rules", "past"),
        ("fainted on a school trip ages ago", "collapse", "rules", "past"),
        ("came off a horse, broke nothing, that was 15 years ago", "trauma", "rules", "past"),
        ("legs are dead from sitting at the desk", "leg_weakness", "semantic", "figure of speech"),
        ("rugby on saturday and my legs feel weak", "leg_weakness", "rules", "after exercise"),
        ("a fever with a urine infection, antibiotics cleared it up", "fever", "rules", "resolved"),
        ("fell off a wall when I was a boy, no issues since then", "trauma", "rules", "resolved"),
    ],
)
def test_the_context_sets_a_vote_aside_and_says_why(sentence, category, layer, why):
    level = care_levels()[category]
    assert suppression(sentence, category, layer=layer, level=level) == why


@pytest.mark.parametrize(
    "sentence, category",
    [
        ("I fell off a ladder years ago and now I can't feel my legs", "leg_weakness"),
        ("I want to end it all lol", "suicide"),  # a rule's words for suicide always stand
        ("this pain is killing me and I want to die", "suicide"),
        ("I had cancer years ago and now my back hurts at night", "cancer_history"),
        ("I have asthma and my inhaler isn't helping", "breathing"),
        # Words that say something is over, or a past time, elsewhere in the sentence do not
        # reach a new event: "nothing since", "cleared by", "it happened when I was ...".
        ("I haven't peed, nothing since this morning, and my legs are numb", "cauda_equina"),
        ("cleared by my GP for cryo but I have crushing chest pain", "chest_pain"),
        ("he warmed up on the bike and then collapsed", "collapse"),
        ("I can't feel my legs, it happened when I was getting out of the car", "leg_weakness"),
        ("my son at college has crushing chest pain", "chest_pain"),
    ],
)
def test_what_is_happening_now_keeps_its_alarm(sentence, category):
    assert suppression(sentence, category, layer="rules") is None


def test_a_question_about_something_reported_in_another_sentence_keeps_its_alarm():
    question = "is it normal to have chest pain after cryo?"
    assert suppression(question, "chest_pain") == "general question"
    assert suppression(question, "chest_pain", reported_elsewhere=True) is None
    # "can cryo cause that?" is about the report; "can cryo cause frostbite?" stays a question.
    back = "my arm and jaw ache with the chest pain, can cryo cause that?"
    assert suppression(back, "chest_pain") == "hypothetical"
    assert suppression(back, "chest_pain", reported_elsewhere=True) is None
    general = "can cryo cause frostbite?"
    assert suppression(general, "cold_burn", reported_elsewhere=True) == "hypothetical"
    assert reports_now("it's happening right now") and not reports_now("do you open today?")
    # A plan for today is no report: "what if this gives me chest pain?" stays a question.
    assert not reports_now("the new class started today")
    assert suppression("what if this gives me chest pain?", "chest_pain", reported_elsewhere=True)


def test_a_sentence_said_to_be_happening_now_is_no_general_question():
    assert suppression("was knocked down by a van 30 mins ago", "trauma") is None
    assert suppression("was the chamber too cold for frostbite?", "cold_burn") == "general question"


def test_a_denied_phrase_and_the_clause_of_a_match_are_read_locally():
    text = "I haven't had a seizure in years"
    assert denied_before(text, text.index("had a seizure"))
    sentence = "I fell off my bike as a kid and now my legs won't hold me"
    assert clause_around(sentence, 2, 6) == "I fell off my bike as a kid"


def test_long_messages_are_read_sentence_by_sentence_to_the_end():
    text = "Hello. " * 300 + "My chest is crushing."
    assert sentences(text)[-1].text == "My chest is crushing."


# ---- the semantic layer and the combination, with a tiny bank in a 3-d space -------------


def unit(*values):
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


SPACE = {
    "red flag": unit(1, 0, 0),
    "near miss": unit(0, 1, 0),
    "close to red": unit(0.9, 0.3, 0),
    "between": unit(0.7, 0.69, 0),
    "far": unit(0, 0, 1),
}


def encode(texts):
    return np.stack([SPACE[t] for t in texts])


@pytest.fixture
def assessor():
    bank = RedFlagBank(
        {"breathing": "emergency", "fever": "urgent"},
        np.stack([SPACE["red flag"], SPACE["near miss"]]),
        ["breathing", ""],
    )
    return CareAssessor(bank, encode, Thresholds(semantic_needs_classifier=0.0))


def test_the_bank_alone_does_not_alarm_on_a_short_message_the_classifier_sees_no_care_in():
    bank = RedFlagBank({"breathing": "emergency"}, np.stack([SPACE["red flag"]]), ["breathing"])
    gated = CareAssessor(bank, encode, Thresholds(semantic_needs_classifier=0.05))
    assert gated.assess("close to red", ranking=[{"name": "faq", "confidence": 0.99}]).level is None
    some_care = [{"name": "faq", "confidence": 0.9}, {"name": "urgent", "confidence": 0.1}]
    assert gated.assess("close to red", ranking=some_care).level == "emergency"


def test_a_sentence_close_to_a_red_flag_and_clear_of_near_misses_is_an_alarm(assessor):
    decision = assessor.assess("close to red")
    assert (decision.level, decision.category, decision.as_output()["layers"]) == (
        "emergency",
        "breathing",
        ["semantic"],
    )


def test_a_sentence_as_close_to_a_near_miss_is_no_alarm_from_the_bank(assessor):
    assert assessor.assess("between").level is None
    assert assessor.assess("far").level is None


def test_the_classifier_alone_can_call_for_care_and_possibly_urgent_is_urgent(assessor):
    sure = assessor.assess("far", ranking=[{"name": "emergency", "confidence": 0.8}])
    possible = assessor.assess(
        "far",
        ranking=[{"name": "emergency", "confidence": 0.2}, {"name": "urgent", "confidence": 0.2}],
    )
    assert (sure.level, possible.level) == ("emergency", "urgent")


def test_when_layers_disagree_the_most_care_wins():
    bank = RedFlagBank({"fever": "urgent"}, np.stack([SPACE["red flag"]]), ["fever"])
    decision = CareAssessor(bank, encode, Thresholds(semantic_needs_classifier=0.0)).assess(
        "red flag", ranking=[{"name": "emergency", "confidence": 0.9}]
    )
    assert decision.level == "emergency"
    assert {v.layer for v in decision.votes} == {"semantic", "classifier"}


def test_exercise_explains_tired_legs_never_chest_pain_or_collapse():
    assert suppression("legs weak after spin class", "leg_weakness", layer="semantic") == (
        "after exercise"
    )
    golf = "grey and sweaty with a weight on his chest while playing golf"
    assert suppression(golf, "chest_pain", layer="semantic") is None
    assert suppression("collapsed at the gym", "collapse", layer="semantic") is None
    assert suppression("collapsed at the gym", "collapse") is None


def rules_level(text):
    """The care the rules layer alone gives a whole message (context included)."""
    votes = CareAssessor(None, None).assess(text).votes
    return {v.level for v in votes}


@pytest.mark.parametrize(
    "text",
    [
        "I won't be here much longer",
        "this is my last message to everyone tonight",
        "I keep thinking about walking into the river",
        "the shivering stopped soon after but I have crushing chest pain",
        "I warmed up with a jog and then got crushing chest pain",
        "the tingling cleared in 10 minutes but I still can't pee",
        "my mum slipped on the ice this morning and can't get up",
        "I fell backwards down the stairs this morning",
        "her left arm won't move since the stroke an hour ago",
        "I keep seeing double after cryo",
        "my chest has been hurting since the session",
        "Is crushing chest pain normal after cryo? It started 20 minutes ago.",
        "I'm in agony right now. Can cryo cause a tearing pain in the back like this?",
        "my legs are going weak and getting worse",
        "I fainted years ago, and today I passed out in the chamber",
        "sudden pain in my stomach going through to my back",
    ],
)
def test_a_current_red_flag_keeps_its_alarm_whatever_else_the_message_says(text):
    assert rules_level(text) & {"emergency", "urgent"}


@pytest.mark.parametrize(
    "text",
    [
        "I won't be around much longer today, the shop shuts at 5",
        "my chest is painful from all the coughing",
        "my bladder has stopped waking me up at night since the tablets",
        "I fell backwards onto the floor laughing",
        "my triple a is small and stable, my GP says it causes no pain",
        "it's cold in the waiting room and I keep nodding off",
        "The new class started today. What if this gives me chest pain?",
        "My first session is today. Is there a risk of frostbite with this?",
    ],
)
def test_ordinary_messages_near_the_new_phrases_get_no_alarm(text):
    assert rules_level(text) == set()
