"""Triage's parts, each on its own: the rules as data, the words they read, the units a
message is judged in, the context, and how the assessment combines the layers."""

import numpy as np
import pytest
import yaml

from bot.nlu.triage.assessment import CareAssessor, Thresholds, TriageModel, decide
from bot.nlu.triage.bank import (
    CATEGORIES_FILE,
    RedFlagBank,
    care_levels,
    needs_one_of,
    read_red_flags,
)
from bot.nlu.triage.context import (
    clause_around,
    denied_before,
    recurring,
    reports_now,
    suppression,
)
from bot.nlu.triage.examples import TRIAGE_DATA, TriageExample, read_examples, training_units
from bot.nlu.triage.rules import RULES_FOLDER, PhraseError, RuleBook, compile_phrase
from bot.nlu.triage.words import Lemmatizer
from bot.shared.text import is_question, sentences, units


@pytest.fixture(scope="module")
def book():
    return RuleBook.load()


def categories(book, text):
    return {hit.category for hit in book.hits(text)}


# ---- the rules, as a clinician writes them --------------------------------------------------


def test_every_rule_finds_its_own_example_and_none_of_its_counter_examples(book):
    missed = [
        (r.category, r.phrase)
        for r in book.rules
        if r.phrase not in {h.phrase for h in book.hits(r.example) if h.category == r.category}
    ]
    over = [
        (r.category, s) for r in book.rules for s in r.not_for if r.category in categories(book, s)
    ]
    assert (missed, over) == ([], [])


def test_every_category_has_rules_prototypes_examples_and_a_level():
    levels = care_levels()
    assert set(levels.values()) == {"emergency", "urgent"}
    assert {p.stem for p in RULES_FOLDER.glob("*.yml")} == set(levels)
    assert set(read_red_flags()["categories"]) == set(levels)
    examples = read_examples()
    for category, level in levels.items():
        own = [e for e in examples if e.category == category]
        assert len(own) >= 50 and {e.level for e in own} == {level}, category
    assert len(read_red_flags()["not_red_flags"]) >= 20


@pytest.mark.parametrize(
    "text, category",
    [
        ("I have crushing chest pain", "chest_pain"),
        ("tightness across my chest since I sat down", "chest_pain"),
        ("I can't breathe properly", "breathing"),
        ("I've lost control of my bladder since this morning", "cauda_equina"),
        ("my groin and inner thighs have gone numb", "cauda_equina"),
        ("he peed himself and didn't notice", "cauda_equina"),
        ("suddenly I can't move my legs", "leg_weakness"),
        ("her foot flops when she walks", "leg_weakness"),
        ("I fell off a ladder and my back is agony", "trauma"),
        ("came off my mountain bike at speed this morning", "trauma"),
        ("a sudden tearing pain through to my back", "aorta"),
        ("one side of her face is drooping", "stroke"),
        ("she fainted in the chamber", "collapse_in_session"),
        ("he can't stop shaking since the session", "hypothermia"),
        ("my leg is cold and pale", "cold_limb"),
        ("I think I got frostbite on my toes", "cold_burn"),
        ("raised itchy welts all over my arms after the chamber", "cold_reaction"),
        ("fever after my epidural last week", "infection_after_procedure"),
        ("I had breast cancer and now new back pain at night", "cancer_history"),
        ("losing weight without trying and my back aches", "weight_loss"),
        ("I have a fever and a sore back", "fever_back_pain"),
        ("I want to kill myself", "suicide"),
        ("my husband says he wants to die", "suicide"),
        ("my mum doesn't want to be here anymore", "suicide"),
        ("she thinks everyone would be better off without her", "suicide"),
    ],
)
def test_each_categorys_red_flags_are_found_in_any_form_of_their_words(book, text, category):
    assert category in categories(book, text)


@pytest.mark.parametrize(
    "text",
    [
        "will I feel numb afterwards",
        "how long does a session take",
        "my skin went a bit red",
        "is cryo safe with high blood pressure",
        "I've been trying to book online but nothing happens when I click pay",
        "I won't be around much longer today, the shop shuts at 5",
        "fell backwards onto the sofa laughing",
        "my back is killing me",
        "Is there a risk of frostbite?",
        "I have black skin, is the cold ok for me?",
        "does cryotherapy help a burning sciatica?",
    ],
)
def test_ordinary_messages_match_no_rule(book, text):
    assert categories(book, text) == set()


def test_a_phrase_matches_every_form_of_its_words_and_mends_close_misspellings():
    lemmatizer = Lemmatizer()
    lemmatizer.known_words(["bladder", "control"])
    pattern = compile_phrase("lose control of [my|his|her] bladder|bowel", lemmatizer)
    text = (
        " " + " ".join(w.lemma for w in lemmatizer.words("he lost controll of his bladdar")) + " "
    )
    assert pattern.search(text)
    assert [w.lemma for w in lemmatizer.words("she wants to die")] == ["she", "want", "to", "die"]
    assert [w.lemma for w in lemmatizer.words("cant")] == ["can", "not"]
    assert lemmatizer._mended("wants") is None  # a real word is never "mended"


def test_groups_nest_and_a_broken_phrase_is_explained():
    lemmatizer = Lemmatizer()
    pattern = compile_phrase("(new [back|lower back] pain|pain at night) ... cancer", lemmatizer)

    def lemmas(text):
        return " " + " ".join(w.lemma for w in lemmatizer.words(text)) + " "

    assert pattern.search(lemmas("new lower back pain since my cancer"))
    assert pattern.search(lemmas("pain at night and cancer"))
    assert not pattern.search(lemmas("new pain in my knee since the fall"))
    for broken in ("(can not pee", "pee |", "[]"):
        with pytest.raises(PhraseError):
            compile_phrase(broken, lemmatizer)


def test_every_rule_file_is_plain_yaml_with_a_comment_saying_what_it_catches():
    for path in RULES_FOLDER.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), path.name
        assert all("example" in rule for rule in yaml.safe_load(text)["rules"]), path.name


# ---- units: what a message is judged in ---------------------------------------------------


def test_a_short_report_followed_by_a_question_is_judged_in_its_two_clauses():
    kinds = [(u.kind, u.text) for u in units("my back is killing me, how often should I go?")]
    assert ("clause", "my back is killing me") in kinds
    assert [u.kind for u in units("how long is a session, and what should I wear?")] == ["sentence"]


def test_a_message_is_judged_by_sentence_clause_of_a_run_on_and_two_sentences_in_a_row():
    text = (
        "Had kidney cancer removed two years ago. New back pain that keeps me awake at night "
        "and it is worse when I lie down, can I book?"
    )
    kinds = [(u.kind, u.text) for u in units(text)]
    assert kinds[0] == ("sentence", "Had kidney cancer removed two years ago.")
    assert ("clause", "can I book?") in kinds
    assert kinds[-1][0] == "pair" and kinds[-1][1] == text
    assert sentences("Hello. " * 300 + "My chest is crushing.")[-1].text == "My chest is crushing."
    assert is_question("is it just nerves?") and not is_question("my chest is tight")


# ---- the context, judged on the clause a vote came from -----------------------------------


@pytest.mark.parametrize(
    "sentence, category, layer, why",
    [
        ("I fell off my bike as a kid", "trauma", "rules", "past"),
        ("I had a fever last month but I'm fine now", "fever_back_pain", "rules", "resolved"),
        ("can you faint in the chamber", "collapse_in_session", "rules", "general question"),
        ("what if I can't breathe in there", "breathing", "rules", "hypothetical"),
        ("this pain is killing me", "suicide", "semantic", "figure of speech"),
        ("my legs are dead after leg day today", "leg_weakness", "rules", "after exercise"),
        ("my feet go white and cold in winter", "cold_limb", "rules", "long-standing condition"),
        ("my skin is a bit itchy, is that normal", "cold_reaction", "semantic", "mild"),
        ("came off a horse, broke nothing, that was 15 years ago", "trauma", "rules", "past"),
        ("got knocked off my bike at uni, nothing broken, 20 years ago", "trauma", "rules", "past"),
        ("I have a plate and screws in my ankle from a skiing accident", "trauma", "rules", "past"),
    ],
)
def test_the_context_sets_a_vote_aside_and_says_why(sentence, category, layer, why):
    assert suppression(sentence, category, layer=layer, level=care_levels()[category]) == why


@pytest.mark.parametrize(
    "sentence, category",
    [
        ("I want to end it all lol", "suicide"),
        ("I had cancer years ago and now my back hurts at night", "cancer_history"),
        ("cleared by my GP for cryo but I have crushing chest pain", "chest_pain"),
        ("he warmed up on the bike and then collapsed", "collapse_in_session"),
        ("my son at college has crushing chest pain", "chest_pain"),
        # A report followed by a question is a report.
        ("my chest is tight, can cryo help?", "chest_pain"),
        ("my chest feels crushed, is it just nerves?", "chest_pain"),
    ],
)
def test_what_is_happening_now_keeps_its_alarm(sentence, category):
    assert suppression(sentence, category, layer="rules") is None


def test_chest_pain_told_as_a_pattern_is_urgent_and_chest_pain_now_stays_an_emergency():
    assert recurring("chest_pain", "I get chest pains at night sometimes, never been checked")
    assert recurring("chest_pain", "I carry a GTN spray for my chest")
    assert not recurring("chest_pain", "I get chest pains sometimes and I have one right now")
    assert not recurring("chest_pain", "crushing chest pain spreading to my arm")
    assert not recurring("breathing", "I get breathless at night sometimes")


def test_past_suicidal_thoughts_are_the_past_only_when_the_visitor_says_they_are_well():
    clause = "I had suicidal thoughts about ten years ago"
    well = clause + ". I got help and I'm in a good place now. Just asking about prices."
    back = clause + " and they are back now"
    assert suppression(clause, "suicide", message=well) == "past"
    assert suppression(clause, "suicide", message=back) is None
    assert suppression(clause, "suicide") is None


def test_a_denied_phrase_and_the_clause_of_a_match_are_read_locally():
    text = "I haven't had a seizure in years"
    assert denied_before(text, text.index("had a seizure"))
    sentence = "I fell off my bike as a kid and now my legs won't hold me"
    assert clause_around(sentence, 2, 6) == "I fell off my bike as a kid"
    assert reports_now("it's happening right now") and not reports_now("do you open today?")


# ---- the assessment: every layer on every unit, the most care wins ------------------------


def unit(*values):
    vector = np.array(values + (0.0,) * (4 - len(values)), dtype=np.float32)
    return vector / np.linalg.norm(vector)


class Classifier:
    """Stands in for the trained classifier: given probabilities per text."""

    def __init__(self, table):
        self.table = table

    def by_label(self, texts, vectors):
        return [self.table.get(t, {"none": 1.0}) for t in texts]


def model_with(table, bank=None, **thresholds):
    levels = {"breathing": "emergency", "suicide": "emergency", "cold_burn": "urgent"}
    return TriageModel(
        RuleBook([], Lemmatizer()),
        bank,
        Classifier(table),
        levels,
        Thresholds(**thresholds),
        {"cold_burn": needs_one_of()["cold_burn"]},
    )


def encode(texts):
    return np.stack([unit(1.0) for _ in texts])


def assess(text, table, **kwargs):
    return CareAssessor(model_with(table, **kwargs), encode).assess(text)


def test_a_care_vote_in_one_sentence_is_never_diluted_by_the_rest_of_the_message():
    text = "Hello there. My lips are going blue. How much is a session on Friday?"
    decision = assess(text, {"My lips are going blue.": {"breathing": 0.9, "none": 0.1}})
    assert (decision.level, decision.category) == ("emergency", "breathing")
    assert decision.as_output()["layers"] == ["classifier"]


def test_a_learned_vote_in_a_sentence_whose_red_flag_words_are_all_denied_is_set_aside():
    levels = {"chest_pain": "emergency"}
    book = RuleBook.load()
    text = "never had chest pain like that"
    table = {text: {"chest_pain": 0.99, "none": 0.01}}
    model = TriageModel(book, None, Classifier(table), levels, Thresholds())
    decision = CareAssessor(model, encode).assess(text)
    assert decision.level is None
    assert {why for _, _, why in decision.set_aside} == {"denied"}
    # "never had pain like this" is a new pain, not a denial.
    new = "I've never had chest pain like this before"
    model = TriageModel(book, None, Classifier({new: table[text]}), levels, Thresholds())
    assert CareAssessor(model, encode).assess(new).level == "emergency"


def test_care_spread_over_categories_is_urgent_and_a_clause_needs_more():
    spread = {"breathing": 0.3, "cold_burn": 0.3, "none": 0.4}
    assert assess("something odd", {"something odd": spread}).level == "urgent"
    run_on = "my back has ached for years and I get odd feelings when I sit for long"
    clause = "I get odd feelings when I sit for long"
    assert assess(run_on, {clause: spread}, clause_margin=0.2).level is None


def test_a_plain_report_of_back_pain_is_a_report_and_a_question_with_it_is_asked():
    decision = assess(
        "my back is killing me, can cryo help?",
        {"my back is killing me, can cryo help?": {"back_pain": 0.8, "none": 0.2}},
    )
    assert (decision.level, decision.back_pain_report, decision.asks) == (None, True, True)
    plain = assess("my mom's back hurts", {"my mom's back hurts": {"back_pain": 0.9}})
    assert (plain.back_pain_report, plain.asks, plain.for_someone_else) == (True, False, True)


def test_a_cold_burn_needs_the_skin_or_the_cold():
    burning = {"cold_burn": 0.8, "none": 0.2}
    assert (
        assess("a burning ache down my leg", {"a burning ache down my leg": burning}).level is None
    )
    assert assess("a blister on my heel", {"a blister on my heel": burning}).level == "urgent"


def test_the_bank_votes_for_a_sentence_close_to_a_red_flag_and_clear_of_near_misses():
    bank = RedFlagBank(np.stack([unit(1.0), unit(0.0, 1.0)]), ["breathing", ""])
    near = RedFlagBank(np.stack([unit(1.0), unit(1.0, 0.05)]), ["breathing", ""])
    assert assess("anything", {}, bank=bank).level == "emergency"
    assert assess("anything", {}, bank=near).level is None  # as close to a near-miss


def test_readings_are_kept_so_thresholds_can_be_chosen_without_reading_again():
    assessor = CareAssessor(model_with({"x y z": {"breathing": 0.7, "none": 0.3}}), encode)
    readings = assessor.read("x y z")
    strict = model_with({}, classifier_emergency=0.8, classifier_care=0.8)
    assert decide(readings, assessor.model).level == "emergency"
    assert decide(readings, strict).level is None


# ---- the training examples ----------------------------------------------------------------


def test_marked_words_are_the_care_example_and_the_rest_is_the_other_side():
    example = TriageExample(
        "emergency",
        "cauda_equina",
        "Hi, I've had sciatica for a month. Since this morning I can't feel my bum. Can I come?",
        ("Since this morning I can't feel my bum.",),
    )
    labelled = dict(training_units([example]))
    assert labelled["Since this morning I can't feel my bum."] == "cauda_equina"
    assert labelled["Can I come?"] == "none"
    assert labelled["Hi, I've had sciatica for a month."] == "back_pain"


def test_the_triage_data_has_both_sides_and_plain_back_pain_in_every_style():
    examples = read_examples(TRIAGE_DATA)
    care = [e for e in examples if e.level in ("emergency", "urgent")]
    ordinary = [e for e in examples if e.level == "none"]
    plain = [e for e in ordinary if e.category == "plain_back_pain"]
    assert len(care) >= 1500 and len(ordinary) >= 1500 and len(plain) >= 400
    long_care = [e for e in care if len(sentences(e.text)) > 1]
    assert all(e.marked for e in long_care)
    assert yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))["categories"]


def test_an_old_injury_told_as_background_is_not_a_back_pain_report_but_pain_still_there_is():
    background = "I fell off my bike as a kid and hurt my back, is cryo ok for me now?"
    old = assess(background, {"hurt my back": {"back_pain": 0.8, "none": 0.2}})
    assert (old.level, old.back_pain_report) == (None, False)
    still = "I hurt my back two years ago and it still aches"
    assert assess(still, {still: {"back_pain": 0.8, "none": 0.2}}).back_pain_report
