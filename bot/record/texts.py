"""The public record's words: the /public command's replies, and what the web pages call things."""

# ---- /public -----------------------------------------------------------------------------------
PUBLIC_SHOW_ON = "{project} is on the public record{link}."
PUBLIC_SHOW_OFF = (
    "{project} is not on the public record. A facilitator can publish it with /public on."
)
PUBLIC_ALREADY_ON = "{project} is already on the public record{link}."
PUBLIC_ALREADY_OFF = "{project} is not on the public record."
PUBLIC_NOW_ON = (
    "**{project} is now on the public record{link}.**\n"
    "Anyone can read its scope, its scope challenges with the councillors' answers, and its polls' "
    "totals and outcomes. Residents are never named there: a challenge is raised by \"a resident\", "
    "supporters and votes are numbers. A facilitator can take it down with /public off."
)
PUBLIC_NOW_OFF = "**{project} is no longer on the public record.** Its pages are taken down."
PUBLIC_USAGE_WORDS = ("on", "off")
CARD_PUBLIC_LINK = "On the public record: {url}"
CARD_PUBLIC = "This challenge is on the public record."

# ---- how people and states are called on the web ----------------------------------------------
A_RESIDENT = "a resident"
A_FACILITATOR = "a facilitator"
FORMER_COUNCILLOR = "a former councillor"
THE_FACILITATORS = "the project's facilitators"

STATE_WORDS = {
    "open": "awaiting acknowledgement",
    "reminded": "awaiting acknowledgement, reminded",
    "acknowledged": "acknowledged, awaiting an answer",
    "escalated": "escalated, awaiting an answer",
    "reopened": "reopened, awaiting an answer",
    "answered": "answered",
    "withdrawn": "withdrawn",
}
FOLLOWUP_WORDS = {
    "yes": "The resident who raised it said it was answered.",
    "not_really": "The resident who raised it said it was not really answered.",
    "still_waiting": "The resident who raised it said they are still waiting.",
}
ROUTED_WORDS = {
    "linked": "the councillors linked to the project",
    "ward": "the ward's councillors (no councillor was linked)",
    "facilitators": "the project's facilitators (no councillor was linked)",
}

EVENT_RAISED = "Raised by a resident"
EVENT_SENT = "Sent to {names}"
EVENT_REMINDED = "Reminder sent: not acknowledged yet"
EVENT_ACKNOWLEDGED = "Acknowledged by {name}"
EVENT_ESCALATED = "Escalated to {names}"
EVENT_ESCALATED_NOBODY = "Escalated: no answer within the time the council set"
EVENT_ANSWERED = "Answered by {name}: {outcome}"
EVENT_FOLLOWUP_ASKED = "The resident who raised it was asked whether it was answered"
EVENT_REOPENED = "Reopened: the resident who raised it said it was not really answered"
EVENT_WITHDRAWN = "Withdrawn by the resident who raised it"

POLL_OPEN = "open until {when}"
POLL_CLOSED = "closed on {when}"
POLL_RESULTS_AT_CLOSE = "The totals are published when the poll closes."
POLL_HIDDEN_UNTIL_CLOSE = "The totals are hidden until the poll closes."
POLL_KIND_NAMED = "named vote (only totals are published)"
POLL_KIND_ANONYMOUS = "anonymous vote"

ANSWER_BUCKETS = ("under a day", "1–3 days", "3–7 days", "1–2 weeks", "2–4 weeks", "over 4 weeks")
