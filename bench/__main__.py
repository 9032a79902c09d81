"""Run every benchmark: each ``bench/<name>.py`` with a ``main()``; ``python -m bench NAME ...``
runs only those named."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
import time
from collections.abc import Callable
from typing import Any

import bench


def benchmarks() -> dict[str, Callable[[], Any]]:
    """Modules of this package that have a ``main`` (helpers such as ``world`` have none)."""
    found = {}
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        main = getattr(module, "main", None)
        if callable(main):
            found[info.name] = main
    return found


def run(args: list[str]) -> int:
    available = benchmarks()
    names = [a for a in args if not a.startswith("--")]  # flags are read by the benchmarks
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; there are: {', '.join(available)}",
              file=sys.stderr)
        return 2
    for name in names or list(available):
        print(f"== bench.{name}", flush=True)
        started = time.perf_counter()
        result = available[name]()
        if inspect.isawaitable(result):
            asyncio.run(result)  # type: ignore[arg-type]
        print(f"== bench.{name}: {time.perf_counter() - started:.1f} s\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
