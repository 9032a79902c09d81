"""The property tests run with a fixed profile unless a fuzzing run asks for another."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import PROFILE, examples

DRAWN: list[int] = []


def test_the_profile_is_fixed_and_needs_no_example_database() -> None:
    if PROFILE == "fuzz":
        assert examples(10) > 10
        return
    assert PROFILE == "ci"
    assert settings.default.derandomize
    assert settings.default.database is None
    assert examples(10) == 10


@settings(max_examples=5)
@given(st.integers())
def _draw(n: int) -> None:
    DRAWN.append(n)


def test_two_runs_draw_the_same_examples() -> None:
    if PROFILE == "fuzz":
        return
    _draw()
    first = list(DRAWN)
    DRAWN.clear()
    _draw()
    assert DRAWN == first and first
