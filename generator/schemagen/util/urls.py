"""Database URLs: parse the spellings users paste, turn them into libpq keywords, mask them.

Users copy URLs from SQLAlchemy (``postgresql+psycopg://``), asyncpg apps
(``postgresql+asyncpg://...?ssl=require``), Heroku-style environments
(``postgres://``) and libpq itself. ``schemagen check --database`` accepts all of
them and connects with psycopg 3, which wants libpq keywords. Parsing is done
with :mod:`urllib.parse` (no SQLAlchemy import: this module is cheap).

Every message that might hold a URL or a password passes through :func:`mask`
or :func:`redact` before it reaches the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ..errors import DatabaseError

#: Schemes (before ``+driver``) that name PostgreSQL.
POSTGRES_SCHEMES = ("postgresql", "postgres")

#: Drivers whose URLs we accept; they all reach the same server.
KNOWN_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi", "pg8000", "asyncpg")

#: asyncpg's ``ssl=`` values as libpq ``sslmode`` values.
_ASYNCPG_SSL = {
    "true": "require",
    "false": "disable",
    "1": "require",
    "0": "disable",
    "disable": "disable",
    "allow": "allow",
    "prefer": "prefer",
    "require": "require",
    "verify-ca": "verify-ca",
    "verify_ca": "verify-ca",
    "verify-full": "verify-full",
    "verify_full": "verify-full",
}

#: Query parameters that only SQLAlchemy or a Python driver understands; libpq
#: would reject them, and they do not change which database we reach.
_DRIVER_ONLY_PARAMS = frozenset(
    {
        "prepared_statement_cache_size",
        "prepare_threshold",
        "server_settings",
        "command_timeout",
        "async_fallback",
        "client_encoding_name",
    }
)

#: Seconds to wait for a server that does not answer, unless the URL says otherwise.
DEFAULT_CONNECT_TIMEOUT = "10"

_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*")

_URL_IN_TEXT = re.compile(r"postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?://[^\s'\"<>]+")


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed PostgreSQL URL: libpq keyword parameters plus what the user typed."""

    original: str
    driver: str | None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def password(self) -> str | None:
        return self.params.get("password")

    def masked(self) -> str:
        """The URL as typed, with the password replaced by ``***`` wherever it occurs
        (also where it doubles as the user or database name)."""
        return redact(mask(self.original), self.password)

    def describe(self) -> str:
        """``user@host:port/dbname``: where we connect, without any secret."""
        user = self.params.get("user", "")
        host = self.params.get("host", "localhost")
        port = self.params.get("port", "5432")
        dbname = self.params.get("dbname", user)
        who = f"{user}@" if user else ""
        return f"{who}{host}:{port}/{dbname}"


def parse(url: str) -> DatabaseUrl:
    """Parse a PostgreSQL URL into libpq keywords; raise DatabaseError (masked) if invalid."""
    text = url.strip()
    scheme, sep, _ = text.partition("://")
    if not sep:
        raise DatabaseError(f"not a database URL: {mask(text)!r} (expected postgresql://...)")
    base, _, driver = scheme.partition("+")
    if base.lower() not in POSTGRES_SCHEMES:
        raise DatabaseError(
            f"unsupported database URL scheme {scheme!r} in {mask(text)}: "
            "schemagen checks PostgreSQL (postgresql://, postgres://, postgresql+psycopg://, "
            "postgresql+asyncpg://)"
        )
    if driver and driver.lower() not in KNOWN_DRIVERS:
        raise DatabaseError(f"unknown PostgreSQL driver {driver!r} in {mask(text)}")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL" for an unclosed [
        raise DatabaseError(f"not a valid database URL: {mask(text)} ({exc})") from None
    params = _netloc_params(parts.netloc)
    dbname = unquote(parts.path.lstrip("/"))
    if dbname:
        params["dbname"] = dbname
    params.update(_query_params(parts.query, text))
    params.setdefault("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    return DatabaseUrl(original=text, driver=driver.lower() or None, params=params)


def _netloc_params(netloc: str) -> dict[str, str]:
    """Split ``user:password@host1:port1,host2`` into libpq keywords.

    Done by hand because :func:`urllib.parse.urlsplit` rejects the multi-host
    form that libpq allows.
    """
    params: dict[str, str] = {}
    userinfo, at, hostinfo = netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        if user:
            params["user"] = unquote(user)
        if colon:
            params["password"] = unquote(password)
    hosts: list[str] = []
    ports: list[str] = []
    for item in hostinfo.split(","):
        host, port = _split_host_port(item)
        hosts.append(host)
        ports.append(port)
    if any(hosts):
        params["host"] = ",".join(hosts)
    if any(ports):
        params["port"] = ",".join(ports)
    return params


def _split_host_port(item: str) -> tuple[str, str]:
    if item.startswith("["):  # IPv6 literal: [::1]:5432
        host, _, rest = item[1:].partition("]")
        return host, rest.lstrip(":")
    host, _, port = item.partition(":")
    return unquote(host), port


def _query_params(query: str, original: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in _DRIVER_ONLY_PARAMS:
            continue
        if key == "ssl":  # asyncpg spelling
            mode = _ASYNCPG_SSL.get(value.lower())
            if mode is None:
                raise DatabaseError(f"unsupported ssl={value!r} in {mask(original)}")
            params["sslmode"] = mode
        else:
            params[key] = value
    return params


def mask(url: str) -> str:
    """Replace the password of ``url`` (if it has one) with ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, tail = _split_authority(rest)
    userinfo, at, hostinfo = authority.rpartition("@")
    if not at or ":" not in userinfo:
        masked = url
    else:
        user = userinfo.partition(":")[0]
        masked = f"{scheme}://{user}:***@{hostinfo}{slash}{tail}"
    return _mask_query_password(masked)


def _split_authority(rest: str) -> tuple[str, str, str]:
    """Split after ``://`` into authority and the rest, at the first ``/``, ``?`` or ``#``.

    The password may itself hold ``/`` or ``?`` when a user forgot to
    percent-encode it, so the authority ends at the first of those *after* the
    last ``@``.
    """
    at = rest.rfind("@")
    start = at + 1 if at >= 0 else 0
    ends = [i for i in (rest.find(c, start) for c in "/?#") if i >= 0]
    end = min(ends) if ends else len(rest)
    return rest[:end], rest[end : end + 1], rest[end + 1 :]


def _mask_query_password(url: str) -> str:
    """``?password=...`` / ``&password=...`` -> ``password=***``; never raises, since
    it also masks URLs too broken to parse (which are reported as such)."""
    return _QUERY_PASSWORD.sub(r"\1***", url)


def redact(text: str, secret: str | None = None) -> str:
    """Mask every PostgreSQL URL in ``text``, and every occurrence of ``secret``.

    Driver errors sometimes echo the connection string or parts of it; this is
    the last filter before such text reaches a terminal or a CI log.
    """
    text = _URL_IN_TEXT.sub(lambda m: mask(m.group(0)), text)
    if secret:
        for form in sorted({secret, quote(secret, safe=""), quote(secret)}, key=len, reverse=True):
            # Only where it stands alone: the common dev password "postgres" must
            # not turn "postgresql://" into "***ql://" (it is masked in URLs above).
            pattern = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(pattern, "***", text)
    return text
