"""What the groups feature says: its catalogue of user-facing text."""

# ---- general ---------------------------------------------------------------------------------
TOPICS_TOO_MANY = "That is too many topics: please give {most} at most."
NOT_PROJECT_FACILITATOR = "Only this project's facilitators can use /{name} here."

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
