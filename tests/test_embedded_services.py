"""The embedded services that let ``make run`` / ``make test`` work on a machine with only Python."""

from __future__ import annotations

import redis

from freighttracker import embedded_redis


def test_embedded_redis_binary_is_available_without_a_system_install() -> None:
    assert embedded_redis.redis_server_binary().endswith("redis-server")


def test_embedded_redis_starts_once_and_is_reused(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(embedded_redis, "DATA_DIR", tmp_path)
    monkeypatch.setattr(embedded_redis, "PORT_FILE", tmp_path / "port")
    monkeypatch.setattr(embedded_redis, "PID_FILE", tmp_path / "redis.pid")
    try:
        url = embedded_redis.embedded_redis_url()
        client = redis.Redis.from_url(url)
        assert client.ping()
        client.set("probe", "1")
        assert embedded_redis.embedded_redis_url() == url  # the running server is reused
        assert client.get("probe") == b"1"
    finally:
        embedded_redis.stop()
    assert not (tmp_path / "port").exists()
