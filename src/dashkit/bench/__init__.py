"""The benchmark harness (``dashkit bench``): synthetic data at a chosen scale, timings of the
project's own code against hand-written floors, and peak memory.

Contract: data is deterministic (a fixed seed: the same bytes on every run) and written to a
temporary data directory through the real store; every timing is the median, min and max of
at least five repetitions after a warm-up; ratios between measurements taken in the same run
are what the goals are stated in (absolute times on a shared 2-core machine are noise).
"""
