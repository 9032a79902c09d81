"""The public record's routes: each page as HTML, JSON and CSV, a project's Atom feed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adapters.web import opendata
from adapters.web.page_cache import PageCache
from adapters.web.render import environment, render
from adapters.web.responses import respond
from bot.kernel.config import Settings
from bot.kernel.ports import Clock
from bot.record import councillors, projects
from storage.db import reading

STATIC = Path(__file__).with_name("static")
CODE = r"[A-Za-z0-9]{1,20}"
FORMATS = "json|csv"
FEED_ENTRIES = 100
PAGE_SHOWN = 10  # challenges of each state on a project's page; the rest on its challenges page
PAGE_ANSWERS = 25  # a councillor's latest answers on their page; all of them in its open data

T = TypeVar("T")


def page_number(request: web.Request) -> int | None:
    """``?page=N`` (1 when absent); None for anything that is not a page number."""
    raw = request.query.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) <= 6 and int(raw) >= 1 else None


@dataclass
class RecordSite:
    """What the pages read from: the database, the settings and the clock."""

    engine: Engine
    settings: Settings
    clock: Clock

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.settings.bot.timezone)
        self.env: Environment = environment(self.tz)
        self.css = (STATIC / "record.css").read_text(encoding="utf-8")
        self.icon = (STATIC / "favicon.svg").read_text(encoding="utf-8")
        self.cache = PageCache()
        self.cache_pages = True  # False: every project page built afresh (the benchmark's cold runs)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.index),
            web.get(r"/index.{fmt:json|csv}", self.index),
            web.get("/static/record.css", self.stylesheet),
            web.get("/favicon.ico", self.favicon),
            web.get(r"/p/{code:" + CODE + "}", self.project),
            web.get(r"/p/{code:" + CODE + r"}.{fmt:" + FORMATS + "}", self.project),
            web.get(r"/p/{code:" + CODE + "}/feed.atom", self.feed),
            web.get(r"/p/{code:" + CODE + "}/challenges", self.challenges),
            web.get(r"/p/{code:" + CODE + r"}/c/{n:\d{1,9}}", self.challenge),
            web.get(r"/p/{code:" + CODE + r"}/c/{n:\d{1,9}}.{fmt:" + FORMATS + "}", self.challenge),
            web.get("/councillors", self.councillors),
            web.get(r"/councillors.{fmt:json|csv}", self.councillors),
            web.get(r"/councillors/{id:\d{1,9}}", self.councillor),
            web.get(r"/councillors/{id:\d{1,9}}.{fmt:" + FORMATS + "}", self.councillor),
        ]

    # ---- plumbing ------------------------------------------------------------------------

    async def _read(self, build: Callable[[Session, datetime], T]) -> T:
        """Run a read of the record in a worker thread: a page never holds up the webhooks."""
        def work() -> T:
            with reading(self.engine) as session:  # WAL: never waits for, nor takes, the write lock
                return build(session, self.clock.now())
        return await asyncio.to_thread(work)

    def _page(self, request: web.Request, template: str, **values: Any) -> web.Response:
        html = render(self.env, template, site=self.settings.bot.name, path=request.path, **values)
        return respond(request, html, "html")

    def _reply(self, request: web.Request, *, data: Any, csv: Callable[[], str], filename: str,
               template: str, **values: Any) -> web.Response:
        """The page, or its open data when the address ends in .json or .csv."""
        fmt = request.match_info.get("fmt")
        if fmt == "json":
            return respond(request, opendata.to_json(data), "json")
        if fmt == "csv":
            return respond(request, csv(), "csv", filename=filename)
        return self._page(request, template, **values)

    def _not_found(self, request: web.Request) -> web.Response:
        html = render(self.env, "not_found.html", site=self.settings.bot.name, path=request.path)
        return respond(request, html, "html", status=404)

    def base_url(self, request: web.Request) -> str:
        return self.settings.web.public_url or f"{request.scheme}://{request.host}"

    # ---- pages ---------------------------------------------------------------------------

    async def stylesheet(self, request: web.Request) -> web.Response:
        return respond(request, self.css, "css")

    async def favicon(self, request: web.Request) -> web.Response:
        return respond(request, self.icon, "svg")

    async def index(self, request: web.Request) -> web.Response:
        if request.match_info.get("fmt"):  # the open data lists every public project
            every = await self._read(lambda s, now: projects.council_index(s, now=now))
            return self._reply(request, data={"projects": every},
                               csv=lambda: opendata.index_csv(every), filename="projects.csv",
                               template="index.html")
        page = page_number(request)
        found = None if page is None else await self._read(
            lambda s, now: projects.council_index_page(s, now=now, page=page,
                                                       per_page=projects.INDEX_PAGE))
        if found is None:
            return self._not_found(request)
        return self._page(request, "index.html", projects=found.projects, paging=found,
                          per_page=projects.INDEX_PAGE)

    async def project(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        fmt = request.match_info.get("fmt")
        if not fmt:
            html = await self._read(lambda s, now: self._project_page(s, now, request.path, code))
            return self._not_found(request) if html is None else respond(request, html, "html")
        found = await self._read(lambda s, now: projects.project_record(  # every challenge
            s, code=code, now=now, tz=self.tz))
        if found is None:
            return self._not_found(request)
        return self._reply(request, data=found, csv=lambda: opendata.project_csv(found),
                           filename=f"{found.code}-challenges.csv", template="project.html")

    def _project_page(self, session: Session, now: datetime, path: str, code: str) -> str | None:
        """The project's page, from the cache while nothing it shows has changed. The counts of
        changes are read first, so a page built after them is at least as new as they say."""
        version = projects.page_version(session, code=code)
        if version is None:
            return None
        key = (path, PAGE_SHOWN, projects.CHALLENGES_PAGE)
        html = self.cache.get(key, version) if self.cache_pages else None
        if html is None:
            found = projects.project_record(session, code=code, now=now, tz=self.tz,
                                            shown=PAGE_SHOWN)
            if found is None:
                return None
            html = render(self.env, "project.html", site=self.settings.bot.name, path=path,
                          p=found, per_page=projects.CHALLENGES_PAGE)
            self.cache.put(key, version, html)
        return html

    async def challenges(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        page = page_number(request)
        found = None if page is None else await self._read(
            lambda s, now: projects.project_challenges(s, code=code, page=page,
                                                       per_page=projects.CHALLENGES_PAGE))
        if found is None:
            return self._not_found(request)
        return self._page(request, "challenges.html", p=found, per_page=found.per_page)

    async def feed(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        found = await self._read(lambda s, now: projects.project_record(s, code=code, now=now,
                                                                        tz=self.tz))
        if found is None:
            return self._not_found(request)
        entries = sorted(found.challenges, key=lambda c: c.updated_at, reverse=True)[:FEED_ENTRIES]
        updated = max([found.public_since, *(c.updated_at for c in entries),
                       *(p.outcome_at for p in found.polls if p.outcome_at)])
        xml = render(self.env, "feed.atom", p=found, entries=entries, updated=updated,
                     base=self.base_url(request), site=self.settings.bot.name)
        return respond(request, xml, "atom")

    async def challenge(self, request: web.Request) -> web.Response:
        code, number = request.match_info["code"], int(request.match_info["n"])
        found = await self._read(lambda s, now: projects.challenge_record(s, code=code,
                                                                          number=number))
        if found is None:
            return self._not_found(request)
        return self._reply(request, data=found, csv=lambda: opendata.challenge_csv(found),
                           filename=f"{found.project_code}-{number}.csv",
                           template="challenge.html", r=found, c=found.challenge)

    async def councillors(self, request: web.Request) -> web.Response:
        found = await self._read(lambda s, now: councillors.councillors_index(s, now=now))
        return self._reply(request, data={"councillors": found},
                           csv=lambda: opendata.councillors_csv(found), filename="councillors.csv",
                           template="councillors.html", councillors=found)

    async def councillor(self, request: web.Request) -> web.Response:
        person_id = int(request.match_info["id"])
        fmt = request.match_info.get("fmt")
        shown = None if fmt else PAGE_ANSWERS
        found = await self._read(lambda s, now: councillors.councillor_record(
            s, person_id=person_id, now=now, shown=shown))
        if found is None:
            return self._not_found(request)
        return self._reply(request, data=found, csv=lambda: opendata.councillor_csv(found),
                           filename=f"councillor-{person_id}.csv", template="councillor.html",
                           r=found)
