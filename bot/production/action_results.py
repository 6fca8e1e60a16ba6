"""The check of each custom action's result, with its JSON-schema validator built once.

Rasa 3.6 calls jsonschema.validate() on every action result, and that checks the schema
itself again each time (about 35 ms of CPU per call, measured): every new conversation
and every checklist turn pays it. The same schema, the same errors, checked once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text


@lru_cache(maxsize=1)
def result_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """What RemoteAction._validate_action_result does, without re-checking the schema.

    The error raised is the one jsonschema.validate() would raise (its best match).
    """
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def validate_action_results_once() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
