"""Repeated timings: a warm-up, then at least five runs, reported as median, min and max (ms).

Things that are compared with each other (the project against its floor) are timed in turns,
one run of each per round, so that a busy moment of a shared machine weighs on all of them
alike instead of on whichever happened to be measured then."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

MIN_REPETITIONS = 5


@dataclass(frozen=True)
class Timing:
    median: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {key: round(value, 2) for key, value in asdict(self).items()}


def measure_together(
    runs: Mapping[str, Callable[[], object]],
    repetitions: int = MIN_REPETITIONS,
    warmup: int = 1,
    before: Mapping[str, Callable[[], object]] | None = None,
) -> dict[str, Timing]:
    """Time each of ``runs`` in rounds: every round runs each once, in the given order (with
    its ``before``, untimed, ahead of it)."""
    prepare = before or {}
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for round_number in range(warmup + max(repetitions, MIN_REPETITIONS)):
        for name, run in runs.items():
            if name in prepare:
                prepare[name]()
            start = time.perf_counter()
            run()
            if round_number >= warmup:
                samples[name].append((time.perf_counter() - start) * 1000)
    return {
        name: Timing(statistics.median(times), min(times), max(times))
        for name, times in samples.items()
    }
