"""Plural forms from one mechanism: the standard library's gettext ``ngettext``.

A catalogue entry that depends on a count is a ``Plural``: its form for one and its form for any
other number. ``render`` picks the form with ``ngettext`` from the value named by ``count``, so no
feature adds an "s" by hand, and a translation catalogue can later supply other languages' rules.
"""

from __future__ import annotations

import gettext
from typing import Any

# English source texts: gettext's own rule (one for 1, the other form otherwise) until a
# translation is installed.
_TRANSLATIONS: gettext.NullTranslations = gettext.NullTranslations()


class Plural(str):
    """A template with a form for one and a form for other counts (the string is the other form,
    so a Plural goes wherever a template goes)."""

    one: str
    counted_by: str  # the value that picks the form

    def __new__(cls, one: str, other: str, *, count: str = "count") -> Plural:
        made = super().__new__(cls, other)
        made.one, made.counted_by = one, count
        return made

    @property
    def other(self) -> str:
        return str.__str__(self)

    def form(self, values: dict[str, Any]) -> str:
        """The form for the count in ``values`` (the other form when it is not a number)."""
        n = values.get(self.counted_by)
        if isinstance(n, bool) or not isinstance(n, int):
            return self.other
        return _TRANSLATIONS.ngettext(self.one, self.other, n)
