"""The shared names (bot/shared/names.py) are the domain's: a rename in one shows in the other."""

from bot.shared import names

RASA_OWN = {names.NLU_FALLBACK, names.REQUESTED_SLOT}
INTENTS = {
    names.AFFIRM,
    names.DENY,
    names.UNSURE,
    names.STOP,
    names.FAQ,
    names.NOT_COVERED,
    names.EMERGENCY,
    names.URGENT,
    names.BACK_PAIN_REPORT,
    names.MEDICAL_ADVICE,
    names.OUT_OF_SCOPE,
    names.HUMAN_HANDOFF,
    names.BOT_CHALLENGE,
    names.DELETE_MY_DATA,
    names.CHECK_ELIGIBILITY,
    names.INFORM_CONDITION,
    names.THANKS,
}


def test_every_intent_name_is_one_of_the_domains_intents(domain):
    # faq is the retrieval intent: its topics are trained from data/nlu/faq.yml.
    assert INTENTS - set(domain["intents"]) <= {names.FAQ}


def test_every_entity_slot_and_form_name_is_the_domains(domain):
    entities = {names.CONDITION_ENTITY, names.NEGATED_CONDITION_ENTITY, names.CARE_KIND}
    assert entities <= set(domain["entities"])
    slots = {names.CARE_KIND, names.SCREENING_RESULT, names.FLAGGED_CONDITIONS}
    assert slots | {names.CHECKLIST_LENGTH} <= set(domain["slots"])
    assert names.CHECKLIST_FORM in domain["forms"]


def test_every_name_in_the_module_is_checked_here():
    declared = {v for k, v in vars(names).items() if k.isupper()}
    checked = (
        INTENTS
        | RASA_OWN
        | {
            names.CONDITION_ENTITY,
            names.NEGATED_CONDITION_ENTITY,
            names.CARE_KIND,
            names.CHECKLIST_FORM,
            names.SCREENING_RESULT,
            names.FLAGGED_CONDITIONS,
            names.CHECKLIST_LENGTH,
        }
    )
    assert declared == checked
