"""What the polls feature says: its catalogue of user-facing text."""

from bot.kernel.plurals import Plural

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
POLL_QUESTION_TOO_LONG = Plural("The question is too long: at most {limit} character.",
                                "The question is too long: at most {limit} characters.",
                                count="limit")
POLL_TOO_FEW_OPTIONS = Plural("A poll needs at least {least} option, separated by |.",
                              "A poll needs at least {least} options, separated by |.", count="least")
POLL_TOO_MANY_OPTIONS = Plural("A poll can have at most {most} option.",
                               "A poll can have at most {most} options.", count="most")
POLL_EMPTY_OPTION = "Option {number} is empty."
POLL_OPTION_TOO_LONG = Plural("Option {number} is too long: at most {limit} character.",
                              "Option {number} is too long: at most {limit} characters.",
                              count="limit")
POLL_DUPLICATE_OPTION = "The option \"{option}\" is given twice."
POLL_BAD_CLOSES = "I can't read \"{value}\" as a deadline. Use 2h, 3d, 18:00 or 2026-12-01T18:00."
POLL_CLOSES_PAST = "That deadline has already passed. Give a time in the future."
POLL_CLOSES_TOO_FAR = Plural("A quick poll can run for at most {days} day.",
                             "A quick poll can run for at most {days} days.", count="days")
POLL_NOT_ALLOWED = "Only this project's facilitators{councillors} can start a poll here."
POLL_NOT_ALLOWED_COUNCILLORS = " and linked councillors"
# The poll message
POLL_HEADER = "**Poll #{number}** from {name}:\n**{question}**"
POLL_OPTION_LINE = "{position}. {option}{count}"
# The card's one line about who votes how, the deadline and secrecy; the rest is /help poll.
POLL_CARD_LINE = "{voted}Closes {when}. {kind}{multi}{hidden}{chats} More: /help poll"
POLL_CARD_VOTED = "Voted: {voters}. "
POLL_CARD_NAMED = "Named: the project sees who voted for what."
POLL_CARD_ANONYMOUS = "Anonymous: nobody sees who voted for what; votes are final."
POLL_CARD_MULTI = " Choose one or more."
POLL_CARD_MULTI_CONFIRM = " Press your options, then Confirm."
POLL_CARD_HIDDEN = " Counts at the close."
POLL_CARD_ALL_CHATS = " Counts are for all the project's chats."
# /help poll: the long explanations, once, for whoever asks.
POLL_HELP_TOPIC = (
    "**How polls work**\n"
    "Vote with the buttons, in the chat's own poll where it shows one, or with /vote <poll> <option> (a number, "
    "several numbers such as 1,3 when the poll takes more than one, or the option's text). "
    "One vote per person per poll, whichever chat you vote in. /polls lists the project's polls.\n"
    "**Named polls:** everyone in the project can see who voted for what; you can change or "
    "withdraw your vote (/vote <poll> none) until the poll closes. Counts are shown as votes come "
    "in, for all the project's chats together; a chat's own poll below its message counts that "
    "chat's votes.\n"
    "**Anonymous polls:** nobody, not the facilitators and not the bot's administrators, can see "
    "who voted for what; only who took part and the totals are kept. So anonymous votes are "
    "final: they cannot be changed or withdrawn, and counts are shown when the poll closes. "
    "With several choices, press each option (pressing again takes it off), then Confirm; "
    "nothing is counted before Confirm. "
    "Each ballot waits without a name until {batch} have come in or the poll closes, and is then "
    "mixed into the totals; until then someone holding a copy of the bot's database could still "
    "tell whose the waiting ballots are.\n"
    "**Hidden results** (--hide-results): counts are shown when the poll closes.\n"
    "At the close the results go to every chat, and whoever started the poll says what happens "
    "next."
)
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
VOTE_ACCOUNT_SPENT = (
    "This account has already voted in poll #{number}, before its owner's data was erased; that "
    "vote still counts, without a name, so it cannot vote in this poll again."
)
VOTE_CLOSED = "Sorry, this poll has closed (poll #{number})."
VOTE_NO_SUCH_POLL = "This project has no poll #{number}."
VOTE_NO_SUCH_OPTION = "Poll #{number} has no option \"{choice}\". Its options: {options}"
VOTE_ONE_ONLY = "Poll #{number} takes one option: /vote {number} <option number>."
VOTE_DRAFT = (
    "Poll #{number}, not cast yet: {choices}. Press more options, or Confirm my choices to cast "
    "your anonymous vote."
)
VOTE_DRAFT_EMPTY = (
    "Poll #{number}: nothing chosen. Press the options you choose, then Confirm my choices."
)
VOTE_DRAFT_NOTHING = (
    "Nothing was cast: no choices of yours are waiting in poll #{number}. Press the options you "
    "choose, then Confirm my choices."
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
POLL_CLOSING_SOON_PRIVATE = (
    "Poll #{number} in {project} closes {when}, and you have not voted: **{question}**\n"
    "Vote in the poll in the group, or send /vote {number} <option number> there."
)
POLL_RESULTS_HEADER = "**Results of poll #{number}:** {question}"
POLL_RESULT_LINE = "{option}\n{bar} {count} ({percent}%)"
POLL_RESULT_NAMES = "   {names}"
POLL_RESULT_MORE_NAMES = " and {more} more"
POLL_TOTAL_VOTES = Plural("{count} vote in all.", "{count} votes in all.")
POLL_TOTAL_CHOICES = "{choices} from {voters}."
POLL_TOTAL_CHOICES_ONLY = "{choices} in all."
POLL_CHOICES = Plural("{count} choice", "{count} choices")
POLL_PEOPLE = Plural("{count} person", "{count} people")
POLL_NO_VOTES = "Nobody voted."
POLL_LEADER = "Most votes: {options}."
# The outcome
POLL_ASK_OUTCOME = (
    "Poll #{number} in {project} has closed: {question}\n{results}\n\n"
    "**What happens next after poll #{number}?** Reply here with a short outcome statement; you "
    "will see it before anything is posted (or send /outcome {number} <text>, or /cancel). It is "
    "posted to the project and goes into the linked councillors' next digest.{also}"
)
POLL_OUTCOME_ALSO_WAITING = (
    "\nAlso waiting for an outcome: {polls}. I will ask which poll your reply is for."
)
POLL_ASK_OUTCOME_BY_COMMAND = (
    "Poll #{number} in {project} has closed: {question}\n{results}\n\n"
    "**What happens next?** Send /outcome {number} <text> with a short outcome statement. It is "
    "posted to the project and goes into the linked councillors' next digest."
)
POLL_OUTCOME_WHICH_POLL = "Which poll is this the outcome of?\n{outcome}"
POLL_OUTCOME_PREVIEW = (
    "The outcome of poll #{number} in {project} ({question}), as it will be posted:\n"
    "{outcome}\nPost it?"
)
BUTTON_CONFIRM = "Confirm"
BUTTON_CONFIRM_BALLOT = "Confirm my choices"
BUTTON_CANCEL = "Cancel"
POLL_OUTCOME_DISCARDED = (
    "Nothing was posted. Write the outcome of poll #{number} again when you are ready, "
    "or send /cancel."
)
POLL_OUTCOME_NOT_IN_PROGRESS = (
    "No outcome of poll #{number} is waiting to be confirmed. Write it here again, or send "
    "/outcome {number} <text>."
)
POLL_OUTCOME_NOTHING_WAITING = (
    "No poll of yours is waiting for an outcome any more, so that was not posted."
)
POLL_OUTCOME_POSTED = "**What happens next, after poll #{number}** ({question}):\n{outcome}\n— {name}"
POLL_OUTCOME_CORRECTED_POSTED = (
    "**What happens next, after poll #{number}** ({question}), corrected:\n{outcome}\n— {name}"
)
POLL_OUTCOME_SAVED = "Thank you. The outcome of poll #{number} is posted to {project}."
POLL_OUTCOME_CORRECTED = (
    "Thank you. The outcome of poll #{number} is corrected in every chat of {project}."
)
POLL_OUTCOME_STILL_WAITING = "Still waiting for an outcome: {polls}. Write it here when ready."
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
FORMER_MEMBER = "a former member"  # an erased voter, in exports
# The list of polls (/polls)
POLLS_HEADER = "**Polls in {project}**"
POLLS_OPEN = "Open:"
POLLS_RECENT = Plural("Closed in the last {days} day:", "Closed in the last {days} days:",
                      count="days")
POLLS_OPEN_LINE = "#{number} {question} — voted: {voters}; closes {when}"
POLLS_CLOSED_LINE = "#{number} {question} — voted: {voters}; closed {when}; {outcome}"
POLLS_WITHDRAWN_LINE = "#{number} {question} — withdrawn {when}: {reason}"
POLLS_OUTCOME = "outcome: {outcome}"
POLLS_WAITING = "waiting for an outcome"
POLLS_NONE = Plural("{project} has no open polls and none closed in the last {days} day.",
                    "{project} has no open polls and none closed in the last {days} days.",
                    count="days")
POLLS_NONE_START = " Facilitators start one with /poll."
POLLS_MORE = "Vote with /vote <poll number> <option>; /help poll explains polls."
# Withdrawing a poll (/cancelpoll)
POLL_CANCEL_USAGE = "Say why, in a few words: /cancelpoll {number} <reason>"
POLL_CANCEL_REASON_TOO_LONG = Plural(
    "Please keep the reason to {limit} character at most.",
    "Please keep the reason to {limit} characters at most.", count="limit")
POLL_CANCEL_CLOSED = (
    "Poll #{number} has already closed and its results are out; it cannot be withdrawn now."
)
POLL_WITHDRAWN_CARD = (
    "**Poll #{number} was withdrawn** by {name}: {question}\nReason: {reason}\n"
    "It has no results and no outcome."
)
POLL_WITHDRAWN_NOTICE = "**Poll #{number} is withdrawn** ({question}). Reason: {reason}"
VOTE_POLL_WITHDRAWN = "Poll #{number} was withdrawn and takes no votes. Reason: {reason}"
POLL_OUTCOME_WITHDRAWN = "Poll #{number} was withdrawn; it takes no outcome."
