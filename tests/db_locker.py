"""Another process holding the database: ``python -m tests.db_locker URL``.

SQLite: the write lock (``BEGIN IMMEDIATE``). PostgreSQL: exclusive locks on the ledger and the
inbound journal, which every inbound event writes first. It says ``locked`` on stdout, holds the
lock until a line arrives on stdin (or stdin closes), then lets go and exits.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def main(url: str) -> int:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("BEGIN"))
            conn.execute(text("LOCK TABLE processedevent, inboundentry IN ACCESS EXCLUSIVE MODE"))
        print("locked", flush=True)
        sys.stdin.readline()
        conn.exec_driver_sql("ROLLBACK")
    engine.dispose()
    return 0


class Locker:
    """The locking process, from a test: ``with Locker(url): ...``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Locker:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.db_locker", self.url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     cwd=ROOT)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "locked"
        return self

    def release(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("go\n")
            self.proc.stdin.close()
            self.proc.wait(60)

    def __exit__(self, *_exc: object) -> None:
        self.release()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
