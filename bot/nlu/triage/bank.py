"""The semantic layer of triage: each sentence's vector against a bank of examples.

The bank holds red flags, per category, and near-misses that are not red flags: the
clinician-written descriptions in red_flags.yml and the training sentences of data/triage/
(both sides). A sentence is a red flag of a category when its MiniLM vector is close to one of
that category's entries and clearly closer to it than to any near-miss.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Pattern, Sequence, Tuple

import numpy as np
import yaml

TRIAGE_FOLDER = Path(__file__).resolve().parent
RED_FLAGS_FILE = TRIAGE_FOLDER / "red_flags.yml"
CATEGORIES_FILE = TRIAGE_FOLDER / "categories.yml"
NOT_A_RED_FLAG = ""
BANK_FILE = "red_flag_bank.npz"


@dataclass(frozen=True)
class BankMatch:
    category: str
    similarity: float
    near_miss_similarity: float

    @property
    def margin(self) -> float:
        return self.similarity - self.near_miss_similarity


def digest(paths: Iterable[Path]) -> str:
    """One fingerprint of files (a folder's YAML and Python files): an edit retrains triage."""
    sha = hashlib.sha256()
    for path in paths:
        files = [path]
        if path.is_dir():
            files = sorted(path.rglob("*.yml")) + sorted(path.rglob("*.py"))
        for file in files:
            sha.update(file.name.encode() + b"\0" + file.read_bytes())
    return sha.hexdigest()


def care_levels(path: Path = CATEGORIES_FILE) -> Dict[str, str]:
    """Each category's level of care: emergency or urgent."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {name: entry["level"] for name, entry in raw["categories"].items()}


def needs_one_of(path: Path = CATEGORIES_FILE) -> Dict[str, Pattern[str]]:
    """Categories whose learned votes need one of these words in the message."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        name: re.compile(r"\b(?:" + "|".join(map(re.escape, entry["needs_one_of"])) + r")", re.I)
        for name, entry in raw["categories"].items()
        if entry.get("needs_one_of")
    }


def read_red_flags(path: Path = RED_FLAGS_FILE) -> Dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def described_red_flags(path: Path = RED_FLAGS_FILE) -> List[Tuple[str, str]]:
    """(text, category) for every description; near-misses have the category ''."""
    raw = read_red_flags(path)
    pairs = [(text, name) for name, texts in raw["categories"].items() for text in texts]
    return pairs + [(text, NOT_A_RED_FLAG) for text in raw["not_red_flags"]]


class RedFlagBank:
    def __init__(self, vectors: np.ndarray, labels: Sequence[str]) -> None:
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self._labels = np.array(list(labels))
        self._red = self._labels != NOT_A_RED_FLAG

    def __len__(self) -> int:
        return len(self._labels)

    def save(self, folder: Path) -> None:
        np.savez(folder / BANK_FILE, vectors=self._vectors, labels=self._labels)

    @classmethod
    def load(cls, folder: Path) -> RedFlagBank:
        saved = np.load(folder / BANK_FILE)
        return cls(saved["vectors"], [str(x) for x in saved["labels"]])

    def match(self, vectors: np.ndarray) -> List[BankMatch]:
        """For each unit-length vector, its closest red flag and its closest near-miss."""
        if len(vectors) == 0 or not self._red.any():
            return []
        similarities = np.asarray(vectors, dtype=np.float32) @ self._vectors.T
        red = np.where(self._red, similarities, -1.0)
        best = red.argmax(axis=1)
        near_miss = np.where(~self._red, similarities, -1.0).max(axis=1)
        return [
            BankMatch(str(self._labels[i]), float(red[row, i]), float(near_miss[row]))
            for row, i in enumerate(best)
        ]
