"""Write-side helpers of the tenancy app."""

from __future__ import annotations

from django.db import connection

from tenancy.models import Sequence, Tenant


def sequence_next(*, tenant: Tenant, name: str) -> int:
    """Return the next value of a per-tenant counter.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: PostgreSQL's row lock makes
    concurrent callers queue, so two bookings never get the same number. Call it inside the
    transaction that saves the numbered row, so a rollback gives the number back.
    """
    assert Sequence._meta.db_table == "tenancy_sequence"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tenancy_sequence (tenant_id, name, last_value) VALUES (%s, %s, 1)
            ON CONFLICT (tenant_id, name) DO UPDATE SET last_value = tenancy_sequence.last_value + 1
            RETURNING last_value
            """,
            [tenant.pk, name],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def sequence_reserve(*, tenant: Tenant, name: str, count: int) -> range:
    """Reserve ``count`` consecutive values of a per-tenant counter in one statement.

    Returns the reserved values as a ``range`` (empty when ``count`` is 0). Like
    :func:`sequence_next`, one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``: the row lock makes
    concurrent reservations queue, so blocks never overlap and, since the lock is held until the
    caller's transaction ends, a committed block has no gaps. Call it inside the transaction that
    saves the numbered rows, so a rollback gives the whole block back.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return range(0)
    assert Sequence._meta.db_table == "tenancy_sequence"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tenancy_sequence (tenant_id, name, last_value) VALUES (%s, %s, %s)
            ON CONFLICT (tenant_id, name) DO UPDATE SET last_value = tenancy_sequence.last_value + EXCLUDED.last_value
            RETURNING last_value
            """,
            [tenant.pk, name, count],
        )
        row = cursor.fetchone()
    assert row is not None
    last = int(row[0])
    return range(last - count + 1, last + 1)


def number_format(*, prefix: str, value: int) -> str:
    return f"{prefix}{value:06d}"


def sequence_lock(*, tenant: Tenant, name: str) -> None:
    """Lock a per-tenant counter until the caller's transaction ends, creating it if need be.

    Whoever numbers rows of this counter (``sequence_next``, ``sequence_reserve``) then waits for
    us: a bulk writer can check what exists and count what it will number before reserving.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tenancy_sequence (tenant_id, name, last_value) VALUES (%s, %s, 0)
            ON CONFLICT (tenant_id, name) DO UPDATE SET last_value = tenancy_sequence.last_value
            """,
            [tenant.pk, name],
        )
