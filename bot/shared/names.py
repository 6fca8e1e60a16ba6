"""The names the domain, the training data and the code share: intents, entities, slots, forms.

Each is a contract with domain.yml and data/ (tests/test_names.py holds them to the domain);
code names them from here, never as a string of its own.
"""

# Intents
AFFIRM = "affirm"
DENY = "deny"
UNSURE = "unsure"
STOP = "stop"
FAQ = "faq"
NOT_COVERED = "not_covered"
NLU_FALLBACK = "nlu_fallback"  # Rasa's own, set by the fallback classifier
EMERGENCY = "emergency"
URGENT = "urgent"
BACK_PAIN_REPORT = "back_pain_report"
MEDICAL_ADVICE = "medical_advice"
OUT_OF_SCOPE = "out_of_scope"
HUMAN_HANDOFF = "human_handoff"
BOT_CHALLENGE = "bot_challenge"
DELETE_MY_DATA = "delete_my_data"
CHECK_ELIGIBILITY = "check_eligibility"
INFORM_CONDITION = "inform_condition"
THANKS = "thanks"

# Entities
CONDITION_ENTITY = "condition"  # a checklist condition the visitor has
NEGATED_CONDITION_ENTITY = "no_condition"  # one they say they do not have
CARE_KIND = "care_kind"  # what the care answers are worded for (also a slot)

# Slots and forms
CHECKLIST_FORM = "checklist_form"
REQUESTED_SLOT = "requested_slot"  # Rasa's own: the question the form is asking
SCREENING_RESULT = "screening_result"
FLAGGED_CONDITIONS = "flagged_conditions"
CHECKLIST_LENGTH = "checklist_length"
