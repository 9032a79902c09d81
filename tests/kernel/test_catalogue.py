"""Every template of every feature's catalogue renders whole, with counts of 1 and of 2."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot
from bot.kernel.plurals import Plural
from bot.kernel.rich import render

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ["bot.kernel.texts"] + [
    f"bot.{m.name}.texts" for m in pkgutil.iter_modules(bot.__path__)
    if m.ispkg and (ROOT / "bot" / m.name / "texts.py").exists() and m.name != "kernel"
]
# Values that are numbers of something: each is tried as 1 and as 2.
COUNTS = {"answered", "choices", "count", "days", "least", "limit", "messages", "minimum", "more",
          "most", "page", "pages", "part", "parts", "people", "previous", "replies", "supporters",
          "supports", "total", "voters", "votes", "yes"}
SAMPLE = "Fremont Garden"
# English words that end in s and may follow the number 1.
NOT_PLURALS = {"is", "was", "has", "does", "its", "this", "us", "yes", "plus", "across"}
SINGULAR_NOUNS = ("attempt", "challenge", "character", "choice", "day", "hour", "message",
                  "option", "person", "poll", "raiser", "supporter", "support", "topic", "vote",
                  "week", "minute")


def templates() -> Iterator[tuple[str, str]]:
    for module_name in CATALOGUES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if not name.isupper():
                continue
            values = value.values() if isinstance(value, dict) else (
                value if isinstance(value, tuple) else (value,))
            for i, text in enumerate(values):
                if isinstance(text, str):
                    yield f"{module_name}.{name}" + (f"[{i}]" if len(values) > 1 else ""), text


TEMPLATES = sorted(templates())


def fields_of(template: str) -> set[str]:
    forms = [template.one, template.other] if isinstance(template, Plural) else [template]
    return {f for form in forms for _, f, _, _ in string.Formatter().parse(form) if f}


def test_every_catalogue_is_read() -> None:
    assert {"bot.kernel.texts", "bot.challenges.texts", "bot.digests.texts", "bot.polls.texts",
            "bot.people.texts", "bot.linking.texts", "bot.groups.texts"} <= set(CATALOGUES)
    assert len(TEMPLATES) > 300


@pytest.mark.parametrize(("where", "template"), TEMPLATES, ids=[w for w, _ in TEMPLATES])
@pytest.mark.parametrize("n", [1, 2])
def test_a_template_renders_whole(where: str, template: str, n: int) -> None:
    values: dict[str, object] = {f: n if f in COUNTS else SAMPLE for f in fields_of(template)}
    text = render(template, **values).text
    assert "{" not in text and "}" not in text, text
    assert "(s)" not in text, f"{where}: a plural made by hand"
    assert f"'{SAMPLE}'" not in text, f"{where}: Python quoting"
    inner = "\n".join(line.strip() for line in text.splitlines())
    assert "  " not in inner and " ." not in inner and " ," not in inner, text
    assert not re.search(r"\ban [bcdfgjklmnpqrstvwz]|\ba [aeio]\w", text, re.IGNORECASE), text
    if n == 1:
        for word in re.findall(r"(?<![#\d.,])\b1 ([a-z]+s)\b", text):
            assert word in NOT_PLURALS, f"{where}: '1 {word}'"
    else:
        nouns = "|".join(SINGULAR_NOUNS)
        assert not re.search(rf"(?<![#\d.,])\b2 ({nouns})\b", text), f"{where}: {text}"


def test_each_outcome_has_one_name_everywhere() -> None:
    from bot.challenges import texts as challenges

    for key, name in challenges.OUTCOME_NAMES.items():
        assert challenges.OUTCOME_BUTTONS[key] == name
        assert challenges.OUTCOME_WORDS[key] == name.lower()
        assert name.lower().replace(" ", "-") in challenges.OUTCOME_KEYWORDS.split("|")
    for module_name in CATALOGUES:
        module = importlib.import_module(module_name)
        for name in vars(module):
            assert not ("OUTCOME" in name and name.endswith(("_WORDS", "_NAMES", "_OUTCOMES"))
                        and module_name != "bot.challenges.texts"), f"{module_name}.{name}"
