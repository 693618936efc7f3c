"""A custom import-linter contract (issue 12 point 2): a domain app uses a sibling domain app only
through that app's ``services`` and ``selectors`` (modules or packages).

Configured in ``pyproject.toml`` (``[tool.importlinter]``, contract type ``sibling_surface``)::

    [[tool.importlinter.contracts]]
    type = "sibling_surface"
    apps = ["hr", "timetracking", "payroll"]
    surface = ["services", "selectors"]

Only direct imports count (an indirect chain through a sibling's selectors is that sibling's
business). Model relations use string references (``"hr.Employee"``) and annotations import
under ``if TYPE_CHECKING:``, so neither needs a sibling's ``models``.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


class SiblingSurfaceContract(Contract):
    type_name = "sibling_surface"

    apps = fields.ListField(subfield=fields.StringField())
    surface = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def _allowed(self, app: str, module: str) -> bool:
        return any(module == f"{app}.{room}" or module.startswith(f"{app}.{room}.") for room in self.surface)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        illegal = []
        for app in self.apps:
            if app not in graph.modules:
                raise ValueError(f"Module '{app}' does not exist.")
            for importer in sorted({app} | graph.find_descendants(app)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    sibling = imported.split(".", 1)[0]
                    if sibling == app or sibling not in self.apps or self._allowed(sibling, imported):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(d["line_number"] for d in details)
                    illegal.append({"importer": importer, "imported": imported, "line_numbers": lines})
        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal": illegal},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        rooms = " / ".join(self.surface)  # type: ignore[arg-type]
        output.print_error(f"Imports of a sibling domain app other than through its {rooms}:", bold=False)
        output.new_line()
        for link in check.metadata["illegal"]:
            lines = ", ".join(map(str, link["line_numbers"]))
            output.print_error(f"- {link['importer']} -> {link['imported']} (l.{lines})", bold=False)
        output.new_line()
