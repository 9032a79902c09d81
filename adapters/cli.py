"""`ncbot`: the command line. Wires settings, storage, the core and the adapters together."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from adapters.admin_cli import add_admin_parser, run_admin
from adapters.logs import configure_logging
from bot.admin import AdminError
from bot.kernel.config import ConfigError, Settings, load_settings
from bot.kernel.plurals import Plural
from bot.kernel.ports import AdapterStartError
from bot.kernel.rich import render

DEMO_SCRIPT = Path(__file__).with_name("demo.ncbot")
WRITTEN = {
    "challenge": Plural("{count} challenge written to {path}.",
                        "{count} challenges written to {path}."),
    "poll": Plural("{count} poll written to {path}.", "{count} polls written to {path}."),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncbot",
        description="Networked Councillor: links councillors to co-production project groups.",
    )
    parser.add_argument("--version", action="version", version=f"ncbot {_version()}")
    parser.add_argument("--config", metavar="PATH",
                        help="TOML config file (default: $NCBOT_CONFIG, else ./config.toml if present)")
    sub = parser.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run every platform that has credentials (the console if none)")
    con = sub.add_parser("console", help="chat with the bot in the terminal")
    con.add_argument("--script", metavar="FILE", help="play a file of console lines ('-' for stdin)")
    con.add_argument("--start", metavar="ISO-TIME", help="script mode: the clock's start (UTC)")
    con.add_argument("--db", metavar="FILE",
                     help="the SQLite file to use (default: storage.url interactively; "
                          "a throwaway database for --script)")
    sub.add_parser("demo", help="play the built-in scenario on a throwaway database")
    web = sub.add_parser("web", help="serve only the public record's web pages")
    web.add_argument("--port", type=int, metavar="N", help="the port (default: http.port)")

    cfg = sub.add_parser("config", help="configuration")
    csub = cfg.add_subparsers(dest="config_cmd", required=True, metavar="check")
    chk = csub.add_parser("check", help="validate a config file")
    chk.add_argument("path", nargs="?", help="the file (default: the one --config names)")

    db = sub.add_parser("db", help="database")
    dsub = db.add_subparsers(dest="db_cmd", required=True, metavar="upgrade|backup")
    dsub.add_parser("upgrade", help="apply the migrations")
    bk = dsub.add_parser("backup", help="copy the SQLite database consistently, even while running")
    bk.add_argument("path")

    exp = sub.add_parser("export", help="export the public record")
    esub = exp.add_subparsers(dest="export_cmd", required=True, metavar="challenges|polls")
    ech = esub.add_parser("challenges", help="a project's challenges, answers and outcomes")
    epo = esub.add_parser("polls", help="a project's polls, per-option totals and outcomes")
    for what in (ech, epo):
        what.add_argument("--project", required=True, help="the project's id, code or name")
        what.add_argument("--format", choices=("csv", "json"), default="csv")
        what.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")

    dig = sub.add_parser("digest", help="digests")
    dsub2 = dig.add_subparsers(dest="digest_cmd", required=True, metavar="preview")
    prev = dsub2.add_parser("preview", help="a digest as it would read now (nothing is sent)")
    who = prev.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", help="a councillor's id or name")
    who.add_argument("--project", help="a project's id, code or name (the group digest)")
    prev.add_argument("--json", action="store_true", help="machine-readable output")

    add_admin_parser(sub)
    return parser


def _version() -> str:
    try:
        return metadata.version("networked-councillor")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def config_path(ns: argparse.Namespace) -> str | None:
    if ns.config:
        return str(ns.config)
    env = os.environ.get("NCBOT_CONFIG")
    if env:
        return env
    return "config.toml" if Path("config.toml").exists() else None


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    try:
        return _main(ns)
    except ConfigError as exc:
        print(f"ncbot: config error: {exc}", file=sys.stderr)
        return 2
    except AdminError as exc:
        print(f"ncbot: {exc}", file=sys.stderr)
        return 1
    except AdapterStartError as exc:  # the database or a platform cannot start
        print(f"ncbot: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder named on the command line: missing, not allowed
        print(f"ncbot: {_os_reason(exc)}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:  # the database failed after opening (read-only, locked, gone)
        from adapters.runtime import why_it_failed

        print(f"ncbot: the database failed: {why_it_failed(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _os_reason(exc: OSError) -> str:
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _main(ns: argparse.Namespace) -> int:
    if ns.cmd == "config":
        path = ns.path or config_path(ns)
        load_settings(path)
        print(f"{path or '(defaults)'}: OK")
        return 0
    settings = load_settings(config_path(ns))
    quiet = ns.cmd in ("console", "demo", "admin", "db") or not _has_platform(settings)
    configure_logging(settings, quiet=quiet)
    if ns.cmd == "run":
        return asyncio.run(_run(settings))
    if ns.cmd == "console":
        script, start = _script_lines(ns.script), _start_time(ns.start)
        if ns.db is not None:
            return asyncio.run(_console(_on_database(settings, ns.db), script=script, start=start))
        if script is not None:  # a script plays on a database of its own, thrown away after
            with tempfile.TemporaryDirectory(prefix="ncbot-script-") as tmp:
                throwaway = _on_database(settings, str(Path(tmp) / "script.db"))
                return asyncio.run(_console(throwaway, script=script, start=start))
        return asyncio.run(_console(settings, script=None, start=None))
    if ns.cmd == "demo":
        return _demo(settings)
    if ns.cmd == "web":
        from adapters.web.serve import serve_record

        return asyncio.run(serve_record(settings, port=ns.port))
    if ns.cmd == "db":
        return _db(ns, settings)
    if ns.cmd in ("export", "digest"):
        return _record(ns, settings)
    if ns.cmd == "admin":
        from adapters.runtime import build_core

        core = build_core(settings)
        run_admin(ns, engine=core.engine, settings=settings, now=core.clock.now(), out=print)
        return 0
    raise AssertionError(ns.cmd)


def _record(ns: argparse.Namespace, settings: Settings) -> int:
    """`ncbot export challenges` and `ncbot digest preview`: read-only views of the record."""
    import csv
    import io
    import json

    from adapters.runtime import build_core
    from bot import polls
    from bot.admin import operations as admin
    from storage.db import session_scope

    core = build_core(settings)
    with session_scope(core.engine) as session:
        if ns.cmd == "digest":
            messages = admin.preview_digest(session, settings=settings, now=core.clock.now(),
                                            person=ns.person, project=ns.project)
            if ns.json:
                print(json.dumps(messages, indent=2, ensure_ascii=False))
            else:
                print("\n\n".join(messages) if messages else "Nothing new: no digest would be sent.")
            return 0
        if ns.export_cmd == "polls":
            rows = admin.export_polls(session, project=ns.project)
            flat, fields, noun = polls.flat_rows(rows), polls.CSV_FIELDS, "poll"
        else:
            rows = admin.export_challenges(session, project=ns.project)
            flat, noun = rows, "challenge"
            fields = list(rows[0]) if rows else ["number", "raised_at", "raised_by", "text",
                                                 "status"]
    if ns.format == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows(flat)
        text = buffer.getvalue()
    if ns.output:
        Path(ns.output).write_text(text, encoding="utf-8")
        print(render(WRITTEN[noun], count=len(rows), path=ns.output).text)
    else:
        sys.stdout.write(text)
    return 0


def _has_platform(settings: Settings) -> bool:
    return settings.telegram_enabled or settings.slack_enabled


async def _run(settings: Settings) -> int:
    from adapters.http import HttpServer
    from adapters.memory import freeze_start_up
    from adapters.runtime import build_core, platform_adapters, run_platforms
    from adapters.web import mount

    if not _has_platform(settings):
        print("No platform credentials configured: starting the console. (:quit to leave)")
        return await _console(settings, script=None, start=None)
    core = build_core(settings)
    http = HttpServer(core, host=settings.http.host, port=settings.http.port)
    mount(http.app, engine=core.engine, settings=settings, clock=core.clock)  # the public record
    freeze_start_up()
    try:
        await run_platforms(core, platform_adapters(core, http), http)
    except OSError as exc:  # the HTTP port is taken, or the address cannot be bound
        print(f"ncbot: cannot serve HTTP on {settings.http.host}:{settings.http.port}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


async def _console(settings: Settings, *, script: list[str] | None, start: datetime | None) -> int:
    """The console: interactive on a clock that runs, or a script on a clock moved by ``:clock``."""
    from adapters.console import ConsoleAdapter
    from adapters.runtime import build_core
    from bot.kernel.ports import FakeClock, OffsetClock
    from bot.kernel.scheduler import rebuild

    if script is None:
        return await _interactive(build_core(settings, clock=OffsetClock()))
    when = start or datetime.now(UTC).replace(second=0, microsecond=0)
    core = build_core(settings, clock=FakeClock(when))
    console = ConsoleAdapter(core)
    await rebuild(core)  # as at every start: schedules re-armed, then whatever is overdue runs
    await core.run_due()
    await console.play(script)
    return 0


def _script_lines(script: str | None) -> list[str] | None:
    if script is None:
        return None
    if script == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(script).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AdminError(f"cannot read {script}: {exc.strerror}") from exc


def _start_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise AdminError(f"--start {text!r} is not a date-time such as 2026-01-05T09:00") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def _interactive(core: object) -> int:
    from adapters.console import ConsoleAdapter
    from bot.kernel.core import Core
    from bot.kernel.scheduler import Scheduler

    assert isinstance(core, Core)
    try:
        import readline  # line editing and history for input()

        history = Path.home() / ".ncbot_history"
        if history.exists():
            readline.read_history_file(history)
    except (ImportError, OSError):
        readline = None  # type: ignore[assignment]
    console = ConsoleAdapter(core)
    scheduler = Scheduler(core)
    await scheduler.start()
    print(f"{core.settings.bot.name} console. Type :help for console commands, /help for the bot's.")
    print(f"You are {console.person!r} in your private chat with the bot; "
          ":as <name> and :in <chat> to move around.")
    try:
        while True:
            try:
                raw = await asyncio.to_thread(input, console.prompt())
            except EOFError:
                break
            if not await console.line(raw):
                break
    finally:
        await scheduler.stop()
        if readline is not None:
            try:
                readline.write_history_file(Path.home() / ".ncbot_history")
            except OSError:
                pass
    return 0


def _on_database(settings: Settings, path: str) -> Settings:
    """The settings with storage on the SQLite file ``path`` (or a database URL as it is)."""
    url = path if "://" in path else f"sqlite:///{Path(path).absolute()}"
    return settings.model_copy(
        update={"storage": settings.storage.model_copy(update={"url": url})}
    )


def _demo(settings: Settings) -> int:
    with tempfile.TemporaryDirectory(prefix="ncbot-demo-") as tmp:
        demo = _on_database(settings, str(Path(tmp) / "demo.db"))
        lines = DEMO_SCRIPT.read_text(encoding="utf-8").splitlines()
        return asyncio.run(_console(demo, script=lines, start=datetime(2026, 1, 5, 9, tzinfo=UTC)))


def _db(ns: argparse.Namespace, settings: Settings) -> int:
    from adapters.runtime import open_database
    from storage.migrate import current_revision

    engine = open_database(settings.storage.url, migrate=ns.db_cmd == "upgrade")
    if ns.db_cmd == "upgrade":
        print(f"Database at revision {current_revision(engine)}.")
        return 0
    from storage.backup import backup

    target = Path(ns.path)
    try:
        backup(engine, target)
    except ValueError as exc:
        raise AdminError(str(exc)) from exc
    print(f"Backed up to {target}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
