"""`ncbot admin ...`: argument parsing and printing around bot.admin (also used by the console)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.admin import operations as admin
from bot.admin import outbox as outbox_admin
from bot.kernel.config import Settings
from storage.db import session_scope

Printer = Callable[[str], None]


def add_admin_parser(sub: Any) -> None:
    p = sub.add_parser("admin", help="administer wards, invites, people and projects")
    asub = p.add_subparsers(dest="admin_cmd", required=True, metavar="COMMAND")

    ward = asub.add_parser("ward", help="add or list wards")
    wsub = ward.add_subparsers(dest="ward_cmd", required=True, metavar="add|list")
    wadd = wsub.add_parser("add", help="add a ward")
    wadd.add_argument("name", nargs="+")
    _json(wadd)
    _json(wsub.add_parser("list", help="list wards"))

    inv = asub.add_parser("invite", help="issue a single-use invite code")
    isub = inv.add_subparsers(dest="role", required=True,
                              metavar="councillor|facilitator|admin|link|cancel")
    c = isub.add_parser("councillor", help="invite a councillor")
    c.add_argument("--name", required=True)
    c.add_argument("--ward", action="append", default=[], help="a ward (repeat for several)")
    c.add_argument("--portfolio", action="append", default=[], help="a portfolio topic (repeat)")
    _json(c)
    for role, text in (("facilitator", "invite a facilitator"), ("admin", "invite an admin")):
        r = isub.add_parser(role, help=text)
        r.add_argument("--name", required=True)
        _json(r)
    link = isub.add_parser("link", help="an invite that adds another platform to an existing "
                                        "person (grants no role)")
    link.add_argument("--person", required=True, help="the person's id or name")
    _json(link)
    cancel = isub.add_parser("cancel", help="void an invite nobody has redeemed yet")
    cancel.add_argument("code")
    _json(cancel)
    _json(asub.add_parser("invites", help="invites not yet redeemed: code, role, name, expiry"))

    _json(asub.add_parser("people", help="list people, their roles and identities"))
    rev = asub.add_parser("revoke", help="take every role from a person at once")
    rev.add_argument("person", help="the person's id or name")
    _json(rev)
    _json(asub.add_parser("projects", help="list projects with their activity"))
    box = asub.add_parser("outbox", help="messages parked or waiting for delivery, with reasons")
    box.add_argument("--retry", type=int, metavar="ID", help="queue a parked message again")
    _json(box)
    _json(asub.add_parser("councillors", help="councillors with their response figures"))


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run_admin(ns: argparse.Namespace, *, engine: Engine, settings: Settings, now: datetime,
              out: Printer) -> Any:
    """Carry out one admin command; raises AdminError with a one-line reason."""
    with session_scope(engine) as session:
        result = _dispatch(ns, session=session, settings=settings, now=now)
    if getattr(ns, "json", False):
        out(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        out(_text(ns, result))
    return result


def _dispatch(ns: argparse.Namespace, *, session: Any, settings: Settings, now: datetime) -> Any:
    cmd = ns.admin_cmd
    if cmd == "ward":
        if ns.ward_cmd == "add":
            return admin.add_ward(session, name=" ".join(ns.name))
        return admin.list_wards(session)
    if cmd == "invite":
        if ns.role == "link":
            return admin.link_invite(session, settings=settings, now=now,
                                     person=ns.person).as_dict()
        if ns.role == "cancel":
            return admin.cancel_invite(session, code=ns.code)
        return admin.invite(
            session, settings=settings, now=now, role=ns.role, name=ns.name,
            wards=getattr(ns, "ward", None), portfolios=getattr(ns, "portfolio", None),
        ).as_dict()
    if cmd == "invites":
        return admin.pending_invites(session, now=now)
    if cmd == "people":
        return admin.list_people(session)
    if cmd == "revoke":
        return admin.revoke(session, person=ns.person, now=now)
    if cmd == "projects":
        return admin.list_projects(session, settings=settings, now=now)
    if cmd == "outbox":
        if ns.retry is not None:
            return outbox_admin.retry_parked(session, row_id=ns.retry, now=now)
        return outbox_admin.outbox_report(session)
    if cmd == "councillors":
        return admin.list_councillors(session, now=now)
    raise admin.AdminError(f"unknown admin command {cmd!r}")


def _text(ns: argparse.Namespace, result: Any) -> str:
    cmd = ns.admin_cmd
    if cmd == "outbox":
        return outbox_admin.describe(result)
    if cmd == "ward":
        if ns.ward_cmd == "add":
            return f"Ward added: {result['name']}"
        return "\n".join(w["name"] for w in result) or "No wards yet."
    if cmd == "invite" and ns.role == "cancel":
        return f"Invite {result['code']} for {result['name']} ({result['role']}) cancelled."
    if cmd == "invites":
        if not result:
            return "No invites waiting to be redeemed."
        return "\n".join(f"{i['code']}  {i['role']:<11}  {i['person_id']:>4}  {i['name']}"
                         f"  expires {i['expires_at']}" for i in result)
    if cmd == "invite":
        what = "adds an account, no role" if result["role"] == "link" else result["role"]
        lines = [
            f"Invite for {result['name']} ({what}): {result['code']}",
            f"Redeem in a private chat with the bot: /start {result['code']}"
            " (Slack: /ncbot join " + result["code"] + ")",
            f"Expires {result['expires_at']}. Single use.",
        ]
        if result["deep_link"]:
            lines.insert(2, f"Telegram link: {result['deep_link']}")
        return "\n".join(lines)
    if cmd == "people":
        if not result:
            return "No people yet."
        return "\n".join(
            f"{p['id']:>4}  {p['name'] or '(erased)'}  [{', '.join(p['roles']) or 'resident'}]"
            + (f"  wards: {', '.join(p['wards'])}" if p["wards"] else "")
            + (f"  portfolios: {', '.join(p['portfolios'])}" if p["portfolios"] else "")
            + (f"  on: {', '.join(p['identities'])}" if p["identities"] else "  (invite not redeemed)")
            for p in result
        )
    if cmd == "revoke":
        return (f"Revoked {', '.join(result['revoked'])} from {result['name']}; "
                f"{result['links_ended']} link(s) ended, {result['projects_left']} project(s) left, "
                f"{result['invites_voided']} unused invite(s) voided, "
                f"{result['conversations_ended']} conversation(s) ended.")
    if cmd == "projects":
        if not result:
            return "No projects yet."
        return "\n".join(
            f"{p['id']:>4}  {p['name']} ({p['code']})  {p['chats']} chat(s)  "
            f"{p['messages']} messages, {p['participants']} people in the window"
            f"  {'ACTIVE' if p['active'] else 'quiet'}"
            for p in result
        )
    if cmd == "councillors":
        if not result:
            return "No councillors yet."
        return "\n".join(
            f"{c['person_id']:>4}  Cllr {c['name']}  ({', '.join(c['wards']) or 'no ward'})  {c['summary']}"
            for c in result
        )
    return json.dumps(result)
