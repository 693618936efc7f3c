"""The architecture check (issue 12 point 2): no cycles, no upward imports across the layers, a
sibling domain app only through its services/selectors, no imports hidden inside functions.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and run as ``lint-imports``
in ``.ci/run``; these tests run them too, prove that each contract can fail (on a throwaway
package tree that breaks it), check that no two modules of the project import each other in a
cycle (across apps too), and check the rule import-linter cannot see: imports inside functions.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
APPS = ("trackyoursheets", "organisations", "hr", "timetracking", "payroll", "integrations")

#: TEMPORARY (issue 12 point 1): statement imports and payroll still import inside functions until
#: they move into payroll's packages; remove each entry with that move
FUNCTION_IMPORTS_PENDING: tuple[str, ...] = ()


def _lint(cwd: Path, *args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_import_contracts_are_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# =============================================================================
# The contracts can fail: the same contracts on a small package tree that breaks each of them
# =============================================================================

#: the modules the contracts name (import-linter refuses a contract on a missing module)
SKELETON = {
    "trackyoursheets/api/scopes.py": "",
    "trackyoursheets/views.py": "",
    "trackyoursheets/exceptions.py": "",
    "trackyoursheets/logs.py": "",
    "trackyoursheets/web/pages.py": "",
    "trackyoursheets/admin.py": "",
    "trackyoursheets/storage.py": "",
    "trackyoursheets/jobs.py": "",
    "trackyoursheets/schema.py": "import hr.graphql\nimport payroll.graphql\n",  # the composition root may
    "organisations/models.py": "import trackyoursheets.api.scopes\n",
    "organisations/hooks.py": "",
    "organisations/demo.py": "",
    "organisations/services.py": "from integrations.outbox import record_event\nfrom . import hooks, models\n",
    "hr/models.py": "import organisations.models\n",
    "hr/selectors.py": "from . import models\n",
    "hr/services.py": "from integrations import outbox\nfrom . import models, selectors\n",
    "hr/graphql.py": "from . import selectors\n",
    "timetracking/models.py": "",
    "timetracking/services.py": "from hr import selectors, services\n",
    "payroll/services.py": "from hr import selectors\nfrom timetracking import services\n",
    "payroll/graphql.py": "",
    # the payroll modules the tracktik contract forbids must exist for import-linter
    "payroll/models.py": "",
    "payroll/api.py": "",
    "payroll/views.py": "",
    "payroll/admin.py": "",
    "payroll/forms.py": "",
    "payroll/tasks.py": "",
    "integrations/outbox.py": "import trackyoursheets.api.scopes\n",
    "integrations/models.py": "import organisations.models\n",
    "integrations/services.py": "from . import models, outbox\nimport payroll.services\n",
    "integrations/selectors.py": "",
    "integrations/tasks.py": "from . import services\n",
    "integrations/events.py": "from . import outbox\n",
    # the report registry (issue 17): apps register their reports through it; it knows none of them
    "integrations/exports/registry.py": "import trackyoursheets.api.scopes\n",
    "integrations/exports/models.py": "import organisations.models\n",
    "integrations/exports/services.py": "from . import models, registry\n",
    "timetracking/exports.py": "from integrations.exports import registry\nfrom . import models\n",
    "integrations/tracktik/services.py": "from hr import services\nfrom timetracking import services as time\n",
}

#: contract id -> (module, extra source that breaks only that contract)
BREAKS = {
    "layers": ("hr/selectors.py", "import timetracking.services  # upward: hr is below timetracking\n"),
    "outbox": ("integrations/outbox.py", "import hr.services  # the outbox may not know a domain app\n"),
    "export-registry": (
        "integrations/exports/registry.py",
        "import timetracking.services  # the report registry may not know a domain app\n",
    ),
    "hooks": ("organisations/hooks.py", "import timetracking.services  # a registry, not an import\n"),
    "platform": ("trackyoursheets/views.py", "import payroll.services  # only the composition root wires apps\n"),
    "sibling-surface": ("payroll/services.py", "from hr.models import Employee  # use hr.selectors\n"),
    "tracktik": ("integrations/tracktik/services.py", "from timetracking.models import x  # use its services\n"),
    "acyclic": ("hr/models.py", "def employees():\n    from . import selectors  # a cycle hidden in a function\n"),
}


def _contracts() -> list[dict]:
    """The real contracts; ignores that match nothing in the small tree (the temporary ones) are fine."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return [
        {**contract, "unmatched_ignore_imports_alerting": "none"} if "ignore_imports" in contract else contract
        for contract in config["contracts"]
    ]


def _write_tree(base: Path, broken: str | None) -> None:
    files = dict(SKELETON)
    if broken is not None:
        path, source = BREAKS[broken]
        files[path] = files[path] + source
    for path, source in files.items():
        target = base / path
        for package in [*target.relative_to(base).parents][:-1]:
            (base / package).mkdir(parents=True, exist_ok=True)
            (base / package / "__init__.py").touch()
        target.write_text(source)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[tool.importlinter]"]
    for key in ("root_packages", "exclude_type_checking_imports", "contract_types"):
        lines.append(f"{key} = {json.dumps(config[key])}")
    for contract in _contracts():
        lines.append("\n[[tool.importlinter.contracts]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    (base / "pyproject.toml").write_text("\n".join(lines) + "\n")


def _run_tree(base: Path) -> subprocess.CompletedProcess:
    # the throwaway packages first, so they shadow the real ones; the repository for the custom contract
    return _lint(base, pythonpath=f"{base}{os.pathsep}{ROOT}")


def test_the_contracts_pass_on_a_well_behaved_tree(tmp_path):
    _write_tree(tmp_path, broken=None)
    result = _run_tree(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("contract_id", sorted(BREAKS))
def test_each_contract_fails_on_an_import_that_breaks_it(tmp_path, contract_id):
    _write_tree(tmp_path, broken=contract_id)
    result = _run_tree(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    names = {c["id"]: c["name"] for c in _contracts()}
    report = " ".join(result.stdout.split())  # import-linter wraps long names
    broken = {cid for cid, name in names.items() if f"{name} BROKEN" in report}
    assert contract_id in broken, result.stdout  # an upward import may break the layers contract too


def test_every_contract_is_proven_to_fail():
    assert {c["id"] for c in _contracts()} == set(BREAKS)


# =============================================================================
# No cycle between any two modules of the project, across apps too (acyclic_siblings looks inside
# each app; the layers contract forbids upward imports between the domain apps)
# =============================================================================


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import cycles of ``graph``: its strongly connected components of two or more modules
    (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph(*APPS, exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle_across_apps():
    graph = grimp.ImportGraph()
    graph.add_import(importer="hr.selectors", imported="organisations.models")
    graph.add_import(importer="organisations.models", imported="timetracking.services")
    graph.add_import(importer="timetracking.services", imported="hr.selectors")
    graph.add_import(importer="payroll.services", imported="hr.selectors")  # not part of it
    assert _cycles(graph) == [["hr.selectors", "organisations.models", "timetracking.services"]]


# =============================================================================
# No imports inside functions (import-linter sees them as imports, but not that they hide)
# =============================================================================


def _function_level_imports(source: str) -> list[tuple[int, str]]:
    """``(line, function)`` of every import inside a function, except in ``AppConfig.ready()``
    (Django's place for imports that need the models loaded)."""
    found = []

    def visit(node, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom) and function not in (None, "ready"):
                found.append((child.lineno, function))
            else:
                visit(child, function)

    visit(ast.parse(source), None)
    return found


def test_no_imports_inside_functions():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith(FUNCTION_IMPORTS_PENDING):
                continue
            offenders += [f"{relative}:{line} in {fn}()" for line, fn in _function_level_imports(path.read_text())]
    assert offenders == [], "Imports inside functions (move them to the top; break the cycle instead):\n" + "\n".join(
        offenders
    )


def test_the_function_import_check_finds_a_hidden_import():
    source = textwrap.dedent(
        """
        import os

        class AppConfig:
            def ready(self):
                from . import events

        def later():
            if True:
                from hr.models import Employee
        """
    )
    assert _function_level_imports(source) == [(10, "later")]
