"""Column options of issue 11 (collations, identity options, serial types, domains):
the model they give, and what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import DbSequence, Default, IdentityOptions, SequenceOptions


def test_collation_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Member:
        columns:
          id: {type: bigint, primary_key: true}
          handle: {type: string, length: 40, collation: "C", unique: true}
          note: {type: text}
      Post:
        columns:
          id: {type: bigint, primary_key: true}
          author: {references: Member.handle}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    assert schema.entity("Member").column("handle").type.collation == "C"
    assert schema.entity("Member").column("note").type.collation is None
    # a referencing column takes the key's type, not its collation
    author = schema.entity("Post").column("author").type
    assert (author.kind, author.length, author.collation) == ("string", 40, None)


def test_collation_on_a_type_without_one_is_a_located_error(tmp_path: Path) -> None:
    text = """
    entities:
      Member:
        columns:
          id: {type: bigint, primary_key: true, collation: "C"}
          name: {type: text}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:4:45: entities.Member.columns.id.collation: a collation applies to "
        "string and text columns, not bigint",
    ]
    blank = text.replace("{type: text}", '{type: text, collation: ""}')
    assert issues_of(tmp_path, {"s.yaml": blank}) == [
        "schema/s.yaml:5:26: entities.Member.columns.name.collation: expected a collation "
        "name, got an empty string",
    ]


def test_identity_options_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          number: {type: integer, identity: always}
          legacy: {type: integer, identity: by default}
          counter: {type: smallint, identity: {start: 10, increment: 5, cycle: true}}
          plain: {type: bigint, identity: {}}
    """
    ticket = schema_of(tmp_path, {"s.yaml": text}).entity("Ticket")
    # the implicit identity of a lone integer key is unchanged
    assert (ticket.column("id").identity, ticket.column("id").identity_options) == (True, None)
    assert ticket.column("number").identity_options == IdentityOptions(always=True)
    assert ticket.column("legacy").identity and ticket.column("legacy").identity_options is None
    assert ticket.column("counter").identity_options == IdentityOptions(
        start=10, increment=5, cycle=True
    )
    assert ticket.column("plain").identity and ticket.column("plain").identity_options is None


def test_bad_identities_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          code: {type: text, identity: always}
          a: {type: integer, identity: always, default: 1}
          b: {type: integer, identity: always, nullable: true}
          c: {type: smallint, identity: {start: 40000}}
          d: {type: integer, identity: {min: 10, max: 5}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:26: entities.Ticket.columns.code.identity: an identity column is "
        "smallint, integer or bigint, not text",
        "schema/s.yaml:6:44: entities.Ticket.columns.a.default: an identity column cannot "
        "have `default`",
        "schema/s.yaml:7:44: entities.Ticket.columns.b.nullable: an identity column is NOT "
        "NULL (PostgreSQL makes it so)",
        "schema/s.yaml:8:27: entities.Ticket.columns.c.identity: start 40000 is out of range "
        "for smallint (-32768 to 32767)",
        "schema/s.yaml:9:26: entities.Ticket.columns.d.identity: min 10 must be below max 5",
    ]



def test_identity_false_is_a_key_without_identity(tmp_path: Path) -> None:
    """``identity: false``: the lone integer key the application numbers; any other
    value than the words and false is a located error."""
    text = """
    entities:
      Shop:
        columns:
          id: {type: bigint, primary_key: true, identity: false}
    """
    key = schema_of(tmp_path, {"s.yaml": text}).entity("Shop").column("id")
    assert (key.identity, key.identity_options, key.default) == (False, None, None)
    assert issues_of(tmp_path, {"s.yaml": text.replace("false", "true")}) == [
        "schema/s.yaml:4:45: entities.Shop.columns.id.identity: expected always, by "
        "default, false, or a mapping such as {always: true, start: 1000}, got true",
    ]


def test_serial_keys_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Invoice:
        columns:
          id: {type: bigserial, primary_key: true}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    key = schema.entity("Invoice").column("id")
    assert (key.type.kind, key.serial, key.identity) == ("bigint", True, False)
    assert key.default == Default("sql", "nextval('invoices_id_seq'::regclass)")
    assert schema.sequences == (
        DbSequence("invoices_id_seq", "bigint", owned_by="invoices.id"),
    )


def test_serial_columns_anywhere_in_the_model(tmp_path: Path) -> None:
    """A serial column need not be a lone key: part of a composite key, or no key."""
    text = """
    entities:
      Line:
        primary_key: [region, n]
        columns:
          region: {type: text}
          n: {type: smallserial}
          ticket: {type: serial, unique: true}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    line = schema.entity("Line")
    assert [(c.name, c.type.kind, c.serial, c.identity) for c in line.columns] == [
        ("region", "text", False, False),
        ("n", "smallint", True, False),
        ("ticket", "integer", True, False),
    ]
    assert line.column("ticket").default == Default("sql", "nextval('lines_ticket_seq'::regclass)")
    assert schema.sequences == (
        DbSequence("lines_n_seq", "smallint", owned_by="lines.n"),
        DbSequence("lines_ticket_seq", "integer", owned_by="lines.ticket"),
    )


def test_bad_serials_are_located_errors(tmp_path: Path) -> None:
    text = """
    sequences:
      tickets_id_seq: {}
    entities:
      Ticket:
        columns:
          id: {type: serial, primary_key: true}
          number: {type: serial, nullable: true}
          other: {type: smallserial, default: 1}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:6:12: entities.Ticket.columns.id.type: serial makes sequence "
        "tickets_id_seq, which `sequences:` declares too",
        "schema/s.yaml:7:30: entities.Ticket.columns.number.nullable: a serial column is NOT "
        "NULL (PostgreSQL's serial makes it so)",
        "schema/s.yaml:8:34: entities.Ticket.columns.other.default: a smallserial column "
        "cannot have `default` (its default is nextval of its own sequence)",
    ]


def test_serial_sequence_of_another_type_in_the_model(tmp_path: Path) -> None:
    """``sequence: {type: bigint}``: the serial's own sequence is of that type, as a
    dump of PostgreSQL before 10 restores an integer serial; said of the column's
    own type it is the plain serial."""
    text = """
    entities:
      Crossing:
        columns:
          id: {type: serial, primary_key: true, sequence: {type: bigint}}
          leg: {type: bigserial, sequence: {type: bigint}}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    crossing = schema.entity("Crossing")
    assert [(c.name, c.type.kind, c.serial, c.sequence_type) for c in crossing.columns] == [
        ("id", "integer", True, "bigint"),
        ("leg", "bigint", True, None),
    ]
    assert crossing.column("id").default == Default(
        "sql", "nextval('crossings_id_seq'::regclass)"
    )
    assert schema.sequences == (
        DbSequence("crossings_id_seq", "bigint", owned_by="crossings.id"),
        DbSequence("crossings_leg_seq", "bigint", owned_by="crossings.leg"),
    )


def test_sequence_of_a_column_that_is_no_serial_is_a_located_error(tmp_path: Path) -> None:
    text = """
    entities:
      Crossing:
        columns:
          id: {type: integer, primary_key: true, sequence: {type: bigint}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:4:46: entities.Crossing.columns.id.sequence: `sequence:` says a serial "
        "column's own sequence; this column is no serial (a sequence of its own: "
        "`sequences:` and a nextval default)",
    ]
    text = text.replace("integer, primary_key: true, sequence: {type: bigint}",
                        "serial, primary_key: true, sequence: {type: numeric}")
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:4:56: entities.Crossing.columns.id.sequence.type: unknown value "
        "'numeric'; expected one of: smallint, integer, bigint",
    ]


def test_serial_sequence_of_another_name_in_the_model(tmp_path: Path) -> None:
    """``sequence: {name: orders_id_seq}``: the serial's own sequence under the name
    PostgreSQL kept when the table was renamed, in the table's PostgreSQL schema;
    said of serial's own name it is the plain serial."""
    text = """
    entities:
      Purchase:
        columns:
          id: {type: serial, primary_key: true, sequence: {name: orders_id_seq}}
          ref: {type: bigserial, sequence: {name: purchases_ref_seq, type: integer}}
      Basket:
        schema: shop
        columns:
          id: {type: serial, primary_key: true, sequence: {name: carts_id_seq}}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    purchase = schema.entity("Purchase")
    assert [(c.name, c.sequence_name, c.sequence_type) for c in purchase.columns] == [
        ("id", "orders_id_seq", None),
        ("ref", None, "integer"),
    ]
    assert purchase.column("id").default == Default("sql", "nextval('orders_id_seq'::regclass)")
    assert schema.entity("Basket").column("id").default == Default(
        "sql", "nextval('shop.carts_id_seq'::regclass)"
    )
    assert schema.sequences == (
        DbSequence("orders_id_seq", "integer", owned_by="purchases.id"),
        DbSequence("purchases_ref_seq", "integer", owned_by="purchases.ref"),
        DbSequence("shop.carts_id_seq", "integer", owned_by="shop.baskets.id"),
    )


def test_serial_sequence_name_errors_are_located(tmp_path: Path) -> None:
    """A name that two serials share, that ``sequences:`` declares, or that
    PostgreSQL would shorten."""
    long = "s" * 64
    text = f"""
    sequences:
      numbers: {{start: 1}}
    entities:
      Purchase:
        columns:
          id: {{type: serial, primary_key: true, sequence: {{name: orders_id_seq}}}}
          ref: {{type: serial, sequence: {{name: orders_id_seq}}}}
          other: {{type: serial, sequence: {{name: numbers}}}}
          last: {{type: serial, sequence: {{name: {long}}}}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:7:38: entities.Purchase.columns.ref.sequence.name: sequence "
        "orders_id_seq is id's too: each serial has its own",
        "schema/s.yaml:8:40: entities.Purchase.columns.other.sequence.name: serial makes "
        "sequence numbers, which `sequences:` declares too",
        f"schema/s.yaml:9:39: entities.Purchase.columns.last.sequence.name: the sequence "
        f"name {long} is longer than 63 bytes (PostgreSQL would shorten it); use a sequence "
        "and a nextval default",
    ]


def test_serial_sequence_options_in_the_model(tmp_path: Path) -> None:
    """``sequence: {start: 1000, ...}``: the serial's own sequence with the options
    ``sequences:`` entries take; an option PostgreSQL would refuse is located at
    the column's ``sequence:``."""
    text = """
    entities:
      Order:
        columns:
          id: {type: serial, primary_key: true, sequence: {start: 1000, increment: 5, cache: 20}}
          down: {type: smallserial, sequence: {increment: -1, min: -100, max: -1, cycle: true}}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    order = schema.entity("Order")
    assert order.column("id").sequence_options == SequenceOptions(1000, 5, None, None, False, 20)
    assert schema.sequences == (
        DbSequence("orders_down_seq", "smallint", None, -1, -100, -1, True, None,
                   owned_by="orders.down"),
        DbSequence("orders_id_seq", "integer", 1000, 5, None, None, False, 20,
                   owned_by="orders.id"),
    )  # fmt: skip
    bad = text.replace("{start: 1000, increment: 5, cache: 20}", "{max: 40000, type: smallint}")
    assert issues_of(tmp_path, {"s.yaml": bad}) == [
        "schema/s.yaml:4:45: entities.Order.columns.id.sequence: max 40000 is out of range "
        "for smallint (-32768 to 32767)",
    ]


def test_current_time_keywords_in_the_model(tmp_path: Path) -> None:
    """``default: current_timestamp`` (and its kin) is SQL's keyword: the same default
    as ``{sql: CURRENT_TIMESTAMP}``, not ``now()``; on a text column it stays text."""
    text = """
    entities:
      Visit:
        columns:
          id: {type: bigint, primary_key: true}
          at: {type: timestamptz, default: current_timestamp}
          same: {type: timestamptz, default: {sql: CURRENT_TIMESTAMP}}
          now: {type: timestamptz, default: now}
          day: {type: date, default: current_date}
          local: {type: timestamp, default: LOCALTIMESTAMP}
          clock: {type: time, default: current_time}
          word: {type: text, default: current_timestamp}
    """
    visit = schema_of(tmp_path, {"s.yaml": text}).entity("Visit")
    defaults = {c.name: c.default for c in visit.columns if c.default is not None}
    assert defaults == {
        "at": Default("sql", "CURRENT_TIMESTAMP"),
        "same": Default("sql", "CURRENT_TIMESTAMP"),
        "now": Default("now", ""),
        "day": Default("sql", "CURRENT_DATE"),
        "local": Default("sql", "LOCALTIMESTAMP"),
        "clock": Default("sql", "CURRENT_TIME"),
        "word": Default("string", "current_timestamp"),
    }


def test_a_current_time_keyword_that_does_not_fit_is_a_located_error(tmp_path: Path) -> None:
    text = """
    entities:
      Visit:
        columns:
          id: {type: bigint, primary_key: true}
          at: {type: timestamptz, default: current_time}
          day: {type: date, default: localtime}
          n: {type: integer, default: current_date}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:31: entities.Visit.columns.at.default: default current_time does not "
        "fit timestamptz; it fits time, timetz",
        "schema/s.yaml:6:25: entities.Visit.columns.day.default: default localtime does not "
        "fit date; it fits time, timetz",
        "schema/s.yaml:7:26: entities.Visit.columns.n.default: default 'current_date' is text, "
        "but the column is integer",
    ]
