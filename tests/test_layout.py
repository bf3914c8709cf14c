"""The layout's promises, checked on the source: who may import whom, and how big a module may get.

- the graph reaches the sleep only through memory (no ``sleep_agent.graph`` module imports
  ``consolidation``);
- the library imports none of the folders that use it, except the CLI that dispatches to them;
- ``tools/``, ``graphs/``, ``evals/`` and ``benchmarks/`` import only public library names (listed in
  the module's ``__all__``, never an underscore name);
- the adapter lifecycle has one owner: only ``models/runtime.py`` touches peft's model and the fold;
- no module is over 450 lines;
- those folders are installed under distinct names: a plain ``import tools`` fails outside the checkout.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "sleep_agent"
USERS = [ROOT / d for d in ("tools", "graphs", "evals", "benchmarks")]
INSTALLED_AS = {"tools": "sleep_agent_tools", "graphs": "sleep_agent_graphs", "evals": "sleep_agent_evals",
                "benchmarks": "sleep_agent_benchmarks"}
MAX_LINES = 450


def _py(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(absolute module, imported names) of every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for top, name in INSTALLED_AS.items():
        if package == top or package.startswith(top + "."):
            package = name + package[len(top):]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            out.append((base, [a.name for a in node.names]))
    return out


def test_the_graph_reaches_the_sleep_only_through_memory():
    bad = [(p.name, m) for p in _py(LIBRARY / "graph") for m, _ in _imports(p) if "consolidation" in m]
    assert bad == []


def test_the_library_imports_its_users_only_from_the_cli():
    users = tuple(INSTALLED_AS) + tuple(INSTALLED_AS.values())
    bad = [(str(p.relative_to(ROOT)), m) for p in _py(LIBRARY) if p.name != "cli.py"
           for m, _ in _imports(p) if m.split(".")[0] in users]
    assert bad == []


@pytest.mark.parametrize("folder", USERS, ids=lambda p: p.name)
def test_users_of_the_library_import_only_public_names(folder):
    bad = []
    for path in _py(folder):
        for module, names in _imports(path):
            if not module.startswith("sleep_agent.") and module != "sleep_agent":
                continue
            public = getattr(importlib.import_module(module), "__all__", None)
            for name in names:
                if name.startswith("_") or public is None or name not in public:
                    bad.append(f"{path.relative_to(ROOT)}: {module}.{name}")
    assert bad == []


def test_only_the_runtime_touches_peft_and_the_fold():
    private = re.compile(r"\._unmerge\b|\.peft_model\b|_disable_adapters|\._fold\(|\._peft\b")
    bad = [(str(p.relative_to(ROOT)), m.group()) for folder in [LIBRARY, *USERS] for p in _py(folder)
           if p.name != "runtime.py" for m in private.finditer(p.read_text())]
    assert bad == []


def test_no_module_is_over_the_size_limit():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for f in [LIBRARY, *USERS] for p in _py(f)}
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_generic_folder_names_are_not_installed(tmp_path):
    code = ("import importlib.util as u; import sys; "
            "print([n for n in ('tools', 'graphs', 'evals', 'benchmarks') if u.find_spec(n)], "
            "[n for n in ('sleep_agent_tools', 'sleep_agent_graphs', 'sleep_agent_evals', "
            "'sleep_agent_benchmarks') if not u.find_spec(n)])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []"
