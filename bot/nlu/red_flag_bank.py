"""The semantic layer of the safety check: sentence vectors against a bank of red flags.

bot/nlu/red_flags.yml lists, per category, what a clinician would call a red flag, and a set
of near-misses that are not. A sentence is a red flag of a category when its MiniLM vector is
close to one of that category's descriptions and clearly closer to it than to any near-miss.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import yaml

RED_FLAGS_FILE = Path(__file__).resolve().parent / "red_flags.yml"
NOT_A_RED_FLAG = ""


@dataclass(frozen=True)
class BankMatch:
    category: str
    similarity: float
    near_miss_similarity: float

    @property
    def margin(self) -> float:
        return self.similarity - self.near_miss_similarity


def red_flags_digest(path: Path = RED_FLAGS_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_red_flags(path: Path = RED_FLAGS_FILE) -> Dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def care_levels(path: Path = RED_FLAGS_FILE) -> Dict[str, str]:
    """Each category's level of care: emergency or urgent."""
    return {name: entry["level"] for name, entry in read_red_flags(path)["categories"].items()}


class RedFlagBank:
    def __init__(self, levels: Dict[str, str], vectors: np.ndarray, labels: List[str]) -> None:
        self.levels = levels
        self._vectors = vectors.astype(np.float32)
        self._labels = np.array(labels)
        self._red = self._labels != NOT_A_RED_FLAG

    @classmethod
    def build(cls, encode, path: Path = RED_FLAGS_FILE) -> RedFlagBank:
        """Encodes the descriptions; `encode` turns texts into unit-length vectors."""
        raw = read_red_flags(path)
        texts, labels = [], []
        for name, entry in raw["categories"].items():
            texts += entry["descriptions"]
            labels += [name] * len(entry["descriptions"])
        texts += raw["not_red_flags"]
        labels += [NOT_A_RED_FLAG] * len(raw["not_red_flags"])
        levels = {name: entry["level"] for name, entry in raw["categories"].items()}
        return cls(levels, np.asarray(encode(texts)), labels)

    def save(self, folder: Path) -> None:
        np.save(folder / "red_flag_vectors.npy", self._vectors)
        (folder / "red_flags.json").write_text(
            json.dumps({"levels": self.levels, "labels": self._labels.tolist()}), encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> Optional[RedFlagBank]:
        if not (folder / "red_flags.json").is_file():
            return None
        saved = json.loads((folder / "red_flags.json").read_text(encoding="utf-8"))
        return cls(saved["levels"], np.load(folder / "red_flag_vectors.npy"), saved["labels"])

    def match(self, vectors: np.ndarray) -> List[BankMatch]:
        """For each unit-length vector, its closest red flag and its closest near-miss."""
        if len(vectors) == 0:
            return []
        similarities = np.asarray(vectors, dtype=np.float32) @ self._vectors.T
        red = np.where(self._red, similarities, -1.0)
        best = red.argmax(axis=1)
        near_miss = np.where(~self._red, similarities, -1.0).max(axis=1)
        return [
            BankMatch(str(self._labels[i]), float(red[row, i]), float(near_miss[row]))
            for row, i in enumerate(best)
        ]
