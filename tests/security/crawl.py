"""Machinery of the tenant-isolation crawl: walk the URLconf, fill parameters, snapshot the database.

Kept apart from the test module so the test reads as the policy it enforces.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.exceptions import NoReverseMatch

from tests.security.world import World

# The apps whose rows are business data; a rejected request must leave them untouched.
DATA_APPS = (
    "tenancy",
    "customers",
    "bookings",
    "warehouse",
    "invoicing",
    "xero",
    "tracking",
    "uploads",
    "notes",
    "outbox",
    "documents",
)
# Columns that change for reasons unrelated to the request under test.
VOLATILE_COLUMNS = {"last_login"}


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with everything needed to request it."""

    name: str  # "namespace:name" as reverse() wants it
    route: str  # the route text, for messages
    namespace: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # parameter name -> converter
    callback: Any = None


def routes_all() -> list[Route]:
    """Every URL pattern reachable from ROOT_URLCONF, resolved recursively (new views join automatically)."""
    found: list[Route] = []

    def walk(patterns: list[Any], namespaces: list[str], route: str, converters: dict[str, Any]) -> None:
        for p in patterns:
            text = route + str(p.pattern)
            convs = {**converters, **getattr(p.pattern, "converters", {})}
            if isinstance(p, URLResolver):
                ns = [*namespaces, p.namespace] if p.namespace else namespaces
                walk(p.url_patterns, ns, text, convs)
            elif isinstance(p, URLPattern):
                regex_groups = re.compile(p.pattern.regex.pattern).groupindex if not convs else {}
                params = {**{g: StringConverter() for g in regex_groups}, **convs}
                name = ":".join([*namespaces, p.name]) if p.name else f"<unnamed {text}>"
                found.append(
                    Route(name=name, route=text, namespace=":".join(namespaces), params=params, callback=p.callback)
                )

    walk(get_resolver().url_patterns, [], "/", {})
    return found


def candidates_for(converter: Any, world: World) -> list[Any]:
    """Values for one path parameter taken from ``world``: its ids, public ids or slugs."""
    if isinstance(converter, IntConverter):
        return list(world.pks)
    if isinstance(converter, UUIDConverter):
        return list(world.uuids)
    if isinstance(converter, SlugConverter | StringConverter | PathConverter):
        return [*world.strings, *world.uuids, *(str(pk) for pk in world.pks)]
    # A custom converter: offer everything, reverse() keeps what its regex accepts.
    return [*world.pks, *world.uuids, *world.strings]


def urls_for(route: Route, world: World, limit: int = 40) -> list[str]:
    """Concrete URLs of ``route`` whose parameters all name ``world``'s objects."""
    if not route.params:
        return [reverse(route.name)]
    names = list(route.params)
    pools = [candidates_for(route.params[n], world) for n in names]
    urls: list[str] = []
    if len(names) == 1:
        combos: Iterator[tuple[Any, ...]] = ((v,) for v in pools[0])
    else:
        # Several parameters: pair the i-th candidates, then the full product, up to the limit.
        combos = itertools.chain(zip(*pools, strict=False), itertools.product(*pools))
    for combo in combos:
        try:
            url = reverse(route.name, kwargs=dict(zip(names, combo, strict=True)))
        except NoReverseMatch:
            continue
        if url not in urls:
            urls.append(url)
        if len(urls) >= limit:
            break
    return urls


Snapshot = dict[tuple[str, Any], tuple[tuple[str, Any], ...]]


def db_snapshot() -> Snapshot:
    """Every row of the business apps (m2m tables included), keyed by (model, pk)."""
    snap: Snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in DATA_APPS:
            continue
        label = model._meta.label
        for row in model._default_manager.order_by().values():
            items = tuple(sorted((k, v) for k, v in row.items() if k not in VOLATILE_COLUMNS))
            snap[(label, row[model._meta.pk.attname])] = items
    return snap


def db_changes(before: Snapshot, after: Snapshot) -> list[tuple[str, Any, dict[str, Any]]]:
    """Rows created, changed or deleted between two snapshots: (model, pk, row values)."""
    out = []
    for key in before.keys() | after.keys():
        if before.get(key) != after.get(key):
            row = dict(after.get(key) or before.get(key) or ())
            out.append((key[0], key[1], row))
    return out


def change_touches(change: tuple[str, Any, dict[str, Any]], lo: int, hi: int) -> bool:
    """Whether a changed row is one of the pk range [lo, hi) or points at a row in it (by any *_id)."""
    _model, pk, row = change
    if isinstance(pk, int) and lo <= pk < hi:
        return True
    return any(k.endswith("_id") and isinstance(v, int) and lo <= v < hi for k, v in row.items() if k != "id")


def writes_so_far() -> int:
    """Rows inserted, updated or deleted so far by this transaction (PostgreSQL's own counters)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        row = cursor.fetchone()
    return int(row[0]) if row else 0
