"""The core's ``Form`` as a Slack modal, and a submitted modal's state back as field values."""

from __future__ import annotations

from typing import Any

from adapters.slack.render import escape, plain_label
from bot.kernel.events import Form, FormField

VALUE = "value"  # the action id of every input element; the block id is the field's name
TITLE_CHARS = 24
LABEL_CHARS = 2000
OPTION_CHARS = 75
MAX_OPTIONS = 100


def _element(field: FormField) -> dict[str, Any]:
    if field.choices:
        options = [
            {"text": plain_label(label, OPTION_CHARS), "value": value}
            for value, label in field.choices[:MAX_OPTIONS]
        ]
        if len(options) <= 10:
            return {"type": "radio_buttons", "action_id": VALUE, "options": options}
        return {"type": "static_select", "action_id": VALUE, "options": options,
                "placeholder": plain_label("Choose…")}
    return {"type": "plain_text_input", "action_id": VALUE, "multiline": field.multiline,
            "max_length": 3000}


def modal_view(form: Form) -> dict[str, Any]:
    """A modal whose submission comes back with ``private_metadata`` = the form's action."""
    blocks: list[dict[str, Any]] = []
    if form.intro:
        blocks.append({"type": "section",
                       "text": {"type": "mrkdwn", "text": escape(form.intro)[:3000], "verbatim": True}})
    for field in form.fields:
        blocks.append({
            "type": "input",
            "block_id": field.name,
            "label": plain_label(field.label, LABEL_CHARS),
            "element": _element(field),
            "optional": not field.required,
        })
    return {
        "type": "modal",
        "callback_id": "ncbot_form",
        "private_metadata": form.action,
        "title": plain_label(form.title, TITLE_CHARS),
        "submit": plain_label(form.submit_label, TITLE_CHARS),
        "close": plain_label("Cancel", TITLE_CHARS),
        "blocks": blocks,
    }


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """Field name -> what was entered (text) or chosen (the option's value); empty when left out."""
    values: dict[str, str] = {}
    for block_id, elements in (view.get("state") or {}).get("values", {}).items():
        state: dict[str, Any] = elements.get(VALUE) or next(iter(elements.values()), {})
        chosen = state.get("selected_option")
        if chosen:
            values[block_id] = str(chosen.get("value", ""))
        else:
            values[block_id] = str(state.get("value") or "")
    return values


def field_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by block id; an error not tied to a field goes on the first input."""
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    out: dict[str, str] = {}
    for name, message in errors.items():
        block = name if name in inputs else (inputs[0] if inputs else name)
        out[block] = (out[block] + " " + message) if block in out else message
    return {k: v[:150] for k, v in out.items()}
