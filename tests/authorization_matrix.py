"""The authorization matrix: every command, by role and kind of chat, allowed or refused and why.

This table is the single source: ``tests/system/test_authorization.py`` tries every cell against the
running core, and the table in ``docs/security.md`` is rendered from it (a test checks the doc
is current; ``python -m tests.authorization_matrix`` rewrites it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.challenges import texts as CHALLENGES_T
from bot.digests import texts as DIGESTS_T
from bot.groups import texts as GROUPS_T
from bot.kernel import texts as T
from bot.kernel.rich import render
from bot.linking import texts as LINKING_T
from bot.people import texts as PEOPLE_T
from bot.polls import texts as POLLS_T

OK = "ok"
# The people who try each command (see tests/system/test_authorization.py for how they are set up).
ROLES = {
    "resident": ("kim", "resident of the project"),
    "facilitator": ("fran", "facilitator of this project"),
    "other facilitator": ("otto", "facilitator of another project"),
    "linked councillor": ("jane", "councillor linked to the project"),
    "unlinked councillor": ("carl", "councillor not linked to it"),
    "admin": ("root", "admin"),
}
CHATS = {
    "private": "a private chat with the bot",
    "project group": "a chat of the project (everyone above is a member)",
    "other group": "a group chat that is no project",
}
PROJECT = "Fremont Garden"

# code -> the one-line reason the person gets (``{name}``: the command).
REASONS: dict[str, str] = {
    "group only": render(T.GROUP_ONLY, name="{name}").text,
    "private only": render(T.PRIVATE_ONLY, name="{name}").text,
    "not a project": render(T.NOT_A_PROJECT).text,
    "role": "Only <roles> can use /{name}.",
    "not its facilitator": render(GROUPS_T.NOT_PROJECT_FACILITATOR, name="{name}").text,
    "already a project": render(GROUPS_T.PROJECT_ALREADY, name=PROJECT).text,
    "poll starters only": render(POLLS_T.POLL_NOT_ALLOWED, councillors="").text,
    "not its poll": render(POLLS_T.POLL_MANAGE_NOT_ALLOWED, number=1).text,
    "not its outcome": render(POLLS_T.POLL_OUTCOME_NOT_ALLOWED, number=2).text,
    "no such closed poll": render(POLLS_T.POLL_OUTCOME_NONE, number=2).text,
    "not the raiser": render(CHALLENGES_T.CHALLENGE_WITHDRAW_NOT_YOURS, number=1).text,
    "not their challenge": render(CHALLENGES_T.CHALLENGE_REF_UNKNOWN, number=1, move="{move}").text,
    "private digests: councillors": render(DIGESTS_T.DIGEST_PRIVATE_FOR_COUNCILLORS).text,
    "group digest: its facilitators": render(DIGESTS_T.DIGEST_GROUP_FACILITATORS).text,
}

Cell = str  # OK or a code of REASONS
ChatSpec = Cell | dict[str, Cell]  # one outcome for every role, or per role with "*" as default


@dataclass(frozen=True)
class Row:
    """One command as typed, its expected outcome in each chat, and what success says."""

    line: str
    private: ChatSpec
    group: ChatSpec
    other: ChatSpec
    ok: tuple[str, ...] = ()  # a success reply contains one of these
    note: str = ""
    move: str = ""  # for "not their challenge": the verb in the reason
    roles_text: str = ""  # who may, when the handler says it rather than the command table
    refusal_name: str = ""  # the command as "not its facilitator" names it, if not its name

    @property
    def name(self) -> str:
        return self.line[1:].split()[0]

    def cell(self, chat: str, role: str) -> Cell:
        spec = {"private": self.private, "project group": self.group, "other group": self.other}[chat]
        if isinstance(spec, str):
            return spec
        return spec.get(role, spec["*"])


def roles(ok: tuple[str, ...], otherwise: Cell) -> dict[str, Cell]:
    return {"*": otherwise, **{r: OK for r in ok}}


FACILITATORS = ("facilitator", "admin")
MANAGERS = ("facilitator", "other facilitator", "admin")
COUNCILLORS = ("linked councillor", "unlinked councillor")

MATRIX: tuple[Row, ...] = (
    Row("/help", OK, OK, OK, ok=("Commands you can use here",)),
    Row("/start", OK, "private only", "private only", ok=("I connect project groups",)),
    Row("/cancel", OK, "private only", "private only", ok=("nothing to cancel", "Cancelled")),
    Row("/inbox", OK, "private only", "private only", ok=("Your inbox",)),
    Row("/project", "group only", OK, "not a project", ok=("belongs to the project",),
        note="show the project and its code"),
    Row("/project Riverside Walk", "group only",
        {"*": "role", "facilitator": "already a project", "other facilitator": "already a project",
         "admin": "already a project"},
        roles(MANAGERS, "role"), ok=("is registered as a project group",),
        roles_text="facilitators"),
    Row("/project join {code}", "group only",
        {"*": "role", "facilitator": "already a project", "other facilitator": "already a project",
         "admin": "already a project"},
        {"*": "role", "facilitator": OK, "admin": OK, "other facilitator": "not its facilitator"},
        ok=("is now part of the project",), note="add a chat to this project",
        roles_text="facilitators", refusal_name="project join"),
    Row("/scope", "group only", OK, "not a project", ok=("Scope of",)),
    Row("/scope Redesign the allotments and the paths to them", "group only",
        roles(FACILITATORS, "not its facilitator"), "not a project", ok=("Scope of",)),
    Row("/ward Fremont, Riverside", "group only", roles(FACILITATORS, "not its facilitator"),
        "not a project", ok=("now covers",)),
    Row("/topics housing, transport", "group only", roles(FACILITATORS, "not its facilitator"),
        "not a project", ok=("topics:",)),
    Row("/councillors", "group only", OK, "not a project", ok=("Councillors linked",)),
    Row("/public", "group only", OK, "not a project", ok=("public record",)),
    Row("/public on", "group only", roles(FACILITATORS, "not its facilitator"), "not a project",
        ok=("is now on the public record",), note="publish the project on the web"),
    Row("/link Carl Cole", "group only",
        {"*": "role", "facilitator": OK, "admin": OK, "other facilitator": "not its facilitator"},
        {"*": "role", "facilitator": "not a project", "other facilitator": "not a project",
         "admin": "not a project"},
        ok=("I have asked",)),
    Row("/unlink Jane Doe", "group only",
        {"*": "role", "facilitator": OK, "admin": OK, "other facilitator": "not its facilitator"},
        {"*": "role", "facilitator": "not a project", "other facilitator": "not a project",
         "admin": "not a project"},
        ok=("no longer linked",)),
    Row("/mygroups", {"*": "role", **{r: OK for r in (*COUNCILLORS, "admin")}},
        "private only", "private only", ok=("project groups", "not linked to any")),
    Row("/challenge The library closes before anyone finishes work", "group only", OK,
        "not a project", ok=("Scope challenge #2",), note="raise one"),
    Row("/challenge 1", "group only", OK, "not a project", ok=("Scope challenge #1",),
        note="show one"),
    Row("/challenges", "group only", OK, "not a project", ok=("Scope challenges in",)),
    Row("/withdraw 1", {"*": "not their challenge", "resident": OK},
        {"*": "not the raiser", "resident": OK}, {"*": "not their challenge", "resident": OK},
        ok=("withdrawn",), note="#1 was raised by the resident", move="withdraw"),
    Row("/answer 1 forward I will take this to the transport committee.",
        {"*": "not their challenge", "resident": "role", "linked councillor": OK},
        "private only", "private only", ok=("Thank you. Your answer",), move="answer"),
    Row("/poll Where should the bench go? | By the pond | Under the oak", "group only",
        {"*": "poll starters only", "resident": "role", "facilitator": OK, "admin": OK},
        {"*": "not a project", "resident": "role"}, ok=("Poll #3",)),
    Row("/vote 1 2", "group only", OK, "not a project", ok=("Your vote in poll #1",)),
    Row("/closepoll 1", "group only",
        {"*": "not its poll", "resident": "role", "facilitator": OK, "admin": OK},
        {"*": "not a project", "resident": "role"}, ok=("Results of poll #1",)),
    Row("/polls", "group only", OK, "not a project", ok=("Polls in Fremont Garden",)),
    Row("/cancelpoll 1 Posted by mistake.", "group only",
        {"*": "not its poll", "resident": "role", "facilitator": OK, "admin": OK},
        {"*": "not a project", "resident": "role"}, ok=("Poll #1 is withdrawn",),
        note="withdraw a poll: no results, no outcome"),
    Row("/extendpoll 1 2d", "group only",
        {"*": "not its poll", "resident": "role", "facilitator": OK, "admin": OK},
        {"*": "not a project", "resident": "role"}, ok=("now closes",)),
    Row("/outcome 2 The bench goes by the pond in March.",
        {"*": "no such closed poll", "resident": "role", "facilitator": OK, "admin": OK},
        {"*": "not its outcome", "resident": "role", "facilitator": OK, "admin": OK},
        {"*": "no such closed poll", "resident": "role", "facilitator": OK, "admin": OK},
        ok=("What happens next, after poll #2", "outcome of poll #2 is posted"),
        note="poll #2 is closed; the facilitator started it"),
    Row("/digest", {"*": "private digests: councillors", "resident": "role",
                    **{r: OK for r in COUNCILLORS}},
        {"*": OK, "resident": "role"}, {"*": "not a project", "resident": "role"},
        ok=("digest:", "digest is")),
    Row("/digest daily 07:30", {"*": "private digests: councillors", "resident": "role",
                                **{r: OK for r in COUNCILLORS}},
        {"*": "group digest: its facilitators", "resident": "role", "facilitator": OK,
         "admin": OK},
        {"*": "not a project", "resident": "role"}, ok=("is now daily at 07:30",)),
    Row("/timezone Europe/Paris", OK, "private only", "private only", ok=("Your time zone is now",)),
    Row("/mydata", OK, "private only", "private only", ok=("everything I store about you",)),
    Row("/forgetme", OK, "private only", "private only", ok=("Erase your data?",),
        note="asks to confirm"),
)


# ---- buttons, forms and conversations ---------------------------------------------------------
# Platforms let a client send any button action from any chat, so each is tried by the person it
# was shown to and by everyone it was not meant for, where each of them could press it.

PRESSERS = {
    "meant for": "the person it was shown to, where it was shown",
    "stranger": "someone in no project, sending the action from their own private chat",
    "elsewhere": "the person it was shown to, pressing it in a group that is not the project's",
    "revoked": "the person it was shown to, after `ncbot admin revoke` (for a resident's button: "
               "the project's facilitator, revoked, where it was shown)",
    "erased": "the person it was shown to, after /forgetme (the same account is someone new)",
}
NA = "n/a"  # the platforms offer no way to do it there (a form has no chat; typing in a group
            # is ordinary talk)
# Typed text no conversation waits for: nothing changed, and someone without a role is told what
# the bot is (the private hello).
NOTHING_WAITING = "nothing waiting"

# code -> what the person is told.
ACTION_REASONS: dict[str, str] = {
    "stale": T.STALE_BUTTON,
    "private button": T.BUTTON_PRIVATE_ONLY,
    "not in the project": render(CHALLENGES_T.CHALLENGE_SUPPORT_NOT_HERE, number=1).text,
    "not a recipient": render(CHALLENGES_T.CHALLENGE_NOT_RECIPIENT, number=1).text,
    "not their link": LINKING_T.LINK_NOT_YOURS,
    "link ended": render(LINKING_T.LINK_ALREADY_DECIDED, status="left", project=PROJECT).text,
    "not linked": render(LINKING_T.LINK_NOT_LINKED_YOU, project=PROJECT).text,
    "not their follow-up": CHALLENGES_T.FOLLOWUP_NOT_YOURS,
    "not their erasure": PEOPLE_T.FORGET_NOT_YOURS,
    "not its outcome": render(POLLS_T.POLL_OUTCOME_NOT_ALLOWED, number=3).text,
    NOTHING_WAITING: render(PEOPLE_T.PRIVATE_HELLO, bot="Networked Councillor").text,
}


@dataclass(frozen=True)
class ActionRow:
    """A button, form or conversation step; the person it is shown to does ``prepare`` first."""

    kind: str  # button | form | conversation
    route: str  # how it is registered: the button or form prefix, the conversation kind
    label: str  # the button's label, or what is typed or submitted
    owner: str  # the user it is shown to
    shown: str  # "private" or "project group"
    cells: dict[str, Cell]  # presser -> OK, NA or a code of ACTION_REASONS
    ok: tuple[str, ...]  # a success notice or reply contains one of these
    # What the owner does first: lines said privately ("/mygroups"), in the project's group
    # ("group:/closepoll 3"), or buttons pressed ("press:<label>").
    prepare: tuple[str, ...] = ()
    note: str = ""
    action: str = ""  # a form's action (buttons are found by ``label`` on what the owner got)
    found_in: str = ""  # where the button was shown, when it is pressed somewhere else
    about: str = ""  # the message with the button says this

    def cell(self, presser: str) -> Cell:
        return self.cells.get(presser, self.cells.get("*", OK))


def refused(stranger: Cell, elsewhere: Cell, revoked: Cell, erased: Cell) -> dict[str, Cell]:
    return {"meant for": OK, "stranger": stranger, "elsewhere": elsewhere, "revoked": revoked,
            "erased": erased}


OUTCOME_WRITER = refused("not its outcome", "private button", "not its outcome",
                         "not its outcome")
ANSWERER = refused("not a recipient", "private button", "not a recipient", "not a recipient")
EXPLANATION = "I will take this to the transport committee on 4 May."

ACTIONS: tuple[ActionRow, ...] = (
    ActionRow("button", "chal", "Support", "lee", "project group",
              refused("not in the project", "not in the project", OK, OK),
              ok=("your support for #1 is counted",), about="challenge #1",
              note="`chal:support:1` on the card of #1"),
    ActionRow("button", "chal", "Support", "lee", "private",
              refused("not in the project", "not in the project", "not in the project",
                      "not in the project"),
              ok=("your support for #1 is counted",), found_in="project group",
              about="challenge #1",
              note="the same action from a private chat: counts for someone who takes part"),
    ActionRow("button", "poll", "By the pond", "kim", "project group",
              refused("stale", "stale", OK, OK), ok=("Your vote in poll #3",),
              note="`poll:<id>:1`, an option of an open poll"),
    ActionRow("button", "chalans", "Acknowledge", "jane", "private", ANSWERER, ok=("Acknowledged #1",),
              note="on a challenge notice"),
    ActionRow("button", "chalans", "Answer", "jane", "private", ANSWERER, ok=("How do you answer #1",)),
    ActionRow("button", "chalans", "Taken forward", "jane", "private", ANSWERER,
              ok=("Now write your explanation",), prepare=("press:Answer",),
              note="an outcome, while answering"),
    ActionRow("button", "chalans", "Confirm", "jane", "private", ANSWERER, ok=("Thank you. Your answer",),
              prepare=("press:Answer", "press:Taken forward", EXPLANATION),
              note="sends a previewed answer"),
    ActionRow("button", "chalans", "Cancel", "jane", "private", ANSWERER, ok=(T.CANCELLED,),
              prepare=("press:Answer",), note="stops answering"),
    ActionRow("form", "chalanswer", "outcome: forward; explanation", "jane", "private",
              refused("not a recipient", NA, "not a recipient", "not a recipient"),
              ok=("Thank you. Your answer",), action="chalanswer:{challenge}",
              note="the answer form (Slack)"),
    ActionRow("conversation", "challenge_answer", EXPLANATION, "jane", "private",
              refused(NOTHING_WAITING, NA, NOTHING_WAITING, NOTHING_WAITING), ok=("Send it?",),
              prepare=("press:Answer", "press:Taken forward"),
              note="the explanation typed while answering"),
    ActionRow("conversation", "poll.outcome", "The bench goes by the pond in March.", "fran",
              "private", refused(NOTHING_WAITING, NA, NOTHING_WAITING, NOTHING_WAITING), ok=("Post it?",),
              prepare=("group:/closepoll 3",),
              note="a draft outcome, after \"What happens next after poll #3?\""),
    ActionRow("button", "pollout", "#3 Where", "fran", "private", OUTCOME_WRITER,
              ok=("as it will be posted",),
              prepare=("group:/poll Which day? | Monday | Friday", "group:/closepoll 4",
                       "group:/closepoll 3", "The bench goes by the pond in March."),
              note="which poll a draft outcome is for, with two polls waiting"),
    ActionRow("button", "pollout", "Confirm", "fran", "private", OUTCOME_WRITER,
              ok=("Thank you. The outcome of poll #3",),
              prepare=("group:/closepoll 3", "The bench goes by the pond in March."),
              note="posts a previewed outcome"),
    ActionRow("button", "pollout", "Cancel", "fran", "private", OUTCOME_WRITER,
              ok=("Nothing was posted",),
              prepare=("group:/closepoll 3", "The bench goes by the pond in March."),
              note="drops a previewed outcome"),
    ActionRow("button", "link", "Accept", "carl", "private",
              refused("not their link", "private button", "link ended", "not their link"),
              ok=("You are now linked to",), note="a link proposal"),
    ActionRow("button", "link", "Leave", "jane", "private",
              refused("not their link", "private button", "not linked", "not their link"),
              ok=("You have left",), prepare=("/mygroups",), note="on /mygroups"),
    ActionRow("button", "chalfup", "Yes", "lee", "private",
              refused("not their follow-up", "private button", "not their follow-up",
                      "not their follow-up"),
              ok=("I have noted that #2 was answered",), note="\"Was this answered?\" of #2"),
    ActionRow("button", "privacy", PEOPLE_T.FORGET_BUTTON_CONFIRM, "kim", "private",
              refused("stale", "not their erasure", "stale", "stale"),
              ok=("Your data is erased",), prepare=("/forgetme",),
              note="confirms /forgetme"),
)


def action_reason(code: str) -> str | None:
    """The exact notice or reply for a refusal code."""
    return ACTION_REASONS[code]


def reason(code: str, row: Row, roles_text: str) -> str:
    """The exact one-line reply for a refusal code."""
    name = row.refusal_name if code == "not its facilitator" and row.refusal_name else row.name
    move = row.move
    text = REASONS[code].replace("<roles>", roles_text)
    return text.replace("{name}", name).replace("{move}", move)


# ---- the table in docs/security.md ----------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
BEGIN = "<!-- authorization matrix: generated from tests/authorization_matrix.py -->"
END = "<!-- end of the authorization matrix -->"
SHORT = {"resident": "R", "facilitator": "F", "other facilitator": "F'",
         "linked councillor": "C", "unlinked councillor": "C'", "admin": "A"}


def markdown() -> str:
    """The matrix as markdown: a row per command and chat kind, a column per role, a legend."""
    out = [BEGIN, ""]
    out.append("Columns: " + "; ".join(f"**{SHORT[r]}** {d}" for r, (_, d) in ROLES.items())
               + ". ✓ allowed; otherwise the reason given (legend below).")
    out.append("")
    out.append("| command | chat | " + " | ".join(SHORT[r] for r in ROLES) + " |")
    out.append("| --- | --- | " + " | ".join("---" for _ in ROLES) + " |")
    for row in MATRIX:
        label = f"`{row.line}`" + (f" ({row.note})" if row.note else "")
        for chat in CHATS:
            cells = ["✓" if row.cell(chat, r) == OK else row.cell(chat, r) for r in ROLES]
            out.append(f"| {label} | {chat} | " + " | ".join(cells) + " |")
            label = ""
    out.append("")
    out.append("| reason | what the person is told |")
    out.append("| --- | --- |")
    for code, text in REASONS.items():
        shown = text.replace("{name}", "<command>").replace("{move}", "<verb>")
        out.append(f"| {code} | {shown.replace('|', '/')} |")
    out.append("")
    out.extend(action_markdown())
    out.append("")
    out.append(END)
    return "\n".join(out)


ACTION_SHORT = {"meant for": "owner", "stranger": "stranger", "elsewhere": "elsewhere",
                "revoked": "revoked", "erased": "erased"}


def action_markdown() -> list[str]:
    """Buttons, forms and conversations: a row each, a column per presser, a legend."""
    out = ["Buttons, forms and conversation steps. Columns: "
           + "; ".join(f"**{ACTION_SHORT[p]}** {d}" for p, d in PRESSERS.items())
           + ". ✓ done; n/a: no way to do it there; otherwise the answer given (legend below), "
           "and nothing changes.", ""]
    out.append("| what | route | shown | " + " | ".join(ACTION_SHORT[p] for p in PRESSERS) + " |")
    out.append("| --- | --- | --- | " + " | ".join("---" for _ in PRESSERS) + " |")
    for row in ACTIONS:
        what = f"{row.kind} “{row.label}”" + (f" ({row.note})" if row.note else "")
        cells = ["✓" if row.cell(p) == OK else row.cell(p) for p in PRESSERS]
        out.append(f"| {what.replace('|', '/')} | `{row.route}` | {row.shown} | "
                   + " | ".join(cells) + " |")
    out.append("")
    out.append("| answer | what the person is told |")
    out.append("| --- | --- |")
    for code, text in ACTION_REASONS.items():
        out.append(f"| {code} | {text.replace('|', '/')} |")
    return out


def document_section(text: str) -> str | None:
    match = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, re.S)
    return None if match is None else match.group(0)


def rewrite_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    current = document_section(text)
    if current is None:
        raise SystemExit(f"{DOC} has no generated matrix section to replace")
    DOC.write_text(text.replace(current, markdown()), encoding="utf-8")


@dataclass
class Counts:
    allowed: int = 0
    refused: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


def counts() -> Counts:
    found = Counts()
    for row in MATRIX:
        for chat in CHATS:
            for role in ROLES:
                cell = row.cell(chat, role)
                if cell == OK:
                    found.allowed += 1
                else:
                    found.refused += 1
                    found.by_reason[cell] = found.by_reason.get(cell, 0) + 1
    return found


if __name__ == "__main__":
    rewrite_doc()
    sys.stdout.write(f"rewrote the matrix in {DOC}\n")
