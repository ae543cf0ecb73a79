"""Wall-clock timing of the stages of a run."""

from __future__ import annotations

import time
from contextlib import contextmanager


class StageTimer:
    """Records the wall time of named stages: ``with timer("training"): ...``; ``timer.seconds`` maps name -> s."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start

    @property
    def total(self) -> float:
        return sum(self.seconds.values())
