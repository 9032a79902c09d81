"""Everything stored about one person, gathered as plain data for /mydata.

The lookups by platform account are shared with erasure (storage/repo/privacy.py).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import (
    ActivityParticipant,
    Challenge,
    ChallengeAnswer,
    ChallengeFollowup,
    ChallengeRecipient,
    ChallengeSupport,
    Chat,
    Conversation,
    CouncillorLink,
    CouncillorPortfolio,
    CouncillorWard,
    DigestPeriod,
    DigestSchedule,
    Identity,
    Invite,
    InviteAttempt,
    OutboundMessage,
    Person,
    Poll,
    PollOption,
    PollVote,
    PollVoter,
    Project,
    ProjectFacilitator,
    RoleGrant,
    Ward,
)
from storage.repo import voices


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _project_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Project).where(col(Project.id).in_(sorted(ids))))
    return {p.id: f"{p.name} ({p.code})" for p in rows if p.id is not None}


def person_record(session: Session, *, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, as plain JSON-ready data."""
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(person_id)
    identities = list(session.exec(select(Identity).where(Identity.person_id == person_id)))
    user_keys = [(i.platform, i.user_id) for i in identities]
    private_ids: list[tuple[str, str]] = [
        (i.platform, i.private_chat_id) for i in identities if i.private_chat_id
    ]
    challenges = list(
        session.exec(
            select(Challenge)
            .where((Challenge.raised_by == person_id) | (Challenge.acknowledged_by == person_id))
            .order_by(col(Challenge.id))
        )
    )
    supports = list(session.exec(select(ChallengeSupport).where(ChallengeSupport.person_id == person_id)))
    received = list(
        session.exec(select(ChallengeRecipient).where(ChallengeRecipient.person_id == person_id))
    )
    answers = list(session.exec(select(ChallengeAnswer).where(ChallengeAnswer.councillor_id == person_id)))
    by_id = {c.id: c for c in challenges}
    for cid in {s.challenge_id for s in supports} | {r.challenge_id for r in received} | {
        a.challenge_id for a in answers
    }:
        if cid not in by_id:
            found = session.get(Challenge, cid)
            if found is not None:
                by_id[cid] = found
    links = list(session.exec(select(CouncillorLink).where(CouncillorLink.councillor_id == person_id)))
    facilitated = list(
        session.exec(select(ProjectFacilitator).where(ProjectFacilitator.person_id == person_id))
    )
    created = list(session.exec(select(Project).where(Project.created_by == person_id)))
    activity = list(
        session.exec(
            select(ActivityParticipant)
            .where(ActivityParticipant.person_id == person_id)
            .order_by(col(ActivityParticipant.day))
        )
    )
    polls_started = list(session.exec(select(Poll).where(Poll.created_by == person_id)))
    votes = list(session.exec(select(PollVote).where(PollVote.person_id == person_id)))
    voted_in = list(session.exec(select(PollVoter).where(PollVoter.person_id == person_id)))
    poll_by_id = {p.id: p for p in polls_started}
    for pid in {v.poll_id for v in votes} | {v.poll_id for v in voted_in}:
        if pid not in poll_by_id:
            found_poll = session.get(Poll, pid)
            if found_poll is not None:
                poll_by_id[pid] = found_poll
    project_ids = (
        {c.project_id for c in by_id.values()}
        | {link.project_id for link in links}
        | {f.project_id for f in facilitated}
        | {a.project_id for a in activity}
        | {p.project_id for p in poll_by_id.values()}
    )
    project = _project_names(session, project_ids)

    def challenge_ref(cid: int) -> str:
        c = by_id.get(cid)
        return f"#{c.number} in {project.get(c.project_id, '?')}" if c else f"challenge {cid}"

    def poll_ref(pid: int) -> str:
        p = poll_by_id.get(pid)
        return f"poll #{p.number} in {project.get(p.project_id, '?')}" if p else f"poll {pid}"

    option_text = {
        o.id: o.text
        for o in session.exec(
            select(PollOption).where(col(PollOption.id).in_(sorted({v.option_id for v in votes})))
        )
    }
    followups = {
        f.challenge_id: f
        for f in session.exec(
            select(ChallengeFollowup).where(
                col(ChallengeFollowup.challenge_id).in_(sorted(c.id for c in challenges if c.id))
            )
        )
    }
    schedule = session.exec(
        select(DigestSchedule).where(
            DigestSchedule.recipient_kind == "person", DigestSchedule.recipient_id == person_id
        )
    ).first()
    periods = list(
        session.exec(
            select(DigestPeriod).where(
                DigestPeriod.recipient_kind == "person", DigestPeriod.recipient_id == person_id
            )
        )
    )
    return {
        "person": {
            "id": person.id,
            "name": person.name,
            "timezone": person.timezone,
            "created_at": _iso(person.created_at),
        },
        "identities": [
            {
                "platform": i.platform,
                "user_id": i.user_id,
                "display_name": i.display_name,
                "username": i.username,
                "private_chat_id": i.private_chat_id,
                "last_seen_at": _iso(i.last_seen_at),
                "unreachable_since": _iso(i.unreachable_at),
            }
            for i in identities
        ],
        "private_chats": [
            {"platform": c.platform, "chat_id": c.platform_chat_id}
            for c in private_chats(session, private_ids)
        ],
        "roles": [
            {"role": g.role, "granted_at": _iso(g.granted_at)}
            for g in session.exec(select(RoleGrant).where(RoleGrant.person_id == person_id))
        ],
        "wards": [
            w.name
            for w in session.exec(
                select(Ward)
                .join(CouncillorWard, col(CouncillorWard.ward_id) == col(Ward.id))
                .where(CouncillorWard.person_id == person_id)
            )
        ],
        "portfolios": list(
            session.exec(
                select(CouncillorPortfolio.topic).where(CouncillorPortfolio.person_id == person_id)
            )
        ),
        "invites": [
            {
                "role": i.role,
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "used_at": _iso(i.used_at),
            }
            for i in session.exec(select(Invite).where(Invite.person_id == person_id))
        ],
        "failed_invite_attempts": [
            {"platform": platform, "at": _iso(a.at)}
            for platform, a in invite_attempts(session, user_keys)
        ],
        "voice_marks": {
            "polls": [poll_ref(v.poll_id) for v in voted_in
                      if voices.has_poll_mark(session, poll_id=v.poll_id, accounts=user_keys)],
            "challenges": [challenge_ref(cid) for cid in sorted(
                {s.challenge_id for s in supports}
                | {c.id for c in challenges if c.raised_by == person_id and c.id is not None})
                if voices.has_support_mark(session, challenge_id=cid, accounts=user_keys)],
            "what": "a keyed hash of each of your accounts per poll voted in and per challenge "
                    "supported or raised; it does not name you and stays after /forgetme, so "
                    "that no account votes or supports twice",
        },
        "projects_created": [f"{p.name} ({p.code})" for p in created],
        "projects_facilitated": [project.get(f.project_id, "?") for f in facilitated],
        "activity_days": [
            {"project": project.get(a.project_id, "?"), "day": _iso(a.day)} for a in activity
        ],
        "councillor_links": [
            {
                "project": project.get(link.project_id, "?"),
                "status": link.status,
                "reason": link.reason,
                "proposed_at": _iso(link.proposed_at),
                "decided_at": _iso(link.decided_at),
            }
            for link in links
        ],
        "challenges_raised": [
            {
                "challenge": challenge_ref(c.id or 0),
                "text": c.text,
                "status": c.status,
                "raised_at": _iso(c.raised_at),
                "followup_reply": followups[c.id].reply if c.id in followups else None,
            }
            for c in challenges
            if c.raised_by == person_id
        ],
        "challenges_acknowledged": [
            {"challenge": challenge_ref(c.id or 0), "acknowledged_at": _iso(c.acknowledged_at)}
            for c in challenges
            if c.acknowledged_by == person_id
        ],
        "challenges_supported": [
            {"challenge": challenge_ref(s.challenge_id), "at": _iso(s.at)} for s in supports
        ],
        "challenges_received": [
            {"challenge": challenge_ref(r.challenge_id), "reason": r.reason,
             "notified_at": _iso(r.notified_at)}
            for r in received
        ],
        "answers_given": [
            {
                "challenge": challenge_ref(a.challenge_id),
                "outcome": a.outcome,
                "explanation": a.explanation,
                "answered_at": _iso(a.answered_at),
            }
            for a in answers
        ],
        "polls_started": [
            {"poll": poll_ref(p.id or 0), "question": p.question, "outcome": p.outcome}
            for p in polls_started
        ],
        "named_votes": [
            {"poll": poll_ref(v.poll_id), "option": option_text.get(v.option_id), "at": _iso(v.at)}
            for v in votes
        ],
        "polls_voted_in": [poll_ref(v.poll_id) for v in voted_in],
        "digest_schedule": None
        if schedule is None
        else {
            "cadence": schedule.cadence,
            "weekday": schedule.weekday,
            "at": schedule.at_time,
            "last_sent_at": _iso(schedule.last_sent_at),
        },
        "digests_sent": [
            {"period": p.period_key, "sent_at": _iso(p.sent_at), "skipped": p.skipped}
            for p in periods
        ],
        "conversation": [
            {"kind": c.kind, "updated_at": _iso(c.updated_at)} for c in conversations_of(session, user_keys)
        ],
        "messages_to_you": [
            {
                "platform": m.platform,
                "status": m.status,
                "created_at": _iso(m.created_at),
                "text": _message_text(m.payload),
            }
            for m in private_messages(session, user_keys, private_ids)
        ],
    }


def _message_text(payload: str) -> str:
    """The plain text of an outbox message (an attached file is named, not repeated)."""
    data = json.loads(payload)
    text = "".join(span[0] for span in data.get("text", []))
    attachment = data.get("attachment")
    if attachment:
        text += f" [file: {attachment.get('filename')}]"
    return text


def private_chats(session: Session, keys: list[tuple[str, str]]) -> list[Chat]:
    """The private chats with the bot of these (platform, chat id) pairs."""
    found = []
    for platform, chat_id in keys:
        chat = session.exec(
            select(Chat).where(
                Chat.platform == platform, Chat.platform_chat_id == chat_id, Chat.kind == "private"
            )
        ).first()
        if chat is not None:
            found.append(chat)
    return found


def invite_attempts(
    session: Session, keys: list[tuple[str, str]]
) -> list[tuple[str, InviteAttempt]]:
    """Failed invite codes of these accounts, each with its platform."""
    return [
        (key[0], a)
        for key in keys
        for a in session.exec(
            select(InviteAttempt).where(InviteAttempt.account == voices.mark(session, "invite", key))
        )
    ]


def conversations_of(session: Session, keys: list[tuple[str, str]]) -> list[Conversation]:
    return [
        c
        for platform, user_id in keys
        for c in session.exec(
            select(Conversation).where(
                Conversation.platform == platform, Conversation.user_id == user_id
            )
        )
    ]


def private_messages(
    session: Session, user_keys: list[tuple[str, str]], private_ids: list[tuple[str, str]]
) -> list[OutboundMessage]:
    rows: dict[int, OutboundMessage] = {}
    for platform, user_id in user_keys:
        for m in session.exec(
            select(OutboundMessage).where(
                OutboundMessage.platform == platform, OutboundMessage.user_id == user_id
            )
        ):
            rows[m.id or 0] = m
    for platform, chat_id in private_ids:
        for m in session.exec(
            select(OutboundMessage).where(
                OutboundMessage.platform == platform, OutboundMessage.chat_id == chat_id
            )
        ):
            rows[m.id or 0] = m
    return [rows[k] for k in sorted(rows)]
