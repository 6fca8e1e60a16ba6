"""Shared fixtures: the real domain, and trackers built with rasa-sdk's own Tracker."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.support.widget import browser  # noqa: F401 (a fixture for the widget tests)

ROOT = Path(__file__).resolve().parent.parent
# The tests that need neither a trained model, a server, a browser nor a training of their own.
FAST_TESTS = "not server and not browser and not cluster and not training"


def pytest_collection_modifyitems(items):
    # A test that talks to the running assistant is a server test, whatever its file says.
    for item in items:
        if "assistant" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The domain as the action server receives it: domain.yml with the FAQ answers merged in."""
    merged = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for path in sorted((ROOT / "data" / "responses").glob("*.yml")):
        merged["responses"].update(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    return merged


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def user_message(
    text: str, intent: Optional[str], entities: Optional[List[Dict[str, Any]]] = None
) -> Dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9} if intent else {},
        "entities": entities or [],
    }


def condition_entity(key: str, negated: bool = False) -> Dict[str, Any]:
    return {"entity": "no_condition" if negated else "condition", "value": key}


@pytest.fixture
def make_tracker(domain):
    """A Tracker whose slots are the domain's, with the given values and latest message."""

    def build(
        slots: Optional[Dict[str, Any]] = None,
        latest: Optional[Dict[str, Any]] = None,
        events: Optional[List[Dict[str, Any]]] = None,
        active_loop: Optional[str] = None,
    ) -> Tracker:
        all_slots = {name: None for name in domain["slots"]}
        all_slots.update(slots or {})
        return Tracker(
            sender_id="test-visitor",
            slots=all_slots,
            latest_message=latest or user_message("hi", "greet"),
            events=events or [],
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return build


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    """One running assistant shared by every server test (start-up is slow)."""
    from bot.measure.launcher import DEFAULT_MODEL, start_assistant

    if not DEFAULT_MODEL.exists():
        pytest.fail("No trained model: run `make test` (it trains first) or `make train`.")
    running = start_assistant(
        tmp_path_factory.mktemp("assistant"),
        env={
            "WIDGET_ALLOWED_ORIGINS": "http://clinic.example",
            # The fuzz tests send hundreds of requests from one IP; the limiter stays on.
            "RATE_LIMIT_PER_IP": "100000/60",
        },
    )
    yield running
    running.stop()
