"""Every user-facing text, in one place. ``**bold**``, ``__italic__``; ``{name}`` takes a value.

Values are always inserted as plain text (see bot.rich), so user text cannot format or mention.
"""

# ---- general ---------------------------------------------------------------------------------
INTERNAL_ERROR = "Sorry, something went wrong on my side and nothing was changed. Please try again."
UNKNOWN_COMMAND = "I don't know /{name}. Send /help for the commands you can use here."
USAGE = "Usage: {usage}\nExample: {example}"
PRIVATE_ONLY = "Please use /{name} in a private chat with me."
GROUP_ONLY = "/{name} works in a project group chat."
NOT_A_PROJECT = "This chat is not a project group yet. A facilitator can register it with /project <name>."
ROLE_REQUIRED = "Only {roles} can use /{name}."
NOT_PROJECT_FACILITATOR = "Only this project's facilitators can use /{name} here."
STALE_BUTTON = "That button is no longer active."
CANCELLED = "Cancelled. Nothing was changed."
NOTHING_TO_CANCEL = "There is nothing to cancel."
TOO_LONG = "That is too long: please keep it under {limit} characters."
ROLE_NAMES = {
    "resident": "residents",
    "facilitator": "facilitators",
    "councillor": "councillors",
    "admin": "admins",
}

# ---- help ------------------------------------------------------------------------------------
HELP_HEADER = "**Commands you can use here:**"
HELP_LINE = "/{name} — {summary}"
HELP_FOOTER = "Send /help <command> for its usage and an example."
HELP_COMMAND = "**/{name}** — {summary}\nUsage: {usage}\nExample: {example}"
HELP_NO_COMMANDS = "There are no commands for you here."

# ---- onboarding ------------------------------------------------------------------------------
WELCOME = (
    "Hello {name}, I am {bot}. I connect project groups with their councillors.\n"
    "If you were given an invite code, send /start <code>. Send /help to see what you can do."
)
INVITE_UNKNOWN = "That invite code is not valid. Check it and try again."
INVITE_USED = "That invite code has already been used. Ask for a new one."
INVITE_EXPIRED = "That invite code has expired. Ask for a new one."
INVITE_TOO_MANY = "Too many wrong codes. Please wait an hour and try again."
INVITE_WELCOME_COUNCILLOR = (
    "Welcome, {name}. You are registered as a councillor for {wards}.\n"
    "I will ask you before linking you to project groups in your ward or portfolio, "
    "and send you the scope challenges they raise. Send /help to see your commands."
)
INVITE_WELCOME_FACILITATOR = (
    "Welcome, {name}. You are registered as a facilitator.\n"
    "Add me to your project group chat and send /project <name> there to register it."
)
INVITE_WELCOME_ADMIN = "Welcome, {name}. You are registered as an admin."
INVITE_LINKED = "This account is now linked to {name}; you keep the same roles on every platform."

# ---- projects --------------------------------------------------------------------------------
PROJECT_REGISTERED = (
    "**{name}** is registered as a project group.\n"
    "Project code: `{code}` (use /project join {code} to add another chat to this project).\n"
    "Next: set its /scope, /ward and /topics."
)
PROJECT_ALREADY = "This chat already belongs to the project **{name}**."
PROJECT_JOINED = "This chat is now part of the project **{name}**."
PROJECT_JOIN_UNKNOWN = "No project has the code {code}."
PROJECT_NAME_REQUIRED = "Give the project a name: /project <name>"
PROJECT_INFO = "This chat belongs to the project **{name}** (code `{code}`)."
SCOPE_SHOW = "**Scope of {project}:**\n{scope}"
SCOPE_EMPTY = "{project} has no scope statement yet. A facilitator can set one with /scope <text>."
SCOPE_SET = "Scope of **{project}** set:\n{scope}"
WARD_SHOW = "{project} covers: {wards}"
WARD_EMPTY = "{project} has no ward yet. A facilitator can set it with /ward <name>."
WARD_SET = "{project} now covers: {wards}"
WARD_UNKNOWN = "I don't know the ward {ward}. Known wards: {known}"
TOPICS_SHOW = "{project} topics: {topics}"
TOPICS_EMPTY = "{project} has no topics yet. A facilitator can set them with /topics <t1>, <t2>."
TOPICS_SET = "{project} topics: {topics}"
COUNCILLORS_NONE = "No councillor is linked to {project} yet."
COUNCILLORS_HEADER = "**Councillors linked to {project}:**"
COUNCILLORS_LINE = "• {name} ({wards}){figures}"
BOT_ADDED = (
    "Hello, I am {bot}. A facilitator can register this chat as a project group with "
    "/project <name>. Send /help to see what I can do."
)

# ---- linking ---------------------------------------------------------------------------------
NO_SCOPE_YET = "(no scope statement yet)"
BUTTON_ACCEPT = "Accept"
BUTTON_DECLINE = "Decline"
BUTTON_ACCEPT_PROJECT = "Accept {project}"
BUTTON_LEAVE = "Leave {project}"
LINK_PROPOSAL = (
    "**{project}** is an active project group in your {reason}.\n"
    "Its scope: {scope}\n"
    "Shall I link you to it? You would receive its scope challenges and its news in your digest."
)
LINK_AUTO = (
    "You are now linked to **{project}** ({reason}). Its scope challenges will come to you here."
)
LINK_ACCEPTED = "You are now linked to **{project}**. Its scope challenges will come to you here."
LINK_DECLINED = (
    "You will not be linked to **{project}**. "
    "If its facilitators ask again with /link, I will let you know."
)
LINK_ANNOUNCE = "{name} ({wards}) is now linked to this project."
LINK_LEFT = "You have left **{project}**. Its challenges will no longer come to you."
LINK_LEFT_ANNOUNCE = "{name} is no longer linked to this project."
LINK_NOT_YOURS = "This was sent to another councillor."
LINK_ALREADY_DECIDED = "You have already {status} {project}."
LINK_STATUS_WORDS = {"accepted": "accepted", "declined": "declined", "left": "left"}
LINK_NOT_LINKED_YOU = "You are not linked to {project}."
LINK_REASON_ASKED = "asked by {name}"
LINK_ASKED = "I have asked {name} to link to this project and will say here when they accept."
LINK_ALREADY_LINKED = "{name} is already linked to this project."
LINK_ALREADY_PROPOSED = "{name} has been asked already and has not answered yet."
LINK_UNREACHABLE = (
    "I cannot reach {name} in a private chat (they may have blocked me), so I cannot ask them. "
    "They can write to me privately to fix that."
)
LINK_UNKNOWN_COUNCILLOR = "I know no councillor called {name}. Councillors: {known}"
LINK_AMBIGUOUS = "Several councillors match {name}: {names}. Please give the full name."
UNLINK_NOT_LINKED = "{name} is not linked to this project."
UNLINKED_TELL = "A facilitator has unlinked you from **{project}**."
MYGROUPS_HEADER = "**Your project groups:**"
MYGROUPS_LINE = "• {project} (`{code}`, {reason}) — linked since {since}"
MYGROUPS_PENDING = "• {project} (`{code}`) — asked to link, waiting for your answer"
MYGROUPS_NONE = "You are not linked to any project group yet."

# ---- scope challenges ------------------------------------------------------------------------
CHALLENGE_STATUS_REOPENED = "reopened, awaiting an answer"
CHALLENGE_STATUS_WORDS = {
    "open": "awaiting acknowledgement",
    "acknowledged": "acknowledged, awaiting an answer",
    "answered": "answered",
    "withdrawn": "withdrawn",
}
OUTCOME_WORDS = {
    "in_scope": "in scope — handed back to the project",
    "forward": "taking it forward",
    "referred": "referred",
    "declined": "not taken forward",
}
OUTCOME_BUTTONS = {
    "in_scope": "In scope",
    "forward": "Taking it forward",
    "referred": "Referred",
    "declined": "Not taken forward",
}
BUTTON_SUPPORT = "Support"
BUTTON_ACKNOWLEDGE = "Acknowledge"
BUTTON_ANSWER = "Answer"
BUTTON_CONFIRM = "Confirm"
BUTTON_CANCEL = "Cancel"
BUTTON_FOLLOWUP = {"yes": "Yes", "not_really": "Not really", "still_waiting": "Still waiting"}
FORMER_MEMBER = "a former member"
CHALLENGE_CARD = (
    "**Scope challenge #{number}** raised by {raiser}:\n{text}\n{status}\nSupporters: {supporters}"
)
CHALLENGE_CARD_SENT = "Sent to {names}."
CHALLENGE_CARD_NO_COUNCILLOR = "No councillor is linked: sent to the facilitators ({names})."
CHALLENGE_CARD_NOBODY = "Nobody to send it to yet: a facilitator can /link a councillor."
CHALLENGE_CARD_ACKNOWLEDGED = "Acknowledged by {name}, awaiting an answer."
CHALLENGE_CARD_ANSWERED = "Answered by {name}: {outcome}."
CHALLENGE_CARD_WITHDRAWN = "Withdrawn by the person who raised it."
CHALLENGE_CARD_REOPENED = "Reopened: its raiser says it was not really answered."
CHALLENGE_NOTICE = (
    "**Scope challenge #{number} — {project}**\n"
    "{flag}"
    "**Scope of the project:** {scope}\n"
    "**Raised by {raiser}:**\n{text}\n"
    "Supporters so far: {supporters}\n"
    "Answer with the button, or in one line here:\n"
    "/answer {number} <in-scope|forward|referred|declined> <explanation>"
)
CHALLENGE_FLAG_WARD = (
    "No councillor is linked to this project, so it comes to you as a councillor for "
    "{wards}.\n"
)
CHALLENGE_FLAG_FACILITATOR = (
    "**No councillor linked:** it comes to you as a facilitator of this project.\n"
)
CHALLENGE_TOO_SHORT = "Please say a little more: a challenge needs at least {minimum} characters."
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
ANSWER_EXPLANATION_TOO_SHORT = (
    "An answer must explain itself: please write at least {minimum} characters."
)
ANSWER_PREVIEW = "Your answer to #{number} in {project}:\n**{outcome}**\n{explanation}\nSend it?"
ANSWER_PRESS_CONFIRM = "Press Confirm to send your answer, or Cancel (or send /cancel)."
ANSWER_NOT_IN_PROGRESS = (
    "That answer is no longer in progress. Press Answer on the challenge to start again."
)
ANSWER_OUTCOME_UNKNOWN = (
    "I don't know the outcome {outcome}. Use in-scope, forward, referred or declined."
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
ANSWER_TOLD_OTHERS = "{name} has answered #{number} in {project}; nothing more is needed from you."
REMINDER = (
    "Reminder: scope challenge #{number} in {project} has waited {age} without "
    "acknowledgement.\n{challenge}"
)
ESCALATION = (
    "**Escalation:** scope challenge #{number} in {project} "
    "has been awaiting an answer for {age}.\n"
    "**Raised by {raiser}:**\n{challenge}\nSupporters: {supporters}. It was sent to {names}."
)
ESCALATION_TOLD = (
    "Scope challenge #{number} in {project} has waited {age} for an answer, so I have told "
    "{names}."
)
ESCALATION_NOBODY_ELSE = (
    "Scope challenge #{number} in {project} has waited {age} for an answer, and there is nobody "
    "else to tell. Please answer it, or ask a councillor to link to the project with /link."
)
ESCALATION_WARD_COUNCILLORS = "the ward's other councillors"
ESCALATION_FACILITATORS = "the project's facilitators"
FOLLOWUP_QUESTION = (
    "{days} days ago {name} answered your scope challenge #{number} in {project} — **{outcome}**:\n"
    "{explanation}\nWas this answered?"
)
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
FIGURES_SATISFIED = "{yes} of {replies} raisers satisfied"
FIGURES_WAITING = "{count} awaiting an answer"


# ---- polls -----------------------------------------------------------------------------------
POLL_USAGE_HINT = (
    "Write the question and the options separated by |, e.g. "
    "/poll Where should the bench go? | By the pond | Under the oak --closes 3d"
)
POLL_UNCLOSED_QUOTE = "A quotation mark is not closed."
POLL_UNKNOWN_FLAG = "I don't know the option {flag}. Options: --multi, --anonymous, --hide-results, --closes <when>. Put text that starts with -- in quotes."
POLL_REPEATED_FLAG = "{flag} is given twice."
POLL_FLAG_TAKES_NO_VALUE = "{flag} takes no value."
POLL_CLOSES_MISSING = "--closes needs a time: 2h, 3d, 18:00 or 2026-12-01T18:00."
POLL_NO_QUESTION = "The poll needs a question before the first |."
POLL_QUESTION_TOO_LONG = "The question is too long: at most {limit} characters."
POLL_TOO_FEW_OPTIONS = "A poll needs at least {least} options, separated by |."
POLL_TOO_MANY_OPTIONS = "A poll can have at most {most} options."
POLL_EMPTY_OPTION = "Option {number} is empty."
POLL_OPTION_TOO_LONG = "Option {number} is too long: at most {limit} characters."
POLL_DUPLICATE_OPTION = "The option \"{option}\" is given twice."
POLL_BAD_CLOSES = "I can't read \"{value}\" as a deadline. Use 2h, 3d, 18:00 or 2026-12-01T18:00."
POLL_CLOSES_PAST = "That deadline has already passed. Give a time in the future."
POLL_CLOSES_TOO_FAR = "A quick poll can run for at most {days} days."
POLL_NOT_ALLOWED = "Only this project's facilitators{councillors} can start a poll here."
POLL_NOT_ALLOWED_COUNCILLORS = " and linked councillors"
# The poll message
POLL_HEADER = "**Poll #{number}** from {name}:\n**{question}**"
POLL_OPTION_LINE = "{position}. {option}{count}"
POLL_HOW_SINGLE = "Choose one option; you can change your vote until the poll closes."
POLL_HOW_MULTI = "Choose as many options as you like; you can change them until the poll closes."
POLL_HOW_ANONYMOUS_SINGLE = "Choose one option."
POLL_HOW_ANONYMOUS_MULTI = (
    "Choose as many options as you like, all at once: send /vote {number} 1,3 "
    "(with your option numbers)."
)
POLL_WHO_NAMED = "Named poll: everyone in the project can see who voted for what."
POLL_WHO_ANONYMOUS = (
    "Anonymous poll: nobody, not the facilitators and not the bot's administrators, can see who "
    "voted for what; only who took part and the totals are kept. So anonymous votes are final: "
    "they cannot be changed or withdrawn."
)
POLL_RESULTS_LIVE = "Counts are shown as votes come in."
POLL_RESULTS_AT_CLOSE = "Counts are shown when the poll closes."
POLL_RESULTS_HIDDEN = "Results are hidden until the poll closes."
POLL_VOTERS_SO_FAR = "Voted so far: {voters}."
POLL_CLOSES_LINE = "Closes {when}. Vote in the poll, or send /vote {number} <option number>."
POLL_CLOSES_LINE_TEXT = "Closes {when}."
POLL_CLOSED_NOTE = "**Poll #{number} has closed:** {question}\nThe results are below."
# Votes
VOTE_RECORDED = "Your vote in poll #{number}: {choices}."
VOTE_WITHDRAWN = "Your vote in poll #{number} is withdrawn."
VOTE_NOTHING_TO_WITHDRAW = "You have not voted in poll #{number}."
VOTE_ANONYMOUS_COUNTED = "Your anonymous vote in poll #{number} is counted. It cannot be changed."
VOTE_ANONYMOUS_FINAL = (
    "You have already voted in anonymous poll #{number}; anonymous votes cannot be changed "
    "or withdrawn."
)
VOTE_CLOSED = "Sorry, this poll has closed (poll #{number})."
VOTE_NO_SUCH_POLL = "This project has no poll #{number}."
VOTE_NO_SUCH_OPTION = "Poll #{number} has no option \"{choice}\". Its options: {options}"
VOTE_ONE_ONLY = "Poll #{number} takes one option: /vote {number} <option number>."
VOTE_ANONYMOUS_MULTI_BUTTON = (
    "In this anonymous poll, send all your choices at once: /vote {number} 1,3"
)
# Closing, extending, results
POLL_MANAGE_NOT_ALLOWED = (
    "Only this project's facilitators or the person who started poll #{number} can change it."
)
POLL_ALREADY_CLOSED = "Poll #{number} has already closed."
POLL_EXTENDED = "Poll #{number} now closes {when}: {question}"
POLL_EXTEND_BAD = (
    "I can't read \"{value}\" as a duration (2h, 3d) or a new deadline (18:00, 2026-12-01T18:00)."
)
POLL_EXTEND_EARLIER = "The new deadline must be later than the current one ({when})."
POLL_CLOSING_SOON = (
    "Poll #{number} closes {when}: **{question}**\n"
    "Not voted yet? Vote in the poll, or send /vote {number} <option number>."
)
POLL_RESULTS_HEADER = "**Results of poll #{number}:** {question}"
POLL_RESULT_LINE = "{option}\n{bar} {count} ({percent}%)"
POLL_RESULT_NAMES = "   {names}"
POLL_RESULT_MORE_NAMES = " and {more} more"
POLL_TOTAL_VOTES = "{votes} {noun} in all."
POLL_TOTAL_CHOICES = "{choices} choices from {voters} {noun}."
POLL_TOTAL_CHOICES_ONLY = "{choices} choices in all."
POLL_NO_VOTES = "Nobody voted."
POLL_LEADER = "Most votes: {options}."
# The outcome
POLL_ASK_OUTCOME = (
    "Poll #{number} in {project} has closed.\n{results}\n\n"
    "**What happens next?** Reply here with a short outcome statement (or send "
    "/outcome {number} <text>, or /cancel). It is posted to the project and goes into the "
    "linked councillors' next digest."
)
POLL_ASK_OUTCOME_BY_COMMAND = (
    "Poll #{number} in {project} has closed.\n{results}\n\n"
    "**What happens next?** Send /outcome {number} <text> with a short outcome statement. It is "
    "posted to the project and goes into the linked councillors' next digest."
)
POLL_OUTCOME_POSTED = "**What happens next, after poll #{number}** ({question}):\n{outcome}\n— {name}"
POLL_OUTCOME_SAVED = "Thank you. The outcome of poll #{number} is posted to {project}."
POLL_OUTCOME_STILL_OPEN = (
    "Poll #{number} is still open; write its outcome once it has closed "
    "(/closepoll {number} closes it now)."
)
POLL_OUTCOME_NOT_ALLOWED = (
    "Only the person who started poll #{number} or the project's facilitators can write its outcome."
)
POLL_OUTCOME_WHICH = (
    "Several of your projects have a poll #{number}: send /outcome in that project's group chat."
)
POLL_OUTCOME_NONE = "None of your projects has a closed poll #{number}."
POLL_OUTCOME_EMPTY = "Please write the outcome as text, or send /cancel."

# ---- digests ---------------------------------------------------------------------------------
DIGEST_COUNCILLOR_HEADER = "**Your digest** — what moved in your projects since {since}"
DIGEST_GROUP_HEADER = "**Digest for {project}** — since {since}"
DIGEST_PREVIEW_NOTE = "__Preview: your scheduled digest is not affected.__"
DIGEST_CONTINUED = "__(part {part} of {parts})__"
DIGEST_PROJECT = "**{project}**"
DIGEST_PROJECT_NEW_LINK = "**{project}** — newly linked to you"
DIGEST_ACTIVITY = "Activity: {messages} messages from {people} people ({trend})"
DIGEST_ACTIVITY_QUIET = "Activity: no messages, as in the period before"
DIGEST_TREND_UP = "up from {previous}"
DIGEST_TREND_DOWN = "down from {previous}"
DIGEST_TREND_SAME = "the same as before"
DIGEST_OPEN_HEADING = "__Open challenges, oldest first:__"
DIGEST_OPEN_LINE = "• #{number} {text} — {age}, {supports}{new}"
DIGEST_NEW_MARK = " (new)"
DIGEST_RAISED_HEADING = "__Challenges raised:__"
DIGEST_RAISED_LINE = "• #{number} {text} — {supports}"
DIGEST_ANSWERED_HEADING = "__Challenges answered:__"
DIGEST_ANSWER_LINE = "• #{number} {text}\n   {councillor}: {outcome}. {explanation}"
DIGEST_POLLS_HEADING = "__Polls closed:__"
DIGEST_POLL_LINE = "• #{number} {question} — {results}{outcome}"
DIGEST_POLL_OUTCOME = "\n   Outcome: {outcome}"
DIGEST_POLL_NO_VOTES = "no votes"
DIGEST_LINKED_HEADING = "__Linked councillors:__ {names}"
DIGEST_LINKED_NONE = "__Linked councillors:__ none yet"
DIGEST_AWAITING_HEADING = "__Still awaiting an answer:__"
DIGEST_AWAITING_LINE = "• #{number} {text} — awaiting an answer for {age}"
DIGEST_NOTHING_NEW = "Nothing new since {since}, so there is no digest to show."
DIGEST_FORMER_MEMBER = "a former member"
DIGEST_OUTCOMES = {
    "in_scope": "within the project's scope",
    "forward": "taken forward",
    "referred": "referred elsewhere",
    "declined": "declined",
}
DIGEST_SHOW_PERSON = "Your digest: {setting} ({timezone} time). Change it with /digest daily HH:MM, /digest weekly <day> HH:MM or /digest off."
DIGEST_SHOW_GROUP = "This group's digest: {setting} ({timezone} time). Facilitators change it with /digest daily HH:MM, /digest weekly <day> HH:MM or /digest off."
DIGEST_SET_PERSON = "Your digest is now {setting} ({timezone} time). Next one: {next}."
DIGEST_SET_GROUP = "This group's digest is now {setting} ({timezone} time). Next one: {next}."
DIGEST_OFF_PERSON = "Your digest is off. Turn it on again with /digest daily HH:MM or /digest weekly <day> HH:MM."
DIGEST_OFF_GROUP = "This group's digest is off. Facilitators turn it on again with /digest weekly <day> HH:MM."
DIGEST_SETTING_DAILY = "daily at {at}"
DIGEST_SETTING_WEEKLY = "every {day} at {at}"
DIGEST_SETTING_OFF = "off"
DIGEST_BAD_SETTING = "I could not read {text!r}. Use daily HH:MM, weekly <day> HH:MM (day: mon..sun), off or now."
DIGEST_PRIVATE_FOR_COUNCILLORS = "Private digests are for councillors. A project's digest is set in its group chat with /digest."
DIGEST_GROUP_FACILITATORS = "Only this project's facilitators can change its digest."
TIMEZONE_SHOW = "Your time zone is {timezone}. Change it with /timezone <Area/City>, e.g. /timezone Europe/London."
TIMEZONE_SET = "Your time zone is now {timezone}. Your local time: {local}."
TIMEZONE_UNKNOWN = "I don't know the time zone {text}. Use Area/City, e.g. Europe/London or America/New_York."

# ---- privacy and data rights -----------------------------------------------------------------
MYDATA_SENT = (
    "Here is everything I store about you, as a JSON file. Messages you write in groups are never "
    "stored, only counted. To have your name and accounts erased, send /forgetme."
)
MYDATA_FILENAME = "my-data-{day}.json"
FORGET_ASK = (
    "**Erase your data?**\n"
    "Your name and your accounts on every platform are erased, and any role you hold ends. "
    "What you added to the democratic record stays without your name: your scope challenges as "
    "raised by \"a former member\", your votes counted but no longer linked to you.\n"
    "This cannot be undone."
)
FORGET_BUTTON_CONFIRM = "Erase my data"
FORGET_BUTTON_CANCEL = "Cancel"
FORGET_DONE = (
    "Your data is erased. Your challenges stay as raised by a former member and your votes stay "
    "counted, without your name. If you write to me again, I will see you as someone new."
)
FORGET_CANCELLED = "Nothing was erased."
FORGET_NOT_YOURS = "Only the person who asked can confirm this."


# ---- overview (a person's home page) ---------------------------------------------------------
OVERVIEW_STRANGER = (
    "Hello, I am {bot}. I connect project groups with their councillors.\n"
    "If you were given an invite code, redeem it with /start <code>."
)
OVERVIEW_HEADER = "**{name}** — {roles}"
OVERVIEW_NO_ROLE = "resident"
OVERVIEW_PROJECTS = "**Your projects**"
OVERVIEW_PROJECT_LINE = "• {project} (`{code}`){how}"
OVERVIEW_NO_PROJECTS = "You are not linked to any project yet."
OVERVIEW_AWAITING = "**Challenges awaiting your answer**"
OVERVIEW_AWAITING_LINE = "• #{number} in {project}, {age} old: {text}"
OVERVIEW_NOTHING_AWAITING = "Nothing is awaiting your answer."
OVERVIEW_FIGURES = "**Your figures:** {figures}"
FORM_NOT_OPENED = "The form could not be opened in time. Please press the button again."
ADD_ME_FIRST = "I am not a member of this chat yet. Please add me to it, then try again."
