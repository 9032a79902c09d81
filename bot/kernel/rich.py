"""Rich text: a few styles, with user text always kept as plain spans.

Templates in the catalogue mark bold with ``**`` and italic with ``__``; values put into a
template are never parsed for markers, so a resident's text can never turn into formatting or
a mention on any platform. Adapters render spans with their own escaping.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import Any

from bot.kernel.plurals import Plural
from bot.kernel.visible import without_bidi_controls


class Style(StrEnum):
    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"
    CODE = "code"


_STYLES = {style.value: style for style in Style}


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style = Style.PLAIN
    # The person this span names, if it is a name: erasure replaces exactly these spans.
    person: int | None = dataclass_field(default=None, compare=False)


class PersonName(str):
    """A person's name as a template value: the span it becomes remembers whose name it is."""

    person_id: int

    def __new__(cls, text: str, person_id: int) -> PersonName:
        made = super().__new__(cls, text)
        made.person_id = person_id
        return made


@dataclass(frozen=True, slots=True)
class Rich:
    """A sequence of styled spans; ``+`` joins them."""

    spans: tuple[Span, ...] = ()

    def __add__(self, other: Rich | str) -> Rich:
        if isinstance(other, str):
            other = plain(other)
        return Rich(self.spans + other.spans)

    def __radd__(self, other: str) -> Rich:
        return plain(other) + self

    @property
    def text(self) -> str:
        """The plain text, without styles (console, logs, tests)."""
        return "".join(s.text for s in self.spans)

    def __len__(self) -> int:
        return sum(len(s.text) for s in self.spans)

    @property
    def people(self) -> set[int]:
        """Whom this text names (see ``PersonName``)."""
        return {s.person for s in self.spans if s.person is not None}

    def to_json(self) -> list[list[Any]]:
        return [[s.text, s.style.value] if s.person is None else [s.text, s.style.value, s.person]
                for s in self.spans]

    @classmethod
    def from_json(cls, data: list[list[Any]]) -> Rich:
        # Every message sent is read back so: a dictionary, not Style(...), finds the style.
        return cls(tuple([Span(str(d[0]), _STYLES[d[1]]) if len(d) == 2 else
                          Span(str(d[0]), _STYLES[d[1]], d[2]) for d in data]))


def plain(text: str) -> Rich:
    return Rich((Span(text),)) if text else Rich()


def bold(text: str) -> Rich:
    return Rich((Span(text, Style.BOLD),))


def join(parts: list[Rich], sep: str = "\n") -> Rich:
    out = Rich()
    for i, part in enumerate(parts):
        if i:
            out = out + sep
        out = out + part
    return out


_MARKERS = re.compile(r"(\*\*|__|`)")
_STYLE_OF = {"**": Style.BOLD, "__": Style.ITALIC, "`": Style.CODE}


def render(template: str, **values: Any) -> Rich:
    """Fill a catalogue template; markers style the template's own text and the values in them.
    A ``Plural`` template takes the form its count asks for."""
    if isinstance(template, Plural):
        template = template.form(values)
    spans: list[Span] = []
    style = Style.PLAIN
    for piece in _MARKERS.split(template):
        if piece in _STYLE_OF:
            style = Style.PLAIN if style == _STYLE_OF[piece] else _STYLE_OF[piece]
            continue
        for literal, field, spec, conv in string.Formatter().parse(piece):
            if literal:
                spans.append(Span(literal, style))
            if field is None:
                continue
            value = values[field]
            if isinstance(value, Rich):
                spans.extend(value.spans)
                continue
            # Values are what people wrote: no bidirectional control may turn the line around,
            # even in text stored before inbound events were cleaned of them.
            if isinstance(value, PersonName):
                spans.append(Span(without_bidi_controls(str.__str__(value)), style, value.person_id))
                continue
            if conv == "r":
                value = repr(value)
            spans.append(Span(without_bidi_controls(format(value, spec or "")), style))
    return Rich(tuple(_merge(spans)))


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if not s.text:
            continue
        if out and out[-1].style == s.style and out[-1].person is None and s.person is None:
            out[-1] = Span(out[-1].text + s.text, s.style)
        else:
            out.append(s)
    return out
