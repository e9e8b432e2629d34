"""Shared pieces of the hostile-input tests: the hostile values, and a helper that reads a form from
its rendered page, breaks one field (or every text field) and checks the answer and what was written.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.security.forms import main_form

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
DATA_APPS = ("tenancy", "customers", "bookings", "warehouse", "invoicing", "xero")

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "PO\x00123",
    "\u202eevil-override\u202c",
    "\u200f\u200eRTL\u200f",
    "\u200b\u200c\u200d\ufeff",
    "🚚📦🧾" * 30,
    "👩🏽‍💻" * 100,
    "e\u0301" * 300,
    "A" * 10_000,
    "ـ" * 5000,
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
    "' OR 1=1 --",
    "%s%n%x",
    "\r\nSet-Cookie: x=1",
    "..\\..\\etc\\passwd",
    "\ud7ff\ue000\uffff",
    "\U0001d574\U0001d593\U0001d59b",  # mathematical Fraktur letters
    # Control characters (issue 9, item 8): refused with a form error, never sent to Xero.
    "Acme\x01\x07\x1b\x0b\x0c\x7f Pty",
    "\x1b[31mred\x1b[0m",
    "line\u2028separator\x85next",
]
NASTY_NUMBERS = [
    "",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "-inf",
    "1e309",
    "9" * 40,
    "1,000",
    "١٢٣",
    "0x1F",
    "1.0000000001",
    "12\x00",
    "99999999999999.999",
    "-0.001",
    # Too large (issue 9, item 7): quantity x price beyond what an invoice can hold.
    "999999999.999",
    "9999999999.99",
    "-9999999999.99",
    "1000000.001",
]
NASTY_DATES = [
    "",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "1900-01-01",
    "2199-12-31",
    "31/12/2026",
    "yesterday",
    "2026-13-01",
    "2026-11-25\x00",
]

hostile_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=60),
    st.text(min_size=1, max_size=5).map(lambda s: s * 2000),
)
hostile_number = st.one_of(st.sampled_from(NASTY_NUMBERS), hostile_text)


def row_counts() -> dict[str, int]:
    """Rows of every business table, in one statement (a COUNT per model was ~30 round trips per
    example, most of these tests' time)."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in DATA_APPS]
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {index}, COUNT(*) FROM {quote(m._meta.db_table)}" for index, m in enumerate(models)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(cursor.fetchall())
    return {m._meta.label: int(counts[index]) for index, m in enumerate(models)}


def hostile_value(foreign_ids: list[str]) -> st.SearchStrategy[str]:
    """One strategy for every field: Hypothesis needs the same draws whatever field was picked."""
    return st.one_of(
        hostile_text,
        st.sampled_from(NASTY_NUMBERS),
        st.sampled_from(NASTY_DATES),
        st.sampled_from([*foreign_ids, "-1", "0", "bogus", "9" * 30, "b:x", "w:-1"]),
    )


def post_hostile(
    client: Client,
    url: str,
    data: st.DataObject,
    *,
    foreign_ids: list[str],
    expect_written: tuple[str, ...] = (),
) -> None:
    """Read the form at ``url``, break it, post it; check the answer and what was written."""
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} -> {page.status_code}"
    form = main_form(page.content.decode(), action=url)
    payload: dict[str, Any] = form.baseline()
    names = form.names()
    text_names = [n for n in form.names(kinds=("text", "textarea", "email", "search", "url", "tel")) if n in names]
    # Draws of fixed shape (the form itself may grow between examples as accepted rows pile up).
    every_text_field = data.draw(st.booleans(), label="every text field at once")
    index = data.draw(st.integers(min_value=0, max_value=10_000), label="field index")
    value = data.draw(hostile_value(foreign_ids), label="value")
    if every_text_field and text_names:
        payload.update(dict.fromkeys(text_names, value))
    else:
        payload[names[index % len(names)]] = value

    before = row_counts()
    response = client.post(url, payload)

    assert response.status_code < 500
    if response.status_code == 302:
        # Accepted: the page it leads to must render what was saved.
        follow = client.get(response["Location"])
        assert follow.status_code < 500
        after = row_counts()
        changed = {k for k in after if after[k] != before[k]}
        assert changed <= set(expect_written) | {"xero.XeroSettingsChange"}, changed
    else:
        assert response.status_code in (200, 400, 403, 404, 409, 413, 422)
        assert row_counts() == before, "a rejected submission wrote rows"
