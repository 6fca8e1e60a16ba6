"""The contraindication checklist's conditions (conditions.yml): names, synonyms, treatments."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.shared.names import (  # noqa: F401 (read here by the NLU's extractor)
    CONDITION_ENTITY,
    NEGATED_CONDITION_ENTITY,
)
from bot.shared.project import project_file

CONDITIONS_FILE = "conditions.yml"


@dataclass(frozen=True)
class Condition:
    key: str
    name: str
    synonyms: Tuple[str, ...]
    # Medicines and devices that imply it ("an inhaler"): counted as a yes, and said why.
    treatments: Tuple[str, ...] = ()
    # Words for what it is about ("blood pressure") and the states that mean having it ("high").
    topic_words: Tuple[str, ...] = ()
    yes_when: Tuple[str, ...] = ()
    no_when: Tuple[str, ...] = ()  # states that mean not having it: blood pressure "low"


def load_conditions(path: Optional[Path] = None) -> Dict[str, Condition]:
    """The checklist's conditions in the order they are asked (conditions.yml)."""
    return _read_conditions(path or project_file(CONDITIONS_FILE))


@lru_cache(maxsize=None)
def _read_conditions(path: Path) -> Dict[str, Condition]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["conditions"]
    return {
        key: Condition(
            key=key,
            name=entry["name"],
            synonyms=tuple(entry["synonyms"]),
            treatments=tuple(entry.get("treatments") or ()),
            topic_words=tuple((entry.get("topic") or {}).get("words") or ()),
            yes_when=tuple((entry.get("topic") or {}).get("yes_when") or ()),
            no_when=tuple((entry.get("topic") or {}).get("no_when") or ()),
        )
        for key, entry in raw.items()
    }


def condition_keys() -> List[str]:
    return list(load_conditions())


def plain_name(key: str) -> str:
    return load_conditions()[key].name
