"""Database URL parsing and password masking (no database needed)."""

from __future__ import annotations

import pytest
from schemagen.errors import DatabaseError
from schemagen.util.urls import mask, parse, redact


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:pw@db.example.com:6543/shop",
        "postgres://app:pw@db.example.com:6543/shop",
        "postgresql+psycopg://app:pw@db.example.com:6543/shop",
        "postgresql+psycopg2://app:pw@db.example.com:6543/shop",
        "postgresql+asyncpg://app:pw@db.example.com:6543/shop",
    ],
)
def test_every_spelling_gives_the_same_libpq_keywords(url: str) -> None:
    params = parse(url).params
    assert params == {
        "user": "app",
        "password": "pw",
        "host": "db.example.com",
        "port": "6543",
        "dbname": "shop",
        "connect_timeout": "10",
    }


def test_percent_encoded_parts_are_decoded() -> None:
    parsed = parse("postgresql://us%40er:p%40ss%2Fw%3Ard@localhost/my%20db")
    assert parsed.params["user"] == "us@er"
    assert parsed.params["password"] == "p@ss/w:rd"
    assert parsed.params["dbname"] == "my db"


def test_asyncpg_ssl_becomes_sslmode_and_driver_only_options_are_dropped() -> None:
    params = parse(
        "postgresql+asyncpg://u:p@h/d?ssl=require&prepared_statement_cache_size=0"
    ).params
    assert params["sslmode"] == "require"
    assert "ssl" not in params
    assert "prepared_statement_cache_size" not in params


def test_libpq_query_parameters_pass_through() -> None:
    params = parse("postgresql:///shop?host=/var/run/postgresql&connect_timeout=3").params
    assert params == {"dbname": "shop", "host": "/var/run/postgresql", "connect_timeout": "3"}


def test_multi_host_and_ipv6() -> None:
    assert parse("postgresql://u@h1:5432,h2:5433/d").params["host"] == "h1,h2"
    assert parse("postgresql://u@h1:5432,h2:5433/d").params["port"] == "5432,5433"
    assert parse("postgresql://u@[::1]:5433/d").params["host"] == "::1"


@pytest.mark.parametrize(
    "url",
    [
        "mysql://root:hunter2@localhost/db",
        "sqlite:///x.db",
        "hunter2",
        "postgresql+foo://a:hunter2@h/d",
    ],
)
def test_bad_urls_are_refused_without_the_password(url: str) -> None:
    with pytest.raises(DatabaseError) as info:
        parse(url)
    assert "hunter2" not in str(info.value) or url == "hunter2"


def test_mask_replaces_only_the_password() -> None:
    assert mask("postgresql+psycopg://app:s3cret@db:5432/shop?sslmode=require") == (
        "postgresql+psycopg://app:***@db:5432/shop?sslmode=require"
    )
    assert mask("postgresql://app@db/shop") == "postgresql://app@db/shop"
    assert mask("postgresql://db/shop") == "postgresql://db/shop"


def test_mask_handles_unencoded_special_characters_in_the_password() -> None:
    masked = mask("postgresql://app:p@ss/w?rd@db:5432/shop")
    assert masked == "postgresql://app:***@db:5432/shop"


def test_mask_hides_a_password_query_parameter() -> None:
    masked = mask("postgresql://db/shop?user=app&password=s3cret")
    assert "s3cret" not in masked
    assert "password=***" in masked


def test_redact_masks_urls_inside_text_and_the_bare_secret() -> None:
    text = "failed for postgresql://u:s3cret@h/d (password s3cret rejected)"
    assert redact(text, "s3cret") == "failed for postgresql://u:***@h/d (password *** rejected)"


def test_masked_hides_a_password_that_doubles_as_user_or_database_name() -> None:
    parsed = parse("postgresql://hunter2:hunter2@db:5432/hunter2")
    assert parsed.masked() == "postgresql://***:***@db:5432/***"
    assert parse("postgresql://app:pw@db/shop").masked() == "postgresql://app:***@db/shop"


def test_an_unparsable_url_is_a_masked_error_not_a_traceback() -> None:
    with pytest.raises(DatabaseError) as info:
        parse("postgresql://app:hunter2@[::1/shop?password=hunter2")
    message = str(info.value)
    assert message.startswith("not a valid database URL: postgresql://app:***@[::1/shop")
    assert "hunter2" not in message and "Invalid IPv6 URL" in message


def test_a_password_inside_a_longer_word_is_left_alone() -> None:
    # The common dev URL: the password "postgres" is also part of "postgresql".
    url = parse("postgresql://postgres:postgres@localhost:5432/app")
    assert url.masked() == "postgresql://***:***@localhost:5432/app"
    message = 'FATAL: password authentication failed for user "postgres" (postgresql)'
    assert redact(message, "postgres") == (
        'FATAL: password authentication failed for user "***" (postgresql)'
    )
