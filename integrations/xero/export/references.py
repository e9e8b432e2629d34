"""Which customer reference goes where on a Xero invoice — pure rules, no database.

The rules (issue 3, point 5) in one place:

* The customer's override wins both ways: ``always`` sends even when the tenant toggle is off,
  ``never`` sends nothing even when it is on; ``inherit`` follows the tenant's
  *Send Customer Reference* toggle. When nothing is sent the invoice has no ``Reference`` at all
  (``None`` — the field is left out of the request, not sent empty) and no line is prefixed.
* Blank references are skipped everywhere.
* A single-job invoice carries its job's reference; its lines are not prefixed.
* An invoice covering several jobs follows the tenant's rule:
  ``all``      — Reference = the distinct non-blank references in job order, joined ", ",
                 cut to 255 characters with a "+N more" tail (see :func:`references_join`);
  ``per_line`` — each line's description starts with its job's reference
                 ("PO-123 · Linehaul Sydney → Melbourne"); the invoice Reference is the common
                 reference when every non-blank reference is the same one, otherwise absent;
  ``both``     — the ``all`` Reference and the ``per_line`` prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

REFERENCE_MAX = 255
# Xero's LineItem Description accepts up to 4,000 characters.
# Xero docs: https://developer.xero.com/documentation/api/accounting/invoices#line-items
DESCRIPTION_MAX = 4000
LINE_PREFIX_SEPARATOR = " · "
JOIN_SEPARATOR = ", "

RULE_ALL = "all"
RULE_PER_LINE = "per_line"
RULE_BOTH = "both"
OVERRIDE_INHERIT = "inherit"
OVERRIDE_ALWAYS = "always"
OVERRIDE_NEVER = "never"


@dataclass(frozen=True)
class ReferencePlan:
    """``reference`` is the invoice Reference (``None`` = absent); ``line_prefixes[i]`` is the
    reference that starts the descriptions of the lines of the i-th job (``None`` = no prefix)."""

    reference: str | None
    line_prefixes: tuple[str | None, ...]


def references_distinct(references: Sequence[str | None]) -> list[str]:
    """Non-blank references, stripped, first occurrence kept, in job order."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in references:
        ref = (raw or "").strip()
        if ref and ref not in seen:
            seen.add(ref)
            result.append(ref)
    return result


def references_join(references: Sequence[str], *, limit: int = REFERENCE_MAX) -> str:
    """Join ``references`` with ", "; when that exceeds ``limit``, keep a prefix and add "+N more".

    Algorithm: if the full join fits, return it. Otherwise keep the first ``k`` references for the
    largest ``k`` (0 ≤ k < n) such that ``", ".join(refs[:k]) + " +{n-k} more"`` has at most
    ``limit`` characters (for ``k = 0`` the result is just ``"+{n} more"``). References are never
    cut in half and the result never exceeds ``limit``. The length grows strictly with ``k``
    (each kept reference adds at least 2 characters while the tail shrinks by at most one
    digit), so scanning ``k`` upwards and stopping at the first misfit finds the largest one.
    """
    full = JOIN_SEPARATOR.join(references)
    if len(full) <= limit:
        return full
    n = len(references)
    best = f"+{n} more"
    prefix_len = 0
    for k in range(1, n):
        prefix_len += len(references[k - 1]) + (len(JOIN_SEPARATOR) if k > 1 else 0)
        tail = f" +{n - k} more"
        if prefix_len + len(tail) > limit:
            break
        best = JOIN_SEPARATOR.join(references[:k]) + tail
    return best


def reference_sending(*, send_customer_reference: bool, customer_override: str) -> bool:
    """The customer's override wins both ways over the tenant toggle."""
    if customer_override == OVERRIDE_ALWAYS:
        return True
    if customer_override == OVERRIDE_NEVER:
        return False
    return send_customer_reference


def reference_plan(
    *,
    send_customer_reference: bool,
    reference_rule: str,
    customer_override: str,
    job_references: Sequence[str | None],
) -> ReferencePlan:
    """The invoice Reference and per-job line prefixes for jobs given in job order."""
    no_prefixes: tuple[str | None, ...] = (None,) * len(job_references)
    if not reference_sending(send_customer_reference=send_customer_reference, customer_override=customer_override):
        return ReferencePlan(reference=None, line_prefixes=no_prefixes)
    distinct = references_distinct(job_references)
    if len(job_references) <= 1:
        return ReferencePlan(reference=distinct[0] if distinct else None, line_prefixes=no_prefixes)

    joined = references_join(distinct) if distinct else None
    common = distinct[0] if len(distinct) == 1 else None
    prefixes = tuple((ref or "").strip() or None for ref in job_references)
    if reference_rule == RULE_ALL:
        return ReferencePlan(reference=joined, line_prefixes=no_prefixes)
    if reference_rule == RULE_PER_LINE:
        return ReferencePlan(reference=common, line_prefixes=prefixes)
    return ReferencePlan(reference=joined, line_prefixes=prefixes)


def line_description(*, prefix: str | None, description: str, limit: int = DESCRIPTION_MAX) -> str:
    """``"<prefix> · <description>"``; the description (never the reference) is shortened with
    "…" if the whole would exceed Xero's limit."""
    if not prefix:
        text = description
        return text if len(text) <= limit else text[: limit - 1] + "…"
    head = prefix + LINE_PREFIX_SEPARATOR
    room = limit - len(head)
    if len(description) > room:
        description = description[: max(room - 1, 0)] + "…"
    return head + description
