"""What the linking feature says: its catalogue of user-facing text."""

# ---- linking ---------------------------------------------------------------------------------
BUTTON_ACCEPT = "Accept"
BUTTON_DECLINE = "Decline"
BUTTON_ACCEPT_PROJECT = "Accept {project}"
BUTTON_LEAVE = "Leave {project}"
LINK_PROPOSAL = (
    "**{project}** is an active project group in your {reason}.\n"
    "Its scope: {scope}\n"
    "Shall I link you to it? You would receive its scope challenges and its news in your digest."
)
LINK_PROPOSAL_ASKED = (
    "{name}, a facilitator of the project group **{project}**, asks you to link to it.\n"
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
