"""One shape for every figure: printed beside its goal and collected into .bench/results.json."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

RESULTS_PATH = Path(__file__).resolve().parents[1] / ".bench" / "results.json"


class Figure(BaseModel):
    name: str
    value: float
    unit: str
    goal: str
    met: bool

    def line(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return f"{self.name:<58} {self.value:>10.1f} {self.unit:<6} goal {self.goal:<14} {verdict}"


def write(figures: list[Figure]) -> None:
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps([f.model_dump() for f in figures], indent=2) + "\n")
