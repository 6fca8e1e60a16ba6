"""The project's actions, with one fault injected: the checklist's answer reading raises when
the visitor writes "make the action crash" (the crash rasa-sdk reports with the whole tracker)."""

from actions import checklist as _checklist
from actions import fallback, privacy, session  # noqa: F401  (registered like the real server)

CRASH_TEXT = "make the action crash"
_reading = _checklist.ValidateChecklistForm.get_extraction_events


async def _crashing(self, dispatcher, tracker, domain):
    if tracker.latest_message.get("text") == CRASH_TEXT:
        raise RuntimeError(f"injected fault while reading {tracker.latest_message}")
    return await _reading(self, dispatcher, tracker, domain)


_checklist.ValidateChecklistForm.get_extraction_events = _crashing
