"""What the challenges feature says: its catalogue of user-facing text."""

from bot.kernel.plurals import Plural

# ---- scope challenges ------------------------------------------------------------------------
# Where a challenge stands (bot.challenges.states.public_state), as /challenge and /challenges say
# it; the public record uses the same words.
CHALLENGE_STATUS_WORDS = {
    "open": "awaiting acknowledgement",
    "reminded": "awaiting acknowledgement, reminded",
    "acknowledged": "acknowledged, awaiting an answer",
    "escalated": "escalated, awaiting an answer",
    "reopened": "reopened, awaiting an answer",
    "answered": "answered",
    "withdrawn": "withdrawn",
}
# Each outcome has one name everywhere: buttons, cards, answers, digests, exports, the record, /help.
OUTCOME_NAMES = {
    "in_scope": "In scope",
    "forward": "Taken forward",
    "referred": "Referred",
    "declined": "Declined",
}
OUTCOME_BUTTONS = OUTCOME_NAMES
OUTCOME_WORDS = {key: name.lower() for key, name in OUTCOME_NAMES.items()}  # inside a sentence
OUTCOME_KEYWORDS = "in-scope|taken-forward|referred|declined"
BUTTON_SUPPORT = "Support"
BUTTON_CONFIRM = "Confirm"
BUTTON_CANCEL = "Cancel"
BUTTON_FOLLOWUP = {"yes": "Yes", "not_really": "Not really", "still_waiting": "Still waiting"}
FORMER_MEMBER = "a former member"
CHALLENGE_CARD = (
    "**Scope challenge #{number}** raised by {raiser}:\n{text}\n{status}\nSupporters: {supporters}"
)
CHALLENGE_WITH_COMMENT = "{text}\n__With it they wrote:__ {comment}"
CHALLENGE_CARD_SENT = "Sent to {names}."
CHALLENGE_CARD_NO_COUNCILLOR = "No councillor is linked: sent to the facilitators ({names})."
CHALLENGE_CARD_NOBODY = "Nobody to send it to yet: a facilitator can /link a councillor."
CHALLENGE_CARD_ACKNOWLEDGED = "Acknowledged by {name}, awaiting an answer."
CHALLENGE_CARD_ANSWERED = "Answered by {name}: {outcome}."
CHALLENGE_CARD_WITHDRAWN = "Withdrawn by the person who raised it."
CHALLENGE_CARD_REOPENED = "Reopened: its raiser says it was not really answered."
# Escalated: who has it now; how it got there is the timeline line below the card.
CHALLENGE_CARD_ESCALATED = "Sent to {names}: still awaiting an answer."
CHALLENGE_CARD_ESCALATED_NOBODY = "Still awaiting an answer."
CHALLENGE_NOTICE = (
    "**Scope challenge #{number} — {project}**\n"
    "{flag}"
    "**Scope of the project:** {scope}\n"
    "**Raised by {raiser}:**\n{text}\n"
    "Supporters so far: {supporters}\n"
    "Answer with the button, or in one line here:\n"
    "/answer {number} <{keywords}> <explanation>"
)
CHALLENGE_FLAG_WARD = (
    "No councillor is linked to this project, so it comes to you as a councillor for "
    "{wards}.\n"
)
CHALLENGE_FLAG_FACILITATOR = (
    "**No councillor linked:** it comes to you as a facilitator of this project.\n"
)
CHALLENGE_TOO_SHORT = Plural(
    "Please say a little more: a challenge needs at least {minimum} character.",
    "Please say a little more: a challenge needs at least {minimum} characters.", count="minimum")
CHALLENGE_NONE = "No scope challenges in {project} yet. Raise one with /challenge <text>."
CHALLENGE_LIST_HEADER = "**Scope challenges in {project}:**"
CHALLENGE_LIST_LINE = "#{number} {status} · {age} old · supporters: {supporters} — {text}"
CHALLENGE_SHOW = (
    "**Scope challenge #{number}** in {project}, raised by {raiser} {age} ago:\n{text}\n"
    "Status: {status} · Supporters: {supporters}"
)
CHALLENGE_SHOW_ANSWER = "**Answer from {name}** ({outcome}, {when}):\n{explanation}"
CHALLENGE_UNKNOWN = "There is no challenge #{number} in {project}."
CHALLENGE_SUPPORTED = "Thank you: your support for #{number} is counted."
CHALLENGE_SUPPORT_NOT_HERE = (
    "Only people taking part in its project can support #{number}, from one of its chats."
)
CHALLENGE_SUPPORT_TWICE = "You support #{number} already; each person counts once."
CHALLENGE_SUPPORT_OWN = "You raised #{number}; it counts as yours already."
CHALLENGE_SUPPORT_ANSWERED = "#{number} has been answered; it takes no more support."
CHALLENGE_SUPPORT_WITHDRAWN = "#{number} was withdrawn; it takes no more support."
CHALLENGE_ALREADY_ACKNOWLEDGED = "#{number} is acknowledged already."
CHALLENGE_ALREADY_ANSWERED = "#{number} has already been answered."
CHALLENGE_ACK_WITHDRAWN = (
    "#{number} was withdrawn by the person who raised it; nothing to acknowledge."
)
CHALLENGE_ANSWER_WITHDRAWN = (
    "#{number} was withdrawn by the person who raised it and cannot be answered."
)
CHALLENGE_WITHDRAW_ANSWERED = (
    "#{number} has already been answered, so it can no longer be withdrawn."
)
CHALLENGE_ALREADY_WITHDRAWN = "#{number} is withdrawn already."
CHALLENGE_REOPEN_NOT_ANSWERED = "#{number} is not answered, so there is nothing to reopen."
CHALLENGE_MOVE_IMPOSSIBLE = "#{number} is {status}: you cannot {move} it now."
CHALLENGE_NOT_RECIPIENT = (
    "Only the councillors #{number} was sent to, or who are linked to its project, can "
    "answer it."
)
CHALLENGE_WITHDRAW_NOT_YOURS = "Only the person who raised #{number} can withdraw it."
CHALLENGE_ACKNOWLEDGED = (
    "Acknowledged #{number} in {project}. Press Answer when you are ready, or use /answer."
)
CHALLENGE_ACK_TOLD = "{name} has acknowledged your scope challenge #{number} in {project}."
CHALLENGE_WITHDRAWN_POST = "Scope challenge #{number} was withdrawn by the person who raised it."
CHALLENGE_WITHDRAWN_TELL = (
    "Scope challenge #{number} in {project} was withdrawn by the person who raised it; no "
    "answer is needed."
)
CHALLENGE_WITHDRAWN_DONE = "You have withdrawn #{number}."
CHALLENGE_REF_UNKNOWN = "You have no challenge #{number} to {move}."
CHALLENGE_REF_AMBIGUOUS = (
    "Several of your projects have a challenge #{number}: say which, as {choices}."
)
CHALLENGE_REF_BAD = (
    "{text} is not a challenge number. Use the number, e.g. 3, or the project code with it, "
    "e.g. {example}."
)
CHALLENGE_PROJECT_UNKNOWN = "No project has the code {code}."
ANSWER_CHOOSE_OUTCOME = "How do you answer #{number} in {project}?\n{challenge}"
ANSWER_ASK_EXPLANATION = (
    "Outcome: **{outcome}**.\n"
    "Now write your explanation in one message: what happens next, and why. "
    "It is posted to the project exactly as you write it. (/cancel to stop.)"
)
ANSWER_PICK_WITH_BUTTONS = "Please choose an outcome with the buttons above, or send /cancel."
ANSWER_EXPLANATION_TOO_SHORT = Plural(
    "An answer must explain itself: please write at least {minimum} character.",
    "An answer must explain itself: please write at least {minimum} characters.", count="minimum")
ANSWER_PREVIEW = "Your answer to #{number} in {project}:\n**{outcome}**\n{explanation}\nSend it?"
ANSWER_PRESS_CONFIRM = "Press Confirm to send your answer, or Cancel (or send /cancel)."
ANSWER_NOT_IN_PROGRESS = (
    "That answer is no longer in progress. Press Answer on the challenge to start again."
)
ANSWER_OUTCOME_UNKNOWN = (
    "I don't know the outcome {outcome}. Use in-scope, taken-forward, referred or declined."
)
ANSWER_FORM_TITLE = "Answer challenge #{number}"
ANSWER_FORM_OUTCOME = "Outcome"
ANSWER_FORM_EXPLANATION = "Explanation (what happens next, and why)"
ANSWER_FORM_SUBMIT = "Send answer"
ANSWER_FORM_PICK_OUTCOME = "Please choose an outcome."
ANSWER_POSTED = (
    "**Answer to scope challenge #{number}** from {name} — {outcome}:\n{explanation}\n__The "
    "challenge:__ {challenge}"
)
ANSWER_TO_RAISER = (
    "Your scope challenge #{number} in {project} has an answer from {name} — "
    "**{outcome}**:\n{explanation}"
)
ANSWER_SENT = (
    "Thank you. Your answer to #{number} is posted in {project} and sent to the person who "
    "raised it."
)
ANSWER_SENT_RAISER_GONE = (
    "Thank you. Your answer to #{number} is posted in {project}. The person who raised it has "
    "since erased their data, so it is not sent to them."
)
ANSWER_TOLD_OTHERS = "{name} has answered #{number} in {project}; nothing more is needed from you."
FOLLOWUP_QUESTION = Plural(
    "{days} day ago {name} answered your scope challenge #{number} in {project}: **{outcome}**.\n"
    "{explanation}\nWas this answered?",
    "{days} days ago {name} answered your scope challenge #{number} in {project}: **{outcome}**.\n"
    "{explanation}\nWas this answered?", count="days")
FOLLOWUP_NOT_YOURS = "This question was for the person who raised the challenge."
FOLLOWUP_ALREADY = "You have answered this question already. Thank you."
FOLLOWUP_THANKS_YES = "Thank you. I have noted that #{number} was answered."
FOLLOWUP_THANKS_REOPENED = "I have reopened #{number} and told {name}."
FOLLOWUP_THANKS_WAITING = "I have told {name} that you are still waiting."
FOLLOWUP_REOPENED_TELL = (
    "The person who raised #{number} in {project} says your answer did not really answer it. "
    "It is open again: please answer it once more."
)
FOLLOWUP_REOPENED_POST = (
    "Scope challenge #{number} is open again: the person who raised it says it was not "
    "really answered."
)
FOLLOWUP_WAITING_TELL = (
    "The person who raised #{number} in {project} is still waiting for what your answer said "
    "would happen."
)
FIGURES_NONE = "no challenges yet"
FIGURES_ANSWER = "answers in {median}"
FIGURES_ACK = "acknowledges in {median}"
FIGURES_BEFORE_ESCALATION = "{answered} of {total} answered before escalation"
FIGURES_SATISFIED = Plural("{yes} of {replies} raiser satisfied", "{yes} of {replies} raisers satisfied",
                           count="replies")
FIGURES_WAITING = "{count} awaiting an answer"

# ---- chasing in one message a day --------------------------------------------------------------
CHASE_HEADER = "**Scope challenges waiting for you** ({count} new since my last message):"
CHASE_LINE_REMIND = "• #{number} in {project}: not acknowledged after {age}. “{text}”"
CHASE_LINE_ESCALATED = (
    "• #{number} in {project}, escalated to you: no answer after {age} from {names}. "
    "Raised by {raiser} (supporters: {supporters}): “{text}”"
)
CHASE_LINE_TOLD = "• #{number} in {project}: no answer after {age}, so I have told {told}."
CHASE_LINE_NOBODY_ELSE = (
    "• #{number} in {project}: no answer after {age}, and there is nobody else to tell: "
    "please answer it."
)
CHASE_TOLD_WHO = {"ward": "the ward's other councillors", "facilitators": "the project's facilitators"}
CHASE_MORE = "…and {more} more."
CHASE_FACILITATOR_STEPS = (
    "Next steps: ask another councillor to take it with /link <name> in the project group; show "
    "the group where it stands with /challenge {number}; if it was sent to you to answer (no "
    "councillor linked), /answer {number} <outcome> <explanation>."
)
CHASE_FOOTER = "/inbox lists everything that waits for you."
CHASE_BUTTON_ACKNOWLEDGE = "Acknowledge #{number}"
CHASE_BUTTON_ANSWER = "Answer #{number}"
ESCALATION_RAISER = (
    "Your scope challenge #{number} in {project} has had no answer for {age}, so I have told {told}."
)
ESCALATION_AGAIN = "the councillors it was sent to again"

# ---- the timeline of a challenge ---------------------------------------------------------------
TIMELINE_REMINDED = "Reminded {names} on {day}"
TIMELINE_ESCALATED = "escalated to {who} on {day}"
TIMELINE_ESCALATED_NOBODY = "escalated on {day}, with nobody else to tell"
TIMELINE_WHO = {"ward": "the ward's councillors", "facilitators": "the facilitators"}
TIMELINE_HEADER = "**Timeline:**"
TIMELINE_RAISED = "{day}: raised by {raiser}; sent to {names}"
TIMELINE_RAISED_NOBODY = "{day}: raised by {raiser}; nobody to send it to yet"
TIMELINE_ACKNOWLEDGED = "{day}: acknowledged by {name}"
TIMELINE_REMINDER = "{day}: reminded {names}"
TIMELINE_ESCALATION = "{day}: escalated to {who}"
TIMELINE_ESCALATION_NOBODY = "{day}: escalated, with nobody else to tell"
TIMELINE_ANSWERED = "{day}: answered by {name} ({outcome})"
TIMELINE_REOPENED = "{day}: reopened by its raiser (not really answered)"
TIMELINE_WITHDRAWN = "withdrawn by the person who raised it"
TIMELINE_ESCALATED_FIRST = "Escalated to {who} on {day}"
TIMELINE_ESCALATED_NOBODY_FIRST = "Escalated on {day}, with nobody else to tell"
