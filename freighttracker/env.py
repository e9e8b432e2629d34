"""Small typed readers for environment variables.

Every setting the product reads from the environment goes through these helpers so that a bad
value fails at start-up with a clear ``ImproperlyConfigured`` instead of somewhere deep at run time.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
FERNET_HINT = (
    'make a key with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def env_str(name: str, default: str = "") -> str:
    """A blank value counts as unset, so ``XERO_API_URL=`` in an env file keeps the default."""
    raw = os.environ.get(name)
    return default if raw is None or not raw.strip() else raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None, sep: str = ",") -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(sep) if item.strip()]


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """A URL with one of ``schemes`` and a host; trailing slashes are dropped."""
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ImproperlyConfigured(f"{name} must be a {'/'.join(schemes)} URL with a host, got {raw!r}")
    return raw.rstrip("/")


def env_origins(name: str, default: list[str] | None = None) -> list[str]:
    """Comma-separated origins such as ``https://tms.example.com`` (Django's CSRF_TRUSTED_ORIGINS needs the scheme)."""
    origins = env_list(name, default)
    for origin in origins:
        parsed = urlparse(origin)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ImproperlyConfigured(f"{name} entries must look like https://host[:port], got {origin!r}")
    return origins


def origin_of(url: str) -> str:
    """``https://tms.example.com/app`` → ``https://tms.example.com``."""
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def env_fernet_keys(name: str) -> list[str]:
    """Comma-separated Fernet keys; each must decode to 32 bytes so a typo fails at start-up, not at first use."""
    keys = env_list(name)
    for index, key in enumerate(keys):
        try:
            decoded = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise ImproperlyConfigured(f"{name} key #{index + 1} is not url-safe base64") from exc
        if len(decoded) != 32:
            raise ImproperlyConfigured(f"{name} key #{index + 1} must be 32 base64-encoded bytes; {FERNET_HINT}")
    return keys


def database_from_url(url: str) -> dict[str, object]:
    """Turn ``postgresql://user:pw@host:port/name?host=/socket/dir`` into a Django DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgresql:// URL (PostgreSQL is required), got scheme {parsed.scheme!r}"
        )
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgresql://localhost/freight")
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    try:
        port = parsed.port or int(query.get("port", ["0"])[0])
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL has a bad port: {url!r}") from exc
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or "postgres"),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 0,
    }


def database_url_from_settings(db: Mapping[str, Any]) -> str:
    """The inverse of ``database_from_url``, for handing the current (test) database to a subprocess.

    Handles the embedded server's Unix socket (``HOST`` is a directory), which ``host:port`` cannot.
    """
    user = quote(str(db.get("USER") or "postgres"), safe="")
    password = f":{quote(str(db['PASSWORD']), safe='')}" if db.get("PASSWORD") else ""
    name = quote(str(db["NAME"]), safe="")
    host = str(db.get("HOST") or "")
    port = str(db.get("PORT") or "")
    if host.startswith("/"):
        return f"postgresql://{user}{password}@/{name}?host={quote(host)}" + (f"&port={port}" if port else "")
    return f"postgresql://{user}{password}@{host or '127.0.0.1'}:{port or 5432}/{name}"


def redis_url_with_db(url: str, db: int) -> str:
    """``redis://host:6379/0`` → ``redis://host:6379/<db>``: a separate database on the same server."""
    parsed = urlparse(url)
    return parsed._replace(path=f"/{db}").geturl()
