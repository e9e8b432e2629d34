"""HTML of the sandbox: the consent page and the "what does Xero hold now" page for demo users."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import OrgState, SandboxState

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1f2d3d}
header{background:#13b5ea;color:#fff;padding:14px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.9;font-size:13px}
main{max-width:1100px;margin:24px auto;padding:0 20px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:18px 22px;margin-bottom:22px}
h2{margin:0 0 6px;font-size:18px}h3{font-size:15px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e6eaee;vertical-align:top}
th{background:#f8fafb;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7b8c}.ref{font-family:ui-monospace,Menlo,monospace;background:#fff7d6;padding:1px 4px;border-radius:3px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e6eaee}
.AUTHORISED{background:#d4f5dd}.DRAFT{background:#eee}.VOIDED,.DELETED{background:#fde2e1}
.lines td{border:0;padding:2px 6px}.box{max-width:520px;margin:60px auto}
button{font-size:15px;padding:8px 20px;border-radius:6px;border:1px solid #13b5ea;cursor:pointer}
.allow{background:#13b5ea;color:#fff}.cancel{background:#fff;color:#13b5ea}
label.org{display:block;padding:10px;border:1px solid #e6eaee;border-radius:6px;margin:8px 0}
.msg{color:#b3261e}
"""
_NONE_YET = "<tr><td colspan=5 class=muted>None yet</td></tr>"


def _page(title: str, body: str, subtitle: str = "") -> str:
    sub = f"<p>{escape(subtitle)}</p>" if subtitle else ""
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_CSS}</style></head>"
        f"<body><header><h1>{escape(title)}</h1>{sub}</header><main>{body}</main></body></html>"
    )


def error_page(code: str, message: str) -> str:
    return _page("Xero Sandbox", f"<section class=box><h2>{escape(code)}</h2><p>{escape(message)}</p></section>")


def consent_page(*, params: dict[str, str], orgs: list[OrgState], message: str = "") -> str:
    hidden = "".join(f"<input type=hidden name='{escape(k)}' value='{escape(v)}'>" for k, v in params.items())
    choices = "".join(
        f"<label class=org><input type=checkbox name=org_id value='{org.org_id}' {'checked' if i == 0 else ''}> "
        f"<strong>{escape(org.name)}</strong> <span class=muted>{escape(org.currency)}</span></label>"
        for i, org in enumerate(orgs)
    )
    scopes = "".join(f"<li>{escape(s)}</li>" for s in params.get("scope", "").split())
    note = f"<p class=msg>{escape(message)}</p>" if message else ""
    body = (
        f"<section class=box><h2>Allow access?</h2>"
        f"<p><strong>{escape(params.get('client_id', ''))}</strong> wants to use your Xero data:</p><ul>{scopes}</ul>"
        f"<form method=post action='/identity/connect/authorize'>{hidden}<h3>Organisations</h3>{note}{choices}"
        f"<p><button class=allow name=action value=allow>Allow access</button> "
        f"<button class=cancel name=action value=cancel>Cancel</button></p></form></section>"
    )
    return _page("Xero Sandbox · Consent", body, "Signed in as demo.user@sandbox.example")


def _money(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return ""


def _line_rows(invoice: dict[str, Any]) -> str:
    return "".join(
        f"<tr><td>{escape(str(li.get('Description', '')))}</td><td class=num>{li.get('Quantity')}</td>"
        f"<td class=num>{_money(li.get('UnitAmount'))}</td><td>{escape(str(li.get('AccountCode', '')))}</td>"
        f"<td>{escape(str(li.get('TaxType', '')))}</td>"
        f"<td>{escape(', '.join(t['Name'] + ': ' + t['Option'] for t in li.get('Tracking', [])))}</td>"
        f"<td class=num>{_money(li.get('LineAmount'))}</td></tr>"
        for li in invoice.get("LineItems", [])
    )


def _invoice_rows(org: OrgState, invoices: list[dict[str, Any]]) -> str:
    rows = []
    for inv in reversed(invoices):
        contact = org.contacts.get(inv["Contact"]["ContactID"], {})
        lines = _line_rows(inv)
        reference = inv.get("Reference")
        ref_html = f"<span class=ref>{escape(reference)}</span>" if reference else "<span class=muted>(none)</span>"
        rows.append(
            f"<tr><td><strong><a href='/sandbox/invoices/{inv['InvoiceID']}'>"
            f"{escape(inv.get('InvoiceNumber', ''))}</a></strong><br>"
            f"<span class=muted>{escape(inv.get('DateString', '')[:10])}</span></td>"
            f"<td>{escape(contact.get('Name', ''))}</td><td>{ref_html}</td>"
            f"<td><span class='badge {escape(inv['Status'])}'>{escape(inv['Status'])}</span></td>"
            f"<td class=num>{_money(inv.get('Total'))}</td></tr>"
            f"<tr><td></td><td colspan=4><table class=lines>{lines}</table></td></tr>"
        )
    return "".join(rows)


def state_page(state: SandboxState, *, org_filter: str | None = None, limit: int = 200) -> str:
    sections = []
    with state.lock:
        for org in state.orgs.values():
            if org_filter and org.org_id != org_filter.lower():
                continue
            contacts = "".join(
                f"<tr><td>{escape(c['Name'])}</td><td>{escape(str(c.get('ContactNumber', '')))}</td>"
                f"<td>{escape(c.get('EmailAddress', '') or '')}</td><td>{escape(c['ContactStatus'])}</td>"
                f"<td class=muted>{c['ContactID']}</td></tr>"
                for c in list(org.contacts.values())[-limit:]
            )
            invoices = list(org.invoices.values())
            shown = invoices[-limit:]
            more = (
                f"<p class=muted>Showing the latest {len(shown)} of {len(invoices)}.</p>"
                if len(invoices) > limit
                else ""
            )
            sections.append(
                f"<section><h2>{escape(org.name)}</h2><p class=muted>Tenant id {org.org_id} · {org.currency} · "
                f"{len(org.contacts)} contacts · {len(invoices)} invoices</p>"
                f"<h3>Invoices</h3>{more}<table><tr><th>Number</th><th>Contact</th><th>Reference</th><th>Status</th>"
                f"<th class=num>Total</th></tr>{_invoice_rows(org, shown) or _NONE_YET}"
                f"</table><h3>Contacts</h3><table><tr><th>Name</th><th>Contact number</th><th>Email</th><th>Status</th>"
                f"<th>ContactID</th></tr>{contacts or _NONE_YET}</table></section>"
            )
        activity = _activity(state)
    return _page("Xero Sandbox", activity + "".join(sections), "A local stand-in for Xero · refresh to see new exports")


def _activity(state: SandboxState, count: int = 15) -> str:
    """Switches in force and the latest calls, so a demo shows what the product just did."""
    config = state.config
    limits = (
        f"on ({config.minute_limit}/min, {config.concurrent_limit} at once, {config.day_limit}/day)"
        if config.rate_limits_enabled
        else "off"
    )
    faults = ", ".join(f"{r['kind']} {r['method']} {r['path']}" for r in state.faults.snapshot()) or "none"
    rows = "".join(
        f"<tr><td class=muted>#{e['id']}</td><td>{escape(e['method'])}</td><td>{escape(e['path'])}</td>"
        f"<td>{escape(str(e.get('status') or e.get('outcome') or ''))}</td><td>{escape(e.get('fault') or '')}</td>"
        f"<td class=muted>{escape(e.get('idempotency_key') or '')}</td></tr>"
        for e in list(state.request_log)[-count:][::-1]
    )
    return (
        f"<section><h2>Activity</h2><p class=muted>Auto-approve: {'on' if config.auto_approve else 'off'} · "
        f"rate limits: {escape(limits)} · faults: {escape(faults)}</p>"
        f"<table><tr><th></th><th>Method</th><th>Path</th><th>Status</th><th>Fault</th><th>Idempotency-Key</th></tr>"
        f"{rows or '<tr><td colspan=6 class=muted>No calls yet</td></tr>'}</table></section>"
    )


def invoice_page(state: SandboxState, invoice_id: str) -> str | None:
    """One invoice, as the "open in Xero" link of the product shows it in the sandbox."""
    with state.lock:
        for org in state.orgs.values():
            invoice = org.invoices.get(invoice_id.lower())
            if invoice is None:
                continue
            contact = org.contacts.get(invoice["Contact"]["ContactID"], {})
            facts = "".join(
                f"<tr><th>{escape(label)}</th><td>{value}</td></tr>"
                for label, value in (
                    ("Organisation", escape(org.name)),
                    ("Contact", escape(contact.get("Name", ""))),
                    ("Reference", escape(invoice.get("Reference") or "(none)")),
                    ("Date", escape(invoice.get("DateString", "")[:10])),
                    ("Due", escape(invoice.get("DueDateString", "")[:10])),
                    ("Amounts are", escape(invoice["LineAmountTypes"])),
                    ("Total", f"{escape(invoice['CurrencyCode'])} {_money(invoice['Total'])}"),
                    ("InvoiceID", escape(invoice["InvoiceID"])),
                )
            )
            body = (
                f"<section><h2>{escape(invoice.get('InvoiceNumber', ''))} "
                f"<span class='badge {escape(invoice['Status'])}'>{escape(invoice['Status'])}</span></h2>"
                f"<table>{facts}</table><h3>Lines</h3><table><tr><th>Description</th><th class=num>Qty</th>"
                f"<th class=num>Unit</th><th>Account</th><th>Tax</th><th>Tracking</th><th class=num>Amount</th></tr>"
                f"{_line_rows(invoice)}</table><p><a href='/'>All organisations</a></p></section>"
            )
            return _page(f"Invoice {invoice.get('InvoiceNumber', '')}", body, org.name)
    return None
