"""The house's import rules, read from the source with `ast` (every import, function-level ones too):

- an engine (anything outside `web/`, `commands/` and `cli.py`) never imports `web` or `commands`;
- `web` never imports `commands`;
- no import circle, between modules or between packages (an engine package, a web app);
- no private name (`_x`) imported from another package.

A small walk over `ast` rather than import-linter: the rules are four, and a function-level
import that hides a circle counts here (import-linter's graph sees those too, but not the
private-name rule).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
SHELLS = ("web", "commands", "cli")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a submodule when `from package import submodule`)
    names: tuple[str, ...]  # the names taken from it (`from target import a, b`)
    where: str  # file:line

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}" + (
            f" ({', '.join(self.names)})" if self.names else "")


def modules(root: Path = SRC) -> dict[str, Path]:
    found = {}
    for path in sorted((root / "codingwatch").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(root: Path = SRC) -> Iterator[Import]:
    """Every import of a codingwatch module by a codingwatch module."""
    known = modules(root)
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("codingwatch"):
                        yield Import(name, alias.name, (), where)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                if not base.startswith("codingwatch"):
                    continue
                plain = []
                for alias in node.names:
                    if f"{base}.{alias.name}" in known:
                        yield Import(name, f"{base}.{alias.name}", (), where)
                    else:
                        plain.append(alias.name)
                if plain:
                    yield Import(name, base, tuple(plain), where)


def layer(module: str) -> str:
    """'web', 'commands', 'cli' or 'engine'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in SHELLS else "engine"


def package(module: str) -> str:
    """The package a module belongs to: codingwatch.<engine>, codingwatch.web.<app>, codingwatch.commands."""
    parts = module.split(".")
    return ".".join(parts[:3] if len(parts) > 2 and parts[1] == "web" else parts[:2])


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each a circle or several."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def violations(root: Path = SRC) -> list[str]:
    """Every broken rule, one line each (file:line and what)."""
    found = []
    known = modules(root)
    by_module: dict[str, set[str]] = {m: set() for m in known}
    by_package: dict[str, set[str]] = {}
    evidence: dict[tuple[str, str], Import] = {}
    for imp in imports(root):
        src, dst = layer(imp.source), layer(imp.target)
        if src == "engine" and dst in ("web", "commands"):
            found.append(f"an engine imports {dst}: {imp}")
        if src == "web" and dst == "commands":
            found.append(f"web imports commands: {imp}")
        private = [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
        if private and package(imp.source) != package(imp.target):
            found.append(f"a private name crosses packages: {imp}")
        if imp.target in known and imp.target != imp.source:
            by_module[imp.source].add(imp.target)
            evidence.setdefault((imp.source, imp.target), imp)
            a, b = package(imp.source), package(imp.target)
            if a != b:
                by_package.setdefault(a, set()).add(b)
                evidence.setdefault((a, b), imp)
    for kind, edges in (("modules", by_module), ("packages", by_package)):
        for circle in circles(edges):
            members = set(circle)
            steps = [str(evidence[(a, b)]) for a in circle for b in sorted(edges.get(a, ())) if b in members]
            found.append(f"an import circle between {kind} {' / '.join(circle)}:\n    " + "\n    ".join(steps))
    return found


def test_the_source_keeps_every_import_rule():
    broken = violations()
    assert not broken, "import rules broken:\n" + "\n".join(broken)


def test_the_rules_see_the_source():
    # Guards the test itself: the walk finds the packages and their imports (a typo in SRC would pass vacuously).
    found = list(imports())
    assert {layer(i.source) for i in found} == {"engine", "web", "commands", "cli"}
    assert any(i.source == "codingwatch.web.audits.services.workflow"
               and i.target == "codingwatch.web.audits.services.scores" for i in found)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "codingwatch" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_each_rule_catches_what_it_forbids(tmp_path):
    root = _write(tmp_path, {
        "__init__.py": "",
        "cli.py": "",
        "audit/__init__.py": "",
        "audit/report.py": "def f():\n    from codingwatch.web.audits import views\n",
        "audit/tally.py": "from codingwatch.audit import report\n",
        "lake/__init__.py": "from codingwatch.audit.tally import _hidden\n",
        "commands/__init__.py": "",
        "web/__init__.py": "",
        "web/audits/__init__.py": "",
        "web/audits/views.py": "from codingwatch.commands import common\n",
        "web/audits/services/__init__.py": "",
        "web/audits/services/workflow.py": "from codingwatch.web.audits.services.scores import x\n",
        "web/audits/services/scores.py": "from . import review\n",
        "web/audits/services/review.py": "def g():\n    from .workflow import WorkflowError\n",
        "commands/common.py": "",
        "sampling/__init__.py": "from codingwatch import denials\n",
        "denials/__init__.py": "def h():\n    import codingwatch.sampling.frames\n",
        "sampling/frames.py": "",
    })
    found = "\n".join(violations(root))
    assert "an engine imports web: codingwatch/audit/report.py:2: codingwatch.audit.report imports " \
           "codingwatch.web.audits.views" in found
    assert "web imports commands: codingwatch/web/audits/views.py:1" in found
    assert "a private name crosses packages: codingwatch/lake/__init__.py:1" in found
    assert ("an import circle between modules codingwatch.web.audits.services.review / "
            "codingwatch.web.audits.services.scores / codingwatch.web.audits.services.workflow") in found
    assert "an import circle between packages codingwatch.denials / codingwatch.sampling" in found
    assert len(violations(root)) == 5
