"""What the pipeline says about the question asked with a report of back pain (the open set,
bot/nlu/not_covered_guard.py): the topic that answers it, or that none does."""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from bot.shared import names

OPEN_SET = "open_set"
# Intents the pipeline puts above the classifier's own reading of the message.
SET_BY_TRIAGE = {names.BACK_PAIN_REPORT, names.EMERGENCY, names.URGENT, names.NLU_FALLBACK}


def asked_topic(latest_message: Dict[Text, Any]) -> Optional[str]:
    """The FAQ topic the report's question asks about ("faq/<topic>"), when one answers it."""
    open_set = latest_message.get(OPEN_SET) or {}
    topic = open_set.get("topic")
    if open_set.get("covered") and isinstance(topic, str) and topic.startswith("faq/"):
        return topic
    return None


def asked_uncovered(latest_message: Dict[Text, Any]) -> bool:
    """The report asked something no topic answers ("..., which chair should I buy?"): no
    topic is sure, and the classifier itself read the message as not covered."""
    open_set = latest_message.get(OPEN_SET) or {}
    ranking = [
        r.get("name")
        for r in latest_message.get("intent_ranking") or []
        if r.get("name") not in SET_BY_TRIAGE
    ]
    return open_set.get("covered") is False and ranking[:1] == [names.NOT_COVERED]
