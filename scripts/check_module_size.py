"""Fail when a Python module outside migrations and tests passes 500 lines (issue 12, STYLE §1).

A module that grows past the limit splits by sub-domain into a package
(``payroll/services/ledger.py``, ``…/imports.py``), not by layer.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 500
ROOT = Path(__file__).resolve().parent.parent
SKIP_PARTS = {"migrations", "tests", ".venv", "staticfiles", "var", "node_modules", ".git"}


def oversized(root: Path = ROOT, limit: int = LIMIT) -> list[tuple[str, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIP_PARTS.intersection(relative.parts):
            continue
        with path.open(encoding="utf-8") as handle:
            lines = sum(1 for _ in handle)
        if lines > limit:
            found.append((str(relative), lines))
    return found


def main() -> int:
    found = oversized()
    for name, lines in found:
        print(f"{name}: {lines} lines (limit {LIMIT}): split it by sub-domain")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
