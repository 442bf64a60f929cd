"""The statistical intent model: a multinomial logistic regression over :mod:`.features`.

Its weights ship beside this module as ``intent_model.json.gz`` (written by ``make train-replies``,
see ``bench/train_intent.py``). They are read on the first message that needs them, not at import,
so a handler's cold start does not pay for them.

A model fitted to (nearly) every training reply is surer of itself than it has reason to be. The file
carries a ``temperature`` that the scores are divided by before the softmax, fitted by
``make train-replies`` on replies each fold's model had not seen, so that a probability of 0.7 is right
about seven times in ten and the "needs a look" threshold means what it says.
"""

import gzip
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

MODEL_PATH = Path(__file__).with_name("intent_model.json.gz")


class IntentModelFile(BaseModel):
    """The shipped model file: class names, and per feature one weight per class."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    version: int
    labels: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    trained_on: int = 0
    temperature: float = Field(default=1.0, gt=0)


@dataclass(frozen=True, slots=True)
class IntentModel:
    labels: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    temperature: float = 1.0

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        return softmax(self.labels, [score / self.temperature for score in self.scores(features)])

    def scores(self, features: dict[str, float]) -> list[float]:
        """The raw linear scores, one per label (before the temperature and the softmax)."""
        scores = [0.0] * len(self.labels)
        for name, value in features.items():
            row = self.weights.get(name)
            if row is None:
                continue
            for index, weight in enumerate(row):
                scores[index] += weight * value
        return scores


def softmax(labels: tuple[str, ...], scores: list[float]) -> dict[str, float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return {label: exp / total for label, exp in zip(labels, exps, strict=True)}


def model_from_file(data: IntentModelFile) -> IntentModel:
    return IntentModel(labels=data.labels, weights=data.weights, temperature=data.temperature)


@lru_cache(maxsize=1)
def shipped_model() -> IntentModel | None:
    """The model shipped with the layer, or None when the file is missing or unreadable (rules then decide)."""
    try:
        with gzip.open(MODEL_PATH, "rt", encoding="utf-8") as fh:
            return model_from_file(IntentModelFile.model_validate(json.load(fh)))
    except (OSError, ValueError):
        return None
