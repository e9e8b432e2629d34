"""The environment contract: typed readers fail loudly on bad values, production refuses to start
without its secrets, and ``check --deploy`` is clean under production variables.

Settings are imported in a fresh interpreter per case, because Django settings load once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from freighttracker.env import (
    database_from_url,
    database_url_from_settings,
    env_bool,
    env_fernet_keys,
    env_int,
    env_list,
    env_origins,
    env_str,
    env_url,
    origin_of,
    redis_url_with_db,
)

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "FERNET_KEYS",
    "REDIS_URL",
    "PORT",
    "XERO_SANDBOX_PORT",
    "XERO_SANDBOX_ENABLED",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_REDIRECT_URI",
    "XERO_SCOPES",
    "XERO_AUTHORIZE_URL",
    "XERO_TOKEN_URL",
    "XERO_REVOKE_URL",
    "XERO_CONNECTIONS_URL",
    "XERO_API_URL",
    "SECURE_SSL_REDIRECT",
    "PYTEST_XDIST_WORKER",
    "CELERY_TASK_DEFAULT_QUEUE",
    "TESTING",
)
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = json.loads({names!r})
print(json.dumps({{n: getattr(settings, n, None) for n in names}}, default=str))
"""


def _production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-that-is-long-and-random-enough",
        "ALLOWED_HOSTS": "tms.example.com",
        "SITE_URL": "https://tms.example.com",
        "FERNET_KEYS": Fernet.generate_key().decode(),
    }
    env.update(overrides)
    return env


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in CONTRACT}
    full_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "freighttracker.settings",
            # Never start the embedded server from here; importing settings does not connect.
            "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:1/unused",
            "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        }
    )
    full_env.update(env)
    full_env = {k: v for k, v in full_env.items() if v is not None}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def _settings(env: dict[str, str], tmp_path: Path, *names: str) -> dict[str, object]:
    result = _run(["-c", PRINT_SETTINGS.format(names=json.dumps(names))], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _import_error(env: dict[str, str], tmp_path: Path) -> str:
    result = _run(["-c", "import django; django.setup()"], env, tmp_path)
    assert result.returncode != 0, "settings imported although they should have been refused"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


# --- the typed readers -------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)])
def test_env_bool_reads_common_spellings(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_env_bool_uses_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True


def test_env_bool_rejects_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG")


def test_env_int_rejects_non_numbers_and_defaults_when_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N", "")
    assert env_int("N", 7) == 7
    monkeypatch.setenv("N", "12")
    assert env_int("N", 7) == 12
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env_int("N", 7)


def test_env_list_splits_and_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.delenv("HOSTS")
    assert env_list("HOSTS", ["x"]) == ["x"]


def test_env_url_requires_http_scheme_and_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE", "https://tms.example.com/")
    assert env_url("SITE") == "https://tms.example.com"
    for bad in ("tms.example.com", "ftp://tms.example.com", "https://"):
        monkeypatch.setenv("SITE", bad)
        with pytest.raises(ImproperlyConfigured, match="SITE must be"):
            env_url("SITE")


def test_env_origins_require_a_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORIGINS", "https://a.example,http://localhost:8000")
    assert env_origins("ORIGINS") == ["https://a.example", "http://localhost:8000"]
    monkeypatch.setenv("ORIGINS", "a.example")
    with pytest.raises(ImproperlyConfigured, match="ORIGINS entries"):
        env_origins("ORIGINS")


def test_origin_of_drops_the_path() -> None:
    assert origin_of("https://tms.example.com:8443/app/") == "https://tms.example.com:8443"


def test_env_fernet_keys_accepts_real_keys_and_rejects_typos(monkeypatch: pytest.MonkeyPatch) -> None:
    good = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    monkeypatch.setenv("KEYS", ",".join(good))
    assert env_fernet_keys("KEYS") == good
    monkeypatch.setenv("KEYS", f"{good[0]},{good[1][:-4]}")
    with pytest.raises(ImproperlyConfigured, match="key #2"):
        env_fernet_keys("KEYS")
    monkeypatch.setenv("KEYS", "not-a-key")
    with pytest.raises(ImproperlyConfigured, match="KEYS key #1"):
        env_fernet_keys("KEYS")


def test_database_from_url_reads_tcp_and_socket_urls() -> None:
    tcp = database_from_url("postgresql://app:s%40cret@db.internal:6543/freight")
    assert (tcp["USER"], tcp["PASSWORD"], tcp["HOST"], tcp["PORT"], tcp["NAME"]) == (
        "app",
        "s@cret",
        "db.internal",
        "6543",
        "freight",
    )
    socket = database_from_url("postgresql://postgres:@/freight?host=/tmp/pg")
    assert (socket["HOST"], socket["NAME"], socket["PORT"]) == ("/tmp/pg", "freight", "")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///db.sqlite3", "PostgreSQL is required"),
        ("mysql://root@localhost/freight", "PostgreSQL is required"),
        ("postgresql://localhost:5432/", "must name a database"),
        ("postgresql://localhost:99999/freight", "bad port"),
    ],
)
def test_database_from_url_rejects_what_is_not_postgresql(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


# --- the settings module under each environment -------------------------------------------------


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FERNET_KEYS", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(tmp_path: Path, missing: str) -> None:
    env = _production_env()
    del env[missing]
    assert f"{missing} must be set when DEBUG is off" in _import_error(env, tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "sometimes"),
        ("FERNET_KEYS", "short"),
        ("SITE_URL", "tms.example.com"),
        ("CSRF_TRUSTED_ORIGINS", "tms.example.com"),
        ("DATABASE_URL", "sqlite:///x.db"),
        ("SECURE_HSTS_SECONDS", "a year"),
    ],
)
def test_bad_values_fail_at_start_up_with_the_variable_named(tmp_path: Path, name: str, value: str) -> None:
    assert name in _import_error(_production_env(**{name: value}), tmp_path)


def test_production_settings_are_secure(tmp_path: Path) -> None:
    values = _settings(
        _production_env(),
        tmp_path,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "CSRF_TRUSTED_ORIGINS",
        "XERO_AUTHORIZE_URL",
        "XERO_API_URL",
        "XERO_SANDBOX_ENABLED",
        "XERO_REDIRECT_URI",
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://tms.example.com"]
    assert values["XERO_AUTHORIZE_URL"] == "https://login.xero.com/identity/connect/authorize"
    assert values["XERO_API_URL"] == "https://api.xero.com/api.xro/2.0"
    assert values["XERO_SANDBOX_ENABLED"] is False
    assert values["XERO_REDIRECT_URI"] == "https://tms.example.com/settings/integration/authentication/xero/callback/"


def test_development_defaults_need_no_secrets_and_point_at_the_sandbox(tmp_path: Path) -> None:
    values = _settings(
        {"XERO_SANDBOX_PORT": "9876", "SITE_URL": "http://localhost:8001"},
        tmp_path,
        "DEBUG",
        "SECRET_KEY",
        "FERNET_KEYS",
        "XERO_TOKEN_URL",
        "XERO_API_URL",
        "XERO_REDIRECT_URI",
        "CSRF_TRUSTED_ORIGINS",
        "CELERY_BROKER_URL",
    )
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"]
    assert values["FERNET_KEYS"]
    assert values["XERO_TOKEN_URL"] == "http://127.0.0.1:9876/connect/token"
    assert values["XERO_API_URL"] == "http://127.0.0.1:9876/api.xro/2.0"
    assert values["XERO_REDIRECT_URI"] == "http://localhost:8001/settings/integration/authentication/xero/callback/"
    assert values["CSRF_TRUSTED_ORIGINS"] == ["http://localhost:8001"]
    assert values["CELERY_BROKER_URL"] == "filesystem://"


def test_redis_url_selects_the_redis_broker(tmp_path: Path) -> None:
    values = _settings({"REDIS_URL": "redis://127.0.0.1:6379/3"}, tmp_path, "CELERY_BROKER_URL")
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"


def test_parallel_test_workers_get_their_own_celery_queue(tmp_path: Path) -> None:
    values = _settings(
        {"TESTING": "true", "PYTEST_XDIST_WORKER": "gw1"}, tmp_path, "CELERY_TASK_DEFAULT_QUEUE", "CELERY_BROKER_URL"
    )
    assert values["CELERY_TASK_DEFAULT_QUEUE"] == "celery-gw1"
    assert (tmp_path / "broker" / "gw1" / "in").is_dir()


def test_check_deploy_is_clean_under_production_variables(tmp_path: Path) -> None:
    env = _production_env(SECRET_KEY=Fernet.generate_key().decode() + Fernet.generate_key().decode())
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_flags_a_weak_secret_key(tmp_path: Path) -> None:
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(SECRET_KEY="short"), tmp_path
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_blank_values_keep_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NAME", "  ")
    assert env_str("NAME", "fallback") == "fallback"
    values = _settings(
        _production_env(XERO_API_URL="", XERO_REDIRECT_URI=""), tmp_path, "XERO_API_URL", "XERO_REDIRECT_URI"
    )
    assert values["XERO_API_URL"] == "https://api.xero.com/api.xro/2.0"
    assert values["XERO_REDIRECT_URI"] == "https://tms.example.com/settings/integration/authentication/xero/callback/"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:s%40cret@db.internal:6543/freight",
        "postgresql://postgres@127.0.0.1:5432/test_ft_gw0",
        "postgresql://postgres@/freighttracker?host=/srv/clone%20dir/.data/pg",
        "postgresql://postgres@/freighttracker?host=/tmp/pg&port=5433",
    ],
)
def test_database_url_from_settings_round_trips_tcp_and_socket_databases(url: str) -> None:
    settings_dict = database_from_url(url)
    assert database_from_url(database_url_from_settings(settings_dict)) == settings_dict


def test_database_url_from_settings_hands_the_test_database_to_a_subprocess(db: None) -> None:
    from django.db import connection

    settings_dict = database_from_url(database_url_from_settings(connection.settings_dict))
    assert settings_dict["NAME"] == connection.settings_dict["NAME"]
    assert str(settings_dict["NAME"]).startswith("test_")
    assert settings_dict["HOST"] == (connection.settings_dict["HOST"] or "127.0.0.1")


def test_redis_url_with_db_keeps_the_server_and_changes_the_database() -> None:
    assert redis_url_with_db("redis://127.0.0.1:6379/0", 5) == "redis://127.0.0.1:6379/5"
    assert redis_url_with_db("redis://:pw@cache:6380", 3) == "redis://:pw@cache:6380/3"


def test_a_worker_subprocess_can_be_given_its_parents_queue(tmp_path: Path) -> None:
    values = _settings({"CELERY_TASK_DEFAULT_QUEUE": "celery-gw3"}, tmp_path, "CELERY_TASK_DEFAULT_QUEUE")
    assert values["CELERY_TASK_DEFAULT_QUEUE"] == "celery-gw3"


PROBE_HEALTHZ = """
import django
django.setup()
from django.test import Client
client = Client()
health = client.get("/healthz/", HTTP_HOST="tms.example.com")
login = client.get("/login/", HTTP_HOST="tms.example.com")
hsts = health.headers.get("Strict-Transport-Security")
print(health.status_code, login.status_code, login.headers.get("Location"), hsts)
"""


def test_healthz_answers_over_plain_http_in_production_while_pages_redirect_to_https(db: None, tmp_path: Path) -> None:
    """The container health check probes http://127.0.0.1:8000/healthz/ behind no proxy."""
    from django.db import connection

    env = _production_env(DATABASE_URL=database_url_from_settings(connection.settings_dict))
    result = _run(["-c", PROBE_HEALTHZ], env, tmp_path)
    assert result.returncode == 0, result.stderr
    health, login, location, hsts = result.stdout.strip().splitlines()[-1].split(" ", 3)
    assert health == "200"
    assert (login, location) == ("301", "https://tms.example.com/login/")
    assert hsts == "None"  # HSTS is only sent over HTTPS
