"""Pure parts of the import: names, types and defaults as PostgreSQL prints them."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from schemagen.adopt.emit import layout, scalar
from schemagen.adopt.mapping import Imported
from schemagen.adopt.names import Named, choose_template, class_names, python_name, singular
from schemagen.adopt.values import map_default, map_type
from schemagen.model.naming import DEFAULT_NAMING_CONVENTION


@pytest.mark.parametrize(
    "plural, one",
    [
        ("categories", "category"),
        ("boxes", "box"),
        ("addresses", "address"),
        ("status", "status"),
        ("products", "product"),
        ("matches", "match"),
        ("data", "data"),
    ],
)
def test_singular(plural: str, one: str) -> None:
    assert singular(plural) == one


def test_class_names_are_valid_and_distinct() -> None:
    taken: set[str] = set()
    names = class_names(
        ["order_lines", "OrderLines", "3d_models", "nones", "base"], taken, singularize=True
    )
    assert names == {
        "3d_models": "T3dModel",
        "OrderLines": "OrderLine",
        "base": "Base2",
        "nones": "NoneType",
        "order_lines": "OrderLine2",
    }
    assert python_name("class") == "class_" and python_name("2fa") == "c_2fa"
    assert python_name("first name") == "first_name"


def test_convention_is_the_pattern_most_names_follow() -> None:
    items = [
        Named(f"{t}_{c}_fkey", t, (c,), "stores")
        for t, c in [("a", "store_id"), ("b", "store_id"), ("c", "owner")]
    ]
    assert choose_template("fk", items) == "%(table_name)s_%(column_0_N_name)s_fkey"
    # One index named some way is no pattern for indexes (they can be named one by one).
    assert (
        choose_template("ix", [Named("idx_a_x", "a", ("x",))])
        == "ix_%(table_name)s_%(column_0_N_name)s"
    )
    two = [Named("idx_a_x", "a", ("x",)), Named("idx_b_y", "b", ("y",))]
    assert choose_template("ix", two) == "idx_%(table_name)s_%(column_0_N_name)s"
    # A pattern read off a single name among others is that name's, not a convention:
    # Django's keys carry a hash each, Rails' fk_rails_<hash> follow no pattern at all.
    django = [
        Named("ticket_user_id_123a4bd1_fk_auth_user_id", "ticket", ("user_id",), "auth_user"),
        Named("followup_ticket_id_1f3a8b2c_fk_ticket_id", "followup", ("ticket_id",), "ticket"),
        Named("fk_rails_8b5c4c5d2e", "emails", ("user_id",), "users"),
    ]
    assert choose_template("fk", django) == DEFAULT_NAMING_CONVENTION["fk"]
    # ... while the single key of a database is named by its own pattern (a column's
    # references: gets its name from the convention alone)
    assert choose_template("fk", django[:1]) == (
        "%(table_name)s_%(column_0_N_name)s_123a4bd1_fk_%(referred_table_name)s_id"
    )


@pytest.mark.parametrize(
    "printed, expected",
    [
        ("character varying(64)", {"type": "string", "length": 64}),
        ("numeric(12,2)", {"type": "numeric", "precision": 12, "scale": 2}),
        ("numeric", {"type": "numeric"}),
        ("timestamp with time zone", {"type": "timestamptz"}),
        ('"Mood"[]', {"type": "array", "of": {"type": "enum", "enum": "Mood"}}),
        ("character varying(5)[]", {"type": "array", "of": {"type": "string", "length": 5}}),
        ("integer[]", {"type": "array", "of": "integer"}),
        ("character varying", {"type": "varchar"}),
        ("character varying[]", {"type": "array", "of": "varchar"}),
        ("timestamp(3) with time zone", {"type": "timestamptz", "precision": 3}),
        (
            "timestamp(6) without time zone[]",
            {"type": "array", "of": {"type": "timestamp", "precision": 6}},
        ),
        ("time with time zone", {"type": "timetz"}),
        ("interval day to second(3)", {"type": "interval day to second", "precision": 3}),
        ("interval(0)", {"type": "interval", "precision": 0}),
        ("citext", {"type": "citext"}),
        ("character(2)", {"type": "character(2)"}),
        ("txid_snapshot", None),
    ],
)
def test_map_type(printed: str, expected: object) -> None:
    assert map_type(printed, {"Mood": "Mood"}) == expected


@pytest.mark.parametrize(
    "printed, kind, pg_type, expected",
    [
        ("now()", "timestamptz", "timestamp with time zone", "now"),
        ("CURRENT_TIMESTAMP", "timestamptz", "timestamp with time zone", "current_timestamp"),
        ("CURRENT_DATE", "date", "date", "current_date"),
        ("CURRENT_DATE", "timestamptz", "timestamp with time zone", "current_date"),
        ("LOCALTIMESTAMP", "timestamp", "timestamp without time zone", "localtimestamp"),
        ("CURRENT_TIME", "time", "time without time zone", "current_time"),
        (
            "CURRENT_TIMESTAMP(3)",
            "timestamptz",
            "timestamp with time zone",
            {"sql": "CURRENT_TIMESTAMP(3)"},
        ),
        ("CURRENT_TIMESTAMP", "text", "text", {"sql": "CURRENT_TIMESTAMP"}),
        ("'-1'::integer", "integer", "integer", -1),
        ("1.50", "numeric", "numeric(8,2)", {"sql": "1.50"}),
        ("1.5", "numeric", "numeric(8,2)", 1.5),
        ("'it''s'::character varying", "varchar", "character varying", "it's"),
        ("'it''s'::character varying", "string", "character varying(9)", "it's"),
        ("'{}'::jsonb", "jsonb", "jsonb", {}),
        ("'{\"sql\": 1}'::jsonb", "jsonb", "jsonb", {"sql": "'{\"sql\": 1}'::jsonb"}),
        ("'yes'::text", "text", "text", "yes"),
        ("'now'::text", "text", "text", "now"),
        ("'x'::bytea", "bytes", "bytea", {"sql": "'x'::bytea"}),
        (
            "'2020-01-01 10:00:00+00'::timestamp with time zone",
            "timestamptz",
            "timestamp with time zone",
            "2020-01-01 10:00:00+00",
        ),
        ("nextval('s'::regclass)", "integer", "integer", {"sql": "nextval('s'::regclass)"}),
    ],
)
def test_map_default(printed: str, kind: str, pg_type: str, expected: object) -> None:
    assert map_default(printed, {"type": kind}, pg_type) == expected


@pytest.mark.parametrize("text", ["it's me\n", "a\n", "a b.\n", "x)\n"])
def test_plain_looking_text_with_a_trailing_newline_is_quoted(text: str) -> None:
    """A default such as 'it''s me<newline>'::text: Python's ``$`` matches before a final
    newline, so it was written plain, and YAML folds that newline away."""
    assert yaml.safe_load("{k: " + scalar(text) + "}") == {"k": text}


#: Characters YAML reads as breaks, blanks, escapes or indicators, drawn as often as
#: any other, among plain ASCII: st.text alone rarely drew NEL (U+0085), which came
#: back as a space, and then mostly beside a character that made PyYAML quote with ".
_ALPHABET = st.one_of(
    st.characters(),
    st.sampled_from("\x85\u2028\u2029\n\r\t \ufeff\x00\x7f'\"\\:#-,[]{}"),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(_ALPHABET, max_size=40))
@example(text="a\x85b")
@example(text="\x85")
@example(text="up\u2028down\u2029 and\u0085on")
def test_yaml_text_reads_back_as_written(text: str) -> None:
    """Any description or name, in a flow mapping and as a block value, loads back equal."""
    assert yaml.safe_load("{k: " + scalar(text) + "}") == {"k": text}
    entity = {"description": text, "columns": {"c": {"type": "text", "description": text}}}
    files = layout(Imported(database={"name": "d"}, entities={"E": entity}))
    assert sorted(files) == ["database.yaml", "es.yaml"]
    loaded = yaml.safe_load(files["es.yaml"])["entities"]["E"]
    assert loaded["description"] == text and loaded["columns"]["c"]["description"] == text
