"""Repeated timings: a warm-up, then at least five runs, reported as median, min and max (ms)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

MIN_REPETITIONS = 5


@dataclass(frozen=True)
class Timing:
    median: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {key: round(value, 2) for key, value in asdict(self).items()}


def measure(
    run: Callable[[], object],
    repetitions: int = MIN_REPETITIONS,
    warmup: int = 1,
    before: Callable[[], object] | None = None,
) -> Timing:
    """Time ``run`` (``before`` runs untimed ahead of each repetition, e.g. to reset state)."""
    for _ in range(warmup):
        if before:
            before()
        run()
    samples = []
    for _ in range(max(repetitions, MIN_REPETITIONS)):
        if before:
            before()
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(statistics.median(samples), min(samples), max(samples))
