"""HTML of the sandbox: the consent page and the "what does MYOB hold now" page for demos."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import Business, SandboxState

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f3f8;color:#1f1d2b}
header{background:#6100a5;color:#fff;padding:14px 28px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;opacity:.9;font-size:13px}main{max-width:1100px;margin:24px auto;padding:0 20px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:18px 22px;margin-bottom:22px}
h2{margin:0 0 6px;font-size:18px}h3{font-size:15px;margin:18px 0 8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #ebe7f0;vertical-align:top}
th{background:#faf8fc}td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#6b6680}
.ref{font-family:ui-monospace,Menlo,monospace;background:#fff7d6;padding:1px 4px;border-radius:3px}
.box{max-width:520px;margin:60px auto}button{font-size:15px;padding:8px 20px;border-radius:6px;cursor:pointer}
.allow{background:#6100a5;color:#fff;border:1px solid #6100a5}.cancel{background:#fff;border:1px solid #6100a5}
label.file{display:block;padding:10px;border:1px solid #ebe7f0;border-radius:6px;margin:8px 0}
"""
_NONE = "<tr><td colspan=6 class=muted>None yet</td></tr>"


def _page(title: str, body: str, subtitle: str = "") -> str:
    sub = f"<p>{escape(subtitle)}</p>" if subtitle else ""
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_CSS}</style></head>"
        f"<body><header><h1>{escape(title)}</h1>{sub}</header><main>{body}</main></body></html>"
    )


def error_page(code: str, message: str) -> str:
    return _page("MYOB Sandbox", f"<section class=box><h2>{escape(code)}</h2><p>{escape(message)}</p></section>")


def consent_page(*, params: dict[str, str], businesses: list[Business]) -> str:
    hidden = "".join(f"<input type=hidden name='{escape(k)}' value='{escape(v)}'>" for k, v in params.items())
    choices = "".join(
        f"<label class=file><input type=radio name=business_id value='{b.business_id}' {'checked' if i == 0 else ''}>"
        f" <strong>{escape(b.name)}</strong></label>"
        for i, b in enumerate(businesses)
    )
    scopes = "".join(f"<li>{escape(s)}</li>" for s in params.get("scope", "").split())
    body = (
        f"<section class=box><h2>Allow access?</h2><p><strong>{escape(params.get('client_id', ''))}</strong> "
        f"wants to use one of your company files:</p><ul>{scopes}</ul>"
        f"<form method=post action='/oauth2/account/authorize'>{hidden}<h3>Company file</h3>{choices}"
        f"<p><button class=allow name=action value=allow>Allow access</button> "
        f"<button class=cancel name=action value=cancel>Cancel</button></p></form></section>"
    )
    return _page("MYOB Sandbox · Consent", body, "Signed in as demo.admin@sandbox.example (an administrator)")


def _money(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return ""


def _ref(value: str | None) -> str:
    return f"<span class=ref>{escape(value)}</span>" if value else "<span class=muted>(none)</span>"


def _business(b: Business, limit: int) -> str:
    invoices = list(b.invoices.values())
    rows = []
    for inv in reversed(invoices[-limit:]):
        customer = b.customers.get(inv["Customer"]["UID"], {})
        lines = "".join(
            f"<div class=muted>{escape(li.get('Description') or '')} · {_money(li.get('Total'))}</div>"
            for li in inv["Lines"]
        )
        rows.append(
            f"<tr><td><strong>{escape(inv['Number'] or '')}</strong><br><span class=muted>{escape(inv['Date'][:10])}"
            f"</span></td><td>{escape(customer.get('CompanyName') or customer.get('LastName') or '')}</td>"
            f"<td>{_ref(inv.get('CustomerPurchaseOrderNumber'))}</td><td>{escape(inv.get('JournalMemo') or '')}"
            f"<br>{lines}</td><td>{'inc' if inv['IsTaxInclusive'] else 'ex'} GST</td>"
            f"<td class=num>{_money(inv['TotalAmount'])}</td></tr>"
        )
    customers = "".join(
        f"<tr><td>{escape(c.get('CompanyName') or c.get('LastName') or '')}</td><td>{escape(c['DisplayID'])}</td>"
        f"<td class=muted>{c['UID']}</td></tr>"
        for c in list(b.customers.values())[-limit:]
    )
    older = " · older file (zero-padded numbers)" if b.zero_pads_numbers else ""
    return (
        f"<section><h2>{escape(b.name)}</h2><p class=muted>businessId {b.business_id}{older} · "
        f"{len(b.customers)} customers · {len(invoices)} invoices</p><h3>Invoices</h3><table><tr><th>Number</th>"
        f"<th>Customer</th><th>Customer PO</th><th>Journal memo / lines</th><th>Tax</th><th>Total</th></tr>"
        f"{''.join(rows) or _NONE}</table><h3>Customers</h3><table><tr><th>Company name</th><th>Display ID</th>"
        f"<th>UID</th></tr>{customers or _NONE}</table></section>"
    )


def state_page(state: SandboxState, limit: int = 200) -> str:
    with state.lock:
        config = state.config
        limits = f"{config.per_second_limit}/s per API key" if config.rate_limits_enabled else "off"
        faults = ", ".join(f"{r['kind']} {r['method']} {r['path']}" for r in state.faults.snapshot()) or "none"
        calls = "".join(
            f"<tr><td class=muted>#{e['id']}</td><td>{escape(e['method'])}</td><td>{escape(e['path'])}</td>"
            f"<td>{escape(str(e.get('status') or e.get('outcome') or ''))}</td><td>{escape(e.get('fault') or '')}</td>"
            f"</tr>"
            for e in list(state.request_log)[-15:][::-1]
        )
        activity = (
            f"<section><h2>Activity</h2><p class=muted>Rate limit: {escape(limits)} · faults: {escape(faults)}</p>"
            f"<table><tr><th></th><th>Method</th><th>Path</th><th>Status</th><th>Fault</th></tr>{calls or _NONE}"
            f"</table></section>"
        )
        files = "".join(_business(b, limit) for b in state.businesses.values())
    return _page("MYOB Sandbox", activity + files, "A local stand-in for MYOB Business · refresh to see new exports")
