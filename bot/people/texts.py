"""What the people feature says: its catalogue of user-facing text."""

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
INVITE_WELCOME_COUNCILLOR_NO_WARD = (
    "Welcome, {name}. You are registered as a councillor; no ward is set for you yet.\n"
    "I will ask you before linking you to project groups in your portfolio, or when their "
    "facilitators ask, and send you the scope challenges they raise. Send /help to see your "
    "commands."
)
INVITE_WELCOME_FACILITATOR = (
    "Welcome, {name}. You are registered as a facilitator.\n"
    "Add me to your project group chat and send /project <name> there to register it."
)
INVITE_WELCOME_ADMIN = (
    "Welcome, {name}. You are registered as an admin.\n"
    "In chat you can use every command in every project group: what facilitators do (/project, "
    "/scope, /link, /poll) and what councillors do (/answer). Wards, invites, people and exports "
    "are managed from the command line with ncbot admin. Send /help to see your commands."
)
INVITE_LINKED = "This account is now linked to {name}; you keep the same roles on every platform."

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
OVERVIEW_NOTHING_AWAITING = "Nothing is awaiting your answer."
OVERVIEW_MORE = "… and {count} more: send /inbox to me for the whole list."
OVERVIEW_FIGURES = "**Your figures:** {figures}"

# ---- /inbox ------------------------------------------------------------------------------------
INBOX_HEADER = "**Your inbox** — {count} waiting, oldest first"
INBOX_HEADER_PAGED = "**Your inbox** — {count} waiting, oldest first (page {page} of {pages})"
INBOX_EMPTY = "Your inbox is empty: nothing is waiting for you."
INBOX_CHALLENGES = "**Scope challenges awaiting your answer**"
INBOX_CHALLENGE_LINE = (
    "• #{number} {project} — {age}{status}, supporters: {supporters}: {text}"
)
INBOX_ACKNOWLEDGED = ", acknowledged"
INBOX_PROPOSALS = "**Projects proposed to you**"
INBOX_PROPOSAL_LINE = "• {project} (`{code}`): {scope}"
INBOX_ACCEPT = "Accept"
INBOX_DECLINE = "Decline"
INBOX_POLLS = "**Polls waiting for your outcome**"
INBOX_POLLS_HOW = "Write one with /outcome <poll number> <what happens next>."
INBOX_POLL_LINE = "• Poll #{number} {project} — closed {age} ago: {question}"
INBOX_ESCALATED = "**Escalated challenges in your projects**"
INBOX_ESCALATED_HOW = (
    "Ask another councillor with /link <councillor> in the group; /challenge <number> there shows "
    "its timeline."
)
INBOX_ESCALATED_LINE = "• #{number} {project} — {age} without an answer: {text}"
INBOX_NEXT = "Next page"
INBOX_PREVIOUS = "Previous page"

# ---- a private message nothing was waiting for -------------------------------------------------
PRIVATE_HELLO = (
    "Hello, I am {bot}: I connect project groups with their councillors.\n"
    "Send /help to see what you can do, or /start <code> if you were given an invite code."
)
NOTHING_SENT = (
    "Nothing was sent: I am not waiting for a message from you just now (an answer ends once it "
    "is sent or cancelled, or when its challenge closes).\n"
    "To answer a challenge, press Answer in /inbox or send /answer <number> <outcome> "
    "<explanation>. /help lists all your commands."
)
NOTHING_SENT_FACILITATOR = (
    "Nothing was sent: I am not waiting for a message from you just now.\n"
    "To record a poll's outcome send /outcome; /inbox lists what waits for you and /help all "
    "your commands."
)
