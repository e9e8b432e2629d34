"""docker-compose.yml is checked by parsing it: no Docker engine runs where the tests run.

It must describe the production-like stack (PostgreSQL, Redis, gunicorn web, Celery worker and beat)
with health checks, start order on health, and the same environment contract as the settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
CONTRACT = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "FERNET_KEYS",
    "XERO_CLIENT_ID",
    "XERO_CLIENT_SECRET",
    "XERO_REDIRECT_URI",
    "XERO_SCOPES",
    "XERO_AUTHORIZE_URL",
    "XERO_TOKEN_URL",
    "XERO_REVOKE_URL",
    "XERO_CONNECTIONS_URL",
    "XERO_API_URL",
)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def _healthcheck(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    assert test[0] in {"CMD", "CMD-SHELL"}
    return " ".join(test[1:])


def test_compose_has_the_production_services(services: dict[str, Any]) -> None:
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:")


def test_every_long_running_service_has_a_health_check(services: dict[str, Any]) -> None:
    assert "pg_isready" in _healthcheck(services["postgres"])
    assert "redis-cli ping" in _healthcheck(services["redis"])
    assert "/healthz/" in _healthcheck(services["web"])
    assert "inspect ping" in _healthcheck(services["worker"])


def test_app_services_run_gunicorn_celery_worker_and_database_beat(services: dict[str, Any]) -> None:
    assert _command(services["web"]).startswith("gunicorn freighttracker.wsgi")
    assert _command(services["worker"]).startswith("celery -A freighttracker worker")
    beat = _command(services["beat"])
    assert beat.startswith("celery -A freighttracker beat")
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
    assert "manage.py migrate" in _command(services["migrate"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_only_when_their_dependencies_are_healthy(services: dict[str, Any], name: str) -> None:
    depends = services[name]["depends_on"]
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends["redis"] == {"condition": "service_healthy"}
    assert depends["migrate"] == {"condition": "service_completed_successfully"}


@pytest.mark.parametrize("name", (*APP_SERVICES, "migrate"))
def test_app_services_share_the_environment_contract(services: dict[str, Any], name: str) -> None:
    env = services[name]["environment"]
    assert set(CONTRACT) <= set(env), set(CONTRACT) - set(env)
    assert env["DEBUG"] == "false"
    assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")


def test_secrets_are_required_from_the_environment_not_committed(services: dict[str, Any]) -> None:
    env = services["web"]["environment"]
    for name in ("SECRET_KEY", "FERNET_KEYS"):
        assert env[name].startswith(f"${{{name}:?"), f"{name} must be required with ${{{name}:?...}}"
    for name in CONTRACT:
        if name.startswith("XERO_"):
            assert env[name].startswith(f"${{{name}:-"), f"{name} must be passed through from the environment"


def test_the_image_builds_from_the_project_dockerfile(services: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER " in dockerfile  # not root at run time
    for name in (*APP_SERVICES, "migrate"):
        assert services[name]["build"] == "."
