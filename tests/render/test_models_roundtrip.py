"""Rows through the generated models and PostgreSQL and back: every column type,
every relationship shape, server defaults, and hostile strings kept exactly."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from fixtures.build.cases import built, load_models
from pgcluster import PgCluster


@pytest.fixture
def shop(pg: PgCluster, pg_db: str) -> Iterator[tuple[ModuleType, Any]]:
    from sqlalchemy import create_engine

    models = load_models("shop")
    pg.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm", pg_db)
    engine = create_engine(pg.url(pg_db))
    models.Base.metadata.create_all(engine)
    try:
        yield models, engine
    finally:
        engine.dispose()


@pytest.fixture
def tricky(pg: PgCluster, pg_db: str) -> Iterator[tuple[ModuleType, Any]]:
    from sqlalchemy import create_engine

    models = load_models("tricky")
    engine = create_engine(pg.url(pg_db))
    models.Base.metadata.create_all(engine)
    try:
        yield models, engine
    finally:
        engine.dispose()


CUSTOMER_VALUES: dict[str, Any] = {
    "id": 2**53 + 1,  # bigint beyond a float's precision
    "created_at": datetime.datetime(
        2020, 2, 29, 12, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
    ),
    "email": "ada@example.com",
    "class_": "gold",
    "favorite_colors": None,  # set below, needs the enum class
    "nicknames": ["ada", "countess"],
    "score": 1.5,
    "rating": 4.25,
    "balance": Decimal("1234567890.12"),
    "ratio": Decimal("3.14159265358979323846"),
    "birthday": datetime.date(1815, 12, 10),
    "wake_up": datetime.time(6, 30, 15, 250),
    "last_seen": datetime.datetime(2024, 2, 29, 23, 59, 59, 999999),
    "session_length": datetime.timedelta(days=1, seconds=3661, microseconds=5),
    "avatar": bytes(range(256)),
    "token": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "settings": {"theme": "dark", "nested": {"list": [1, 2.5, None, True, "x"]}},
    "history": [{"at": "2024-01-01"}, 3, "text"],
    "age": 32767,
    "visits": -2147483648,
    "vip": True,
    "note": "line one\nline 'two' \\ \"three\" | <b>{{ x }}</b>\u00e9\U0001f600",
    "favorite_color": None,  # set below, needs the enum class
}


def test_customer_has_a_column_of_every_kind() -> None:
    """So that the round trip below covers every type of the language."""
    from schemagen.api import load_schema
    from schemagen.config import load_project
    from schemagen.model.schema import BASE_TYPES

    schema = load_schema(load_project(built("shop"))).schema
    assert schema is not None
    kinds = set()
    for column in schema.entity("Customer").columns:
        kinds.add(column.type.kind)
        if column.type.of is not None:
            kinds.add(column.type.of.kind)
    assert kinds == set(BASE_TYPES)


def test_every_column_type_round_trips(shop: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.orm import Session

    m, engine = shop
    values = dict(
        CUSTOMER_VALUES,
        favorite_colors=[m.Color.RED, m.Color.BLUE],
        favorite_color=m.Color.GREEN,
    )
    with Session(engine) as session:
        session.add(m.Customer(**values))
        session.commit()
    with Session(engine) as session:
        customer = session.query(m.Customer).one()
        for name, value in values.items():
            assert getattr(customer, name) == value, name
        assert isinstance(customer.balance, Decimal)
        assert customer.created_at.tzinfo is not None  # timestamptz
        assert customer.last_seen.tzinfo is None  # timestamp
        assert customer.updated_at.tzinfo is not None  # the server default


def test_server_defaults_fill_omitted_columns(shop: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.orm import Session

    m, engine = shop
    with Session(engine) as session:
        session.add(m.Customer(email="min@example.com"))
        session.commit()
    with Session(engine) as session:
        c = session.query(m.Customer).one()
        assert (c.class_, c.rating, c.balance) == ("regular", 2.5, Decimal("0.00"))
        assert (c.nicknames, c.settings, c.history) == ([], {}, [])
        assert isinstance(c.token, uuid.UUID)
        assert c.favorite_colors is None and c.score is None


def test_on_update_now_changes_updated_at(shop: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.orm import Session

    m, engine = shop
    with Session(engine) as session:
        session.add(m.Customer(email="t@example.com"))
        session.commit()
    with Session(engine) as session, session.begin():
        # now() is the transaction start: a later transaction gets a later time
        c = session.query(m.Customer).one()
        first = c.updated_at
        c.age = 3
    with Session(engine) as session:
        c = session.query(m.Customer).one()
        assert c.updated_at > first and c.created_at == first


def test_relationships_of_every_shape(shop: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.orm import Session

    m, engine = shop
    with Session(engine) as session:
        boss = m.Customer(email="boss@example.com")
        friend = m.Customer(email="friend@example.com", referrer=boss)
        home, office = m.Address(customer=boss, line="Home"), m.Address(customer=boss, line="Work")
        parent = m.Product(name="Shirt")
        child = m.Product(name="Shirt, red", parent=parent)
        tag = m.Tag(label="summer")
        child.tags.append(tag)
        order = m.Order(
            customer=boss, billing_address=home, shipping_address=office, total=Decimal("9.99"),
            state=m.OrderState.IN_PROGRESS,
        )
        order.lines = [
            m.OrderLine(position=2, product=child),
            m.OrderLine(position=1, product=parent),
        ]
        order.shipments.append(m.Shipment(carrier="DHL"))
        session.add_all([friend, order])
        session.commit()
    with Session(engine) as session:
        boss = session.query(m.Customer).filter_by(email="boss@example.com").one()
        assert [r.email for r in boss.referrals] == ["friend@example.com"]
        assert boss.referrals[0].referrer is boss
        order = boss.orders[0]
        assert order.billing_address.line == "Home" and order.shipping_address.line == "Work"
        assert [o.id for o in order.billing_address.billed_orders] == [order.id]
        assert order.shipping_address.shipped_orders == [order]
        assert [line.position for line in order.lines] == [1, 2]  # order_by position
        assert order.state is m.OrderState.IN_PROGRESS
        child = session.query(m.Product).filter_by(name="Shirt, red").one()
        assert child.parent.name == "Shirt" and child.parent.children == [child]
        assert [t.label for t in child.tags] == ["summer"]
        assert [pt.tag.label for pt in child.product_tags] == ["summer"]
        # delete-orphan cascade and ON DELETE CASCADE
        order.lines.remove(order.lines[0])
        session.commit()
        assert session.query(m.OrderLine).count() == 1
        session.delete(order)
        session.commit()
        assert session.query(m.Shipment).count() == 0
        assert session.query(m.OrderLine).count() == 0


def test_enum_values_in_the_database_are_the_yaml_values(
    shop: tuple[ModuleType, Any], pg: PgCluster, pg_db: str
) -> None:
    assert pg.sql("SELECT enum_range(NULL::order_state)", pg_db).strip() == (
        "{new,in-progress,2nd-try,done}"
    )
    m, _ = shop
    assert m.OrderState("2nd-try") is m.OrderState.V_2ND_TRY


# --- hostile strings ------------------------------------------------------------------

FROM_DEFAULT = "it's \"quoted\" \\ {{ x }} {% y %} | <i>"
HOSTILE = (
    "'''triple''' \"\"\"triple\"\"\" \\ \\n \\\n{{ x }} {% if %} {# c #} | a | <b>b</b> &amp; "
    ":name %(x)s %s ? $1 -- /* \t\r\n\u00e9\u2028\U0001f600 \\"
)


def test_hostile_defaults_and_values_round_trip_exactly(tricky: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.orm import Session

    m, engine = tricky
    with Session(engine) as session:
        order = m.Order(select="plain")
        session.add(order)
        session.add(m.Order(select="{{ x }} '; DROP TABLE \"order\"; --", mood=m.Mood("{{ x }}")))
        # `from` is varchar(50): the last 50 characters keep the worst of it
        session.add(m.Order(select=HOSTILE, from_=HOSTILE[-50:], text=HOSTILE, note=HOSTILE))
        session.commit()
        session.add(m.User(order=order))
        session.commit()
    with Session(engine) as session:
        first, second, third = session.query(m.Order).order_by(m.Order.id).all()
        assert (third.select, third.text, third.note) == (HOSTILE,) * 3
        assert third.from_ == HOSTILE[-50:]
        assert first.from_ == FROM_DEFAULT
        assert first.text == "10:30, at :30 or :x, 50% off"
        assert first.mood is m.Mood.IT_S and first.mood.value == "it's"
        assert second.select == "{{ x }} '; DROP TABLE \"order\"; --"
        assert second.mood.value == "{{ x }}"
        user = session.query(m.User).one()
        assert user.default is False
        assert user.metadata_json == {"a'b": 'c"d', "e": [1, 2]}
        assert user.order is first and first.users == [user]


def test_hostile_check_constraint_is_enforced(tricky: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    m, engine = tricky
    with Session(engine) as session:
        session.add(m.Order(select="it's"))
        with pytest.raises(IntegrityError, match="ck_order_select_not_empty"):
            session.commit()


def test_descriptions_become_exact_comments_and_never_code(
    tricky: tuple[ModuleType, Any], pg: PgCluster, pg_db: str
) -> None:
    from schemagen.api import load_schema
    from schemagen.config import load_project

    schema = load_schema(load_project(built("tricky"))).schema
    assert schema is not None
    order = schema.entity("Order")
    m, _ = tricky
    assert order.description is not None
    assert m.Order.__table__.comment == order.description
    assert pg.sql("SELECT obj_description('\"order\"'::regclass, 'pg_class')", pg_db) == (
        order.description + "\n"
    )
    from_col = order.column("from")
    assert m.Order.__table__.c["from"].comment == from_col.description
    # the docstring holds the text (re-wrapped), escapes and all: nothing was executed
    assert m.Order.__doc__ is not None and "{{ not_a_variable }}" in m.Order.__doc__
    assert '"""Triple quotes"""' in m.Order.__doc__
    assert m.Mood.__doc__ == 'Moods """ with triple quotes, and a trailing quote"'
    assert m.User.__doc__ == 'Another reserved word; description ending in a quote"'


def test_docs_show_hostile_text_as_written() -> None:
    page = (built("tricky") / "generated" / "docs" / "entities" / "order.md").read_text()
    assert "{{ not_a_variable }}" in page and "{% if true %}" in page  # never evaluated
    assert '"""Triple quotes"""' in page
    assert "<script>" not in page  # shown, not executed


def test_one_to_one_with_shared_primary_key(shop: tuple[ModuleType, Any], pg: PgCluster,
                                            pg_db: str) -> None:
    from sqlalchemy.orm import Session

    m, engine = shop
    with Session(engine) as session:
        customer = m.Customer(email="one@example.com")
        customer.profile = m.CustomerProfile(bio="Hi")
        session.add(customer)
        session.commit()
        assert customer.profile.customer_id == customer.id
    with Session(engine) as session:
        customer = session.query(m.Customer).one()
        assert customer.profile.bio == "Hi" and customer.profile.customer is customer
        customer.profile = None  # delete-orphan
        session.commit()
        assert session.query(m.CustomerProfile).count() == 0
    # not SERIAL: the key comes from the customer, never from a sequence
    assert pg.sql("SELECT column_default IS NULL FROM information_schema.columns "
                  "WHERE table_name = 'customer_profiles' AND column_name = 'customer_id'",
                  pg_db).strip() == "t"


def test_entity_named_like_an_import(tricky: tuple[ModuleType, Any]) -> None:
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import Session

    m, engine = tricky
    with Session(engine) as session:
        order = m.Order(select="x")
        order.index_entries = [m.Index(key="a"), m.Index(key="b")]
        session.add(order)
        session.commit()
        assert sorted(e.key for e in order.index_entries) == ["a", "b"]
        session.add(m.Index(order=order, key="a"))
        with pytest.raises(IntegrityError, match="uq_index_order_key"):
            session.commit()
