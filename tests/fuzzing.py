"""Hypothesis profiles: one fixed profile for every ordinary run, a long one for ``make fuzz``.

``ci`` (the default, and what CI uses) is derandomized: each property test draws the same
examples on every run and on every machine, and reads or writes no ``.hypothesis/`` folder, so
a run cannot pass or fail because of an earlier one. ``fuzz`` (HYPOTHESIS_PROFILE=fuzz) draws
fresh random examples, FUZZ_FACTOR times as many, and keeps what fails in ``.hypothesis/`` so
that the next fuzz run tries it first. A failure it finds becomes an explicit example in the test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

FUZZ_FACTOR = 10

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", derandomize=False, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """How many examples a property test draws: ``count`` normally, many more when fuzzing."""
    return count * FUZZ_FACTOR if PROFILE == "fuzz" else count
