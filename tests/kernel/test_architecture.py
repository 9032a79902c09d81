"""The house, computed from the code: arrows one way, no circles, features behind their fronts.

- ``adapters -> bot -> storage``: storage imports neither; bot imports no adapter and no platform
  library.
- Inside bot/: the kernel (``bot/kernel``) imports no feature; a feature uses another only
  through its package (``from bot import groups``), never its modules; the same for adapters
  (a package may name modules in its ``__all__`` as part of its front).
- No import circle among the modules of bot/, adapters/ and storage/, counting imports inside
  functions and those only for the type checker (``if TYPE_CHECKING:``) too.
- No module over 400 lines.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("adapters", "bot", "storage")
MAX_LINES = 400
PLATFORM_LIBRARIES = ("telegram", "slack_bolt", "slack_sdk")


@cache
def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(tree: ast.AST) -> list[str]:
    """Every module named by an import: inside functions and under TYPE_CHECKING too."""
    named: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            named.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                # ``from bot.polls import votes`` names the module bot.polls.votes
                named.append(candidate if candidate in modules() else node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return named


@cache
def graph() -> dict[str, set[str]]:
    return {
        name: set(_imports(ast.parse(path.read_text(), str(path))))
        for name, path in modules().items()
    }


def _feature(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "bot" and len(parts) >= 2 and parts[1] not in ("kernel", "app"):
        return parts[1]
    return None


def _front(package: str) -> set[str]:
    """What a feature package offers: the package itself and the modules in its __all__."""
    tree = ast.parse(modules()[package].read_text())
    offered = {package}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            assert isinstance(node.value, ast.List)
            offered |= {f"{package}.{ast.literal_eval(e)}" for e in node.value.elts}
    return offered


def test_the_layers_point_one_way() -> None:
    wrong = []
    for name, imported in graph().items():
        layer = name.split(".")[0]
        for target in imported:
            top = target.split(".")[0]
            if layer == "storage" and top in ("bot", "adapters"):
                wrong.append(f"{name} imports {target}")
            if layer == "bot" and (top == "adapters" or top in PLATFORM_LIBRARIES):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_kernel_imports_no_feature() -> None:
    wrong = [f"{name} imports {target}" for name, imported in graph().items()
             if name.startswith("bot.kernel") for target in imported
             if target.startswith("bot.") and not target.startswith("bot.kernel")]
    assert wrong == []


def test_features_and_adapters_use_a_feature_through_its_package() -> None:
    wrong = []
    for name, imported in graph().items():
        own = _feature(name)
        for target in imported:
            other = _feature(target)
            if other is None or other == own or name == "bot.app":
                continue
            if target not in _front(f"bot.{other}"):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_no_import_circles() -> None:
    edges = {name: {t for t in imported if t in graph()} for name, imported in graph().items()}
    circles = [sorted(c) for c in _strongly_connected(edges) if len(c) > 1]
    assert circles == []


def test_no_module_over_400_lines() -> None:
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_every_feature_registers_in_the_composition_root() -> None:
    app = graph()["bot.app"]
    packages = {n for n in modules() if _feature(n) and n.count(".") == 1}
    registered = {p for p in packages if p in app}
    # ``bot.admin`` has no chat routes: the command line calls it.
    assert packages - registered == {"bot.admin"}


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found
