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
    "{name} has not started a private chat with me yet, so I cannot ask them. "
    "They need to redeem their invite first."
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

# ---- polls -----------------------------------------------------------------------------------

# ---- digests ---------------------------------------------------------------------------------

# ---- privacy and data rights -----------------------------------------------------------------
