"""The customer-reference rules, exhaustively (pure functions, no database)."""

from __future__ import annotations

import pytest

from integrations.xero.export.references import (
    DESCRIPTION_MAX,
    REFERENCE_MAX,
    line_description,
    reference_plan,
    references_join,
)


def plan(refs, *, on=True, rule="both", override="inherit"):
    return reference_plan(
        send_customer_reference=on, reference_rule=rule, customer_override=override, job_references=refs
    )


@pytest.mark.parametrize("rule", ["all", "per_line", "both"])
def test_toggle_off_sends_no_reference_and_no_prefixes(rule):
    p = plan(["PO-1", "PO-2"], on=False, rule=rule)
    assert p.reference is None
    assert p.line_prefixes == (None, None)


def test_toggle_off_single_job_sends_nothing():
    assert plan(["PO-1"], on=False).reference is None


def test_override_always_wins_over_toggle_off():
    assert plan(["PO-1"], on=False, override="always").reference == "PO-1"


def test_override_never_wins_over_toggle_on():
    p = plan(["PO-1", "PO-2"], on=True, override="never")
    assert p.reference is None
    assert p.line_prefixes == (None, None)


@pytest.mark.parametrize("rule", ["all", "per_line", "both"])
def test_single_job_invoice_carries_its_jobs_reference_without_prefix(rule):
    p = plan(["PO-123"], rule=rule)
    assert p.reference == "PO-123"
    assert p.line_prefixes == (None,)


def test_single_job_with_blank_reference_is_absent_not_empty():
    assert plan(["   "]).reference is None
    assert plan([""]).reference is None


def test_all_rule_joins_distinct_non_blank_in_job_order():
    p = plan(["PO-2", "", "PO-1", "PO-2", "  "], rule="all")
    assert p.reference == "PO-2, PO-1"
    assert p.line_prefixes == (None,) * 5


def test_all_rule_with_only_blank_references_is_absent():
    assert plan(["", " "], rule="all").reference is None


def test_per_line_prefixes_each_jobs_lines_and_omits_reference_when_they_differ():
    p = plan(["PO-1", "", "PO-3"], rule="per_line")
    assert p.reference is None
    assert p.line_prefixes == ("PO-1", None, "PO-3")


def test_per_line_sends_the_common_reference_when_all_jobs_share_it():
    p = plan(["PO-9", "PO-9"], rule="per_line")
    assert p.reference == "PO-9"
    assert p.line_prefixes == ("PO-9", "PO-9")


def test_both_rule_gives_joined_reference_and_prefixes():
    p = plan(["PO-1", "PO-2"], rule="both")
    assert p.reference == "PO-1, PO-2"
    assert p.line_prefixes == ("PO-1", "PO-2")


def test_join_that_fits_exactly_255_is_not_cut():
    refs = ["A" * 126, "B" * 127]  # 126 + 2 + 127 = 255
    assert references_join(refs) == ", ".join(refs)
    assert len(references_join(refs)) == 255


def test_join_too_long_is_cut_at_a_reference_boundary_with_more_tail():
    refs = [f"PO-{i:05d}" for i in range(60)]  # 8 chars each
    out = references_join(refs)
    assert len(out) <= REFERENCE_MAX
    kept, tail = out.rsplit(" +", 1)
    kept_refs = kept.split(", ")
    assert kept_refs == refs[: len(kept_refs)]
    assert tail == f"{60 - len(kept_refs)} more"
    # The largest prefix that fits: adding one more reference would overflow.
    k = len(kept_refs)
    assert len(", ".join(refs[: k + 1]) + f" +{60 - k - 1} more") > REFERENCE_MAX


@pytest.mark.parametrize("n", range(2, 80))
@pytest.mark.parametrize("width", [1, 3, 7, 30, 120, 254, 255])
def test_cut_never_exceeds_255_and_never_halves_a_reference(n, width):
    refs = [f"{i:0{width}d}"[-width:] if width < 10 else f"R{i}".ljust(width, "x") for i in range(n)]
    refs = list(dict.fromkeys(refs))
    out = references_join(refs)
    assert len(out) <= REFERENCE_MAX
    if out == ", ".join(refs):
        return
    head, _, tail = out.rpartition("+")
    assert tail.endswith(" more")
    kept = [r for r in head.strip().split(", ") if r]
    assert kept == refs[: len(kept)]
    assert int(tail.split()[0]) == len(refs) - len(kept)


def test_a_single_overlong_first_reference_yields_only_the_tail():
    refs = ["X" * 255, "Y"]
    assert references_join(refs) == "+2 more"


def test_all_rule_on_invoice_applies_the_cut():
    refs = [f"CUSTOMER-REF-{i:04d}" for i in range(40)]
    p = plan(refs, rule="all")
    assert p.reference is not None
    assert len(p.reference) <= 255
    assert p.reference.endswith(" more")


def test_line_description_prefix_format():
    assert line_description(prefix="PO-123", description="Linehaul Sydney → Melbourne") == (
        "PO-123 · Linehaul Sydney → Melbourne"
    )
    assert line_description(prefix=None, description="Storage") == "Storage"


def test_line_description_shortens_the_description_never_the_reference():
    out = line_description(prefix="R" * 255, description="d" * 5000)
    assert len(out) == DESCRIPTION_MAX
    assert out.startswith("R" * 255 + " · ")
    assert out.endswith("…")
