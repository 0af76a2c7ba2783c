"""The imports of ``models.py``: each name imported once, under an alias where a
class attribute or a class of the module would shadow it, and the import lines
sorted as ruff's isort rules want."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.schema import ColumnType
from ..util.identity import Memo
from ..util.pycode import Expr, from_import_lines

_STDLIB = frozenset({"collections.abc", "datetime", "decimal", "enum", "os", "pathlib", "typing"})


@dataclass
class Imports:
    """The imports of a module, with aliases where a class attribute would shadow a name.

    Inside a class body an attribute named ``text`` or ``uuid`` hides the module's
    ``text()`` or ``uuid`` for every later line, so such imports get an alias
    (``text as text_``) and the code uses the alias.
    """

    shadowed: frozenset[str]
    modules: dict[str, str] = field(default_factory=dict)  # module -> local name
    helper: str = "enum_values"  # the module's enum helper; renamed if shadowed
    sql_type: bool = False  # the module defines SqlType (a type SQLAlchemy has no class for)
    sql_text: bool = False  # and SqlText (a SqlType whose values are text: text_types)
    #: A column is an array of a domain over an enum: the module defines EnumDomainArray.
    enum_domain_array: bool = False
    #: A column is an array of a domain over another type: the module defines DomainArray.
    domain_array: bool = False
    #: A column is an array of a type psycopg cannot read (pgtypes.psycopg_reads_array),
    #: or of a domain over one: the module defines NamedTypeArray.
    named_type_array: bool = False
    defined: dict[str, str] = field(default_factory=dict)  # module-level class -> its name
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (module, name) -> local
    #: The type expression written for each ColumnType object: the 32,000 columns
    #: of a 2,000-table schema share about 200 type objects. Their imports were
    #: made with the first one.
    type_exprs: Memo[ColumnType, Expr] = field(default_factory=dict)
    #: The lines written for each distinct column (``columns.column_lines``), with
    #: what they depend on besides it; their imports were made with the first one.
    column_lines: dict[tuple[object, ...], list[str]] = field(default_factory=dict)

    def name(self, module: str, name: str) -> str:
        """Import ``name`` from ``module``; return the name to use in code."""
        local = self.names.get((module, name))
        if local is None:  # asked for about 80 times per table: looked up, not re-derived
            local = self.names[(module, name)] = self._local(name)
        return local

    def own(self, name: str) -> str:
        """The name of a class the module defines itself, clear of what it shadows."""
        return self.defined.setdefault(name, self._local(name))

    def module(self, module: str) -> str:
        """Import ``module`` itself; return the name to use in code."""
        return self.modules.setdefault(module, self._local(module))

    def _local(self, name: str) -> str:
        local = name
        while local in self.shadowed:
            local += "_"
        return local

    def lines(self) -> list[str]:
        """Import lines sorted as ruff's isort rules want: stdlib, then third party."""
        stdlib = [[_import_line(m, a)] for m, a in sorted(self.modules.items())]
        third: list[list[str]] = []
        by_module: dict[str, list[str]] = {}
        for (module, name), local in self.names.items():
            by_module.setdefault(module, []).append(name if local == name else f"{name} as {local}")
        for module in sorted(by_module):
            target = stdlib if module in _STDLIB else third
            target.append(from_import_lines(module, by_module[module]))
        stdlib.sort(key=lambda lines: (lines[0].startswith("from "), lines[0].lower()))
        flat_std = [line for lines in stdlib for line in lines]
        flat_third = [line for lines in third for line in lines]
        return flat_std + ([""] if flat_std and flat_third else []) + flat_third


def _import_line(module: str, local: str) -> str:
    return f"import {module}" if module == local else f"import {module} as {local}"
