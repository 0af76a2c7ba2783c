"""``model.frozen``: every model class builds the very instance that the
``__init__`` written by ``@dataclass(frozen=True)`` builds (the same fields, in
the same order, the same defaults, a fresh default from each factory, the same
errors), only faster; ``copy_with`` is ``dataclasses.replace``."""

from __future__ import annotations

import dataclasses
import inspect
import random
from typing import Any

import pytest
from schemagen.model import schema
from schemagen.model.frozen import copy_with, fast_init

MODEL_CLASSES = [
    cls
    for cls in vars(schema).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == schema.__name__
]


def _twin(cls: type) -> Any:
    """The same class as ``@dataclass(frozen=True)`` alone writes it."""
    namespace: dict[str, Any] = {"__annotations__": dict(cls.__annotations__)}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            namespace[f.name] = dataclasses.field(
                default=f.default, default_factory=f.default_factory, metadata=f.metadata
            )
    return dataclasses.dataclass(frozen=True)(type(cls.__name__, (), namespace))


def _state(obj: Any) -> list[tuple[str, Any]]:
    return list(vars(obj).items())


def test_every_model_class_has_the_fast_init() -> None:
    assert len(MODEL_CLASSES) > 25
    for cls in MODEL_CLASSES:
        cls(**{f.name: None for f in dataclasses.fields(cls)})  # the first writes __init__
        # the dataclass's own __init__ fetches object.__setattr__ per field; ours holds it
        assert "__setattr__" not in cls.__init__.__code__.co_names, cls
        assert "_set" in cls.__init__.__code__.co_names, cls
        ours, theirs = inspect.signature(cls), inspect.signature(_twin(cls))
        assert list(ours.parameters) == list(theirs.parameters), cls


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_the_same_instance_as_the_dataclass_init(cls: type) -> None:
    twin, rng = _twin(cls), random.Random(cls.__name__)
    fields = dataclasses.fields(cls)
    for _ in range(30):
        given = {
            f.name: object()
            for f in fields
            if f.default is f.default_factory is dataclasses.MISSING or rng.random() < 0.5
        }
        assert _state(cls(**given)) == _state(twin(**given))
        positional = [given.get(f.name, getattr(twin(**given), f.name)) for f in fields]
        assert _state(cls(*positional)) == _state(twin(*positional))
    required = [f.name for f in fields if f.default is f.default_factory is dataclasses.MISSING]
    if required:
        with pytest.raises(TypeError):
            cls()
    with pytest.raises(TypeError):
        cls(*([None] * (len(fields) + 1)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj = cls(**dict.fromkeys(required))
        obj.__setattr__(fields[0].name, 1)


def test_a_factory_default_is_fresh_per_instance() -> None:
    @fast_init
    @dataclasses.dataclass(frozen=True)
    class Holder:
        name: str
        items: list[int] = dataclasses.field(default_factory=list)

    first, second = Holder("a"), Holder("b")
    assert first.items == [] and first.items is not second.items
    assert Holder("c", [1]).items == [1]


def test_a_class_that_does_more_in_init_keeps_it() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        size: int

        def __post_init__(self) -> None:
            if self.size < 0:
                raise ValueError("negative")

    init = Checked.__init__
    assert fast_init(Checked).__init__ is init
    with pytest.raises(ValueError, match="negative"):
        Checked(-1)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_copy_with_is_dataclasses_replace(cls: type) -> None:
    rng = random.Random(cls.__name__)
    fields = dataclasses.fields(cls)
    obj = cls(**{f.name: object() for f in fields})
    for _ in range(30):
        changes = {f.name: object() for f in fields if rng.random() < 0.4}
        assert _state(copy_with(obj, **changes)) == _state(
            dataclasses.replace(obj, **changes)
        )


def test_copy_with_leaves_cached_properties_behind() -> None:
    entity = schema.Entity(
        name="Thing",
        table="things",
        columns=(schema.Column("id", schema.ColumnType("integer")),),
        primary_key=schema.PrimaryKey("pk_things", ("id",)),
    )
    assert entity.has_column("id")  # fills a cached property
    other = copy_with(entity, columns=(schema.Column("uid", schema.ColumnType("uuid")),))
    assert other.has_column("uid") and not other.has_column("id")


def test_copy_with_refuses_a_class_that_does_more_in_init() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        size: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="needs dataclasses.replace"):
        copy_with(Checked(1), size=2)
