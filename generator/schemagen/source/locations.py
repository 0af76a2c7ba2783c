"""Where each YAML path of a merged schema folder was written.

:func:`schemagen.source.loader.merge` keeps each file's marks and which file
holds each definition; :class:`Locations` looks a path up in them when an
issue asks for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from ..model.schema import Place

YamlPath = tuple[str, ...]
_DATABASE: YamlPath = ("database",)


class RawFile(Protocol):
    """What is read of a :class:`schemagen.source.loader.RawFile` here."""

    path: str
    marks: Mapping[YamlPath, tuple[int, int]]


class Locations(Mapping[YamlPath, Place]):
    """Where each YAML path of the merged folder was written, as ``(file, line, column)``.

    A top-level key is located in the first file that has it; a path inside a
    definition (or ``database``) only in the file that holds the definition
    (:func:`merge`'s owner). A schema has a mark for every node, but only the
    few paths that an issue names are ever asked for: each is looked up in its
    file's marks when asked, instead of all of them copied into one map.
    ``mixins`` (see :meth:`with_mixin_columns`) also locates a mixin's columns
    under each entity that uses it.
    """

    def __init__(
        self,
        files: Mapping[str, RawFile] | None = None,
        owner: Mapping[YamlPath, str] | None = None,
        mixins: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._files: Mapping[str, RawFile] = {} if files is None else files  # in merge order
        self._owner: Mapping[YamlPath, str] = {} if owner is None else owner
        self._mixins: Mapping[str, tuple[str, ...]] = {} if mixins is None else mixins

    def with_mixin_columns(self, uses: Mapping[str, tuple[str, ...]]) -> Locations:
        """These locations, and ``("entities", E, "columns", ...)`` of a column that
        entity E has from a mixin at the mixin's place: ``uses`` maps each entity
        to its mixins, the first of them that has the column wins."""
        return Locations(self._files, self._owner, uses)

    def get(self, path: YamlPath, default: Any = None) -> Any:  # noqa: D102 - Mapping's
        for raw in self._holders(path):
            mark = raw.marks.get(path)
            if mark is not None:
                return (raw.path, *mark)
        if path == _DATABASE and _DATABASE in self._owner:
            return (self._owner[_DATABASE], 1, 1)  # from a YAML merge key: no mark says where
        if len(path) >= 4 and path[0] == "entities" and path[2] == "columns":
            for mixin in self._mixins.get(path[1], ()):
                place = self.get(("mixins", mixin, *path[2:]))
                if place is not None:
                    return place
        return default

    def _holders(self, path: YamlPath) -> Iterable[RawFile]:
        """The files whose mark of ``path`` counts, the first that has one wins."""
        if not path:
            return ()
        if path[0] == "database" or len(path) >= 2:
            owner = self._owner.get(path[:1] if path[0] == "database" else path[:2])
            return () if owner is None else (self._files[owner],)
        return self._files.values()

    def __getitem__(self, path: YamlPath) -> Place:
        place: Place | None = self.get(path)
        if place is None:
            raise KeyError(path)
        return place

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.get(path) is not None

    def __iter__(self) -> Iterator[YamlPath]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def _all(self) -> dict[YamlPath, Place]:
        """Every located path (for comparing and listing: slow, never needed to report)."""
        paths = dict.fromkeys([_DATABASE] if _DATABASE in self._owner else [])
        paths.update((path, None) for raw in self._files.values() for path in raw.marks)
        for entity, mixins in self._mixins.items():
            for mixin in mixins:
                for path in self._files_paths(("mixins", mixin, "columns")):
                    paths.setdefault(("entities", entity, *path[2:]), None)
        return {path: place for path in paths if (place := self.get(path)) is not None}

    def _files_paths(self, prefix: YamlPath) -> list[YamlPath]:
        size = len(prefix)
        return [
            path
            for raw in self._files.values()
            for path in raw.marks
            if len(path) > size and path[:size] == prefix
        ]
