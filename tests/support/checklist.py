"""The checklist as visitors see it, read from conditions.yml (its length is never written here)."""

from bot.shared.conditions import condition_keys


def checklist_length() -> int:
    return len(condition_keys())


def numbered(position: int) -> str:
    """How the question at this place in the checklist starts: "(3/16)" when there are 16."""
    return f"({position}/{checklist_length()})"
