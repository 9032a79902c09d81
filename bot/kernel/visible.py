"""What a reader sees of a text: the length rules count visible characters only, and the
bidirectional controls that could turn a name or a text around are taken out on the way in."""

from __future__ import annotations

import re
import unicodedata

# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069), the direction marks (U+200E/F) and
# the Arabic letter mark (U+061C): each can make "evil" read as "live" next to the bot's own words.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_BIDI_TABLE = dict.fromkeys(map(ord, BIDI_CONTROLS))

# Drawn as nothing though they are not format characters (Cf): the Hangul fillers, the blank
# braille pattern, the combining grapheme joiner and the variation selectors.
_BLANK = re.compile("[\u034f\u115f\u1160\u3164\uffa0\u2800\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def without_bidi_controls(text: str) -> str:
    """``text`` without bidirectional controls (the same object when it has none)."""
    if text.isascii() or _BIDI.search(text) is None:
        return text
    return text.translate(_BIDI_TABLE)


def shortened(text: str, limit: int) -> str:
    """``text`` on one line and at most ``limit`` characters, cut with "…" (for lists and labels)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def visible(text: str) -> str:
    """``text`` as a reader sees it: no format (Cf) or blank characters, no space around it."""
    if text.isascii():
        return "".join(c for c in text if c.isprintable() or c in "\n\t").strip()
    kept = "".join(c for c in _BLANK.sub("", text)
                   if unicodedata.category(c) not in ("Cf", "Cc") or c in "\n\t")
    return kept.strip()


def visible_length(text: str) -> int:
    """How many characters of ``text`` a reader sees; every length rule counts these."""
    return len(visible(text))
