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


def number_format(*, prefix: str, value: int) -> str:
    return f"{prefix}{value:06d}"
