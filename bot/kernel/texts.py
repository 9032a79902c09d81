"""The catalogue's shared words: errors, usage, help, and words more than one feature uses.

``**bold**``, ``__italic__``; ``{name}`` takes a value. Values are always inserted as plain text
(see bot.kernel.rich), so user text cannot format or mention. Each feature keeps its own texts
beside it (``bot/<feature>/texts.py``).
"""

from bot.kernel.plurals import Plural

# ---- general ---------------------------------------------------------------------------------
INTERNAL_ERROR = "Sorry, something went wrong on my side and nothing was changed. Please try again."
UNKNOWN_COMMAND = "I don't know /{name}. Send /help for the commands you can use here."
UNKNOWN_COMMAND_NEAR = "I don't know /{name}. Did you mean /{near}? Send /help for all commands."
USAGE = "Usage: {usage}\nExample: {example}"
PRIVATE_ONLY = "Please use /{name} in a private chat with me."
GROUP_ONLY = "/{name} works in a project group chat."
NOT_A_PROJECT = "This chat is not a project group yet. A facilitator can register it with /project <name>."
ROLE_REQUIRED = "Only {roles} can use /{name}."
STALE_BUTTON = "That button is no longer active."
BUTTON_PRIVATE_ONLY = "Please use this button in your private chat with me."
CANCELLED = "Cancelled. Nothing was changed."
NOTHING_TO_CANCEL = "There is nothing to cancel."
TOO_LONG = Plural("That is too long: please keep it to {limit} character at most.",
                  "That is too long: please keep it to {limit} characters at most.", count="limit")
# Durations as people read them (bot.kernel.durations.describe_age)
AGE_UNDER_AN_HOUR = "under an hour"
AGE_HOURS = Plural("{count} hour", "{count} hours")
AGE_DAYS = Plural("{count} day", "{count} days")
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

# ---- linking ---------------------------------------------------------------------------------
NO_SCOPE_YET = "(no scope statement yet)"

# ---- scope challenges ------------------------------------------------------------------------
BUTTON_ACKNOWLEDGE = "Acknowledge"
BUTTON_ANSWER = "Answer"

# ---- overview (a person's home page) ---------------------------------------------------------
FORM_NOT_OPENED = "The form could not be opened in time. Please press the button again."
ADD_ME_FIRST = "I am not a member of this chat yet. Please add me to it, then try again."
NOT_RECORDED = "I could not record this, please try again in a minute."
