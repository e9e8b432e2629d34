"""Xero's reasons for refusing an invoice, each said once and tied to the lines it is about.

Xero repeats a line-level message for every line that has the problem (eight lines with account
210 give eight copies of "Account code '210' is not a valid code"), and its invoice-level list does
not say which line. A message quoting a value ('210') is matched to the lines that carry that value
— in what was sent when the caller has it, else in the invoice's own lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from invoicing.models import Invoice, InvoiceLine

_QUOTED = re.compile(r"'([^']{1,255})'|\"([^\"]{1,255})\"")
#: The line values a message can quote (our fields and the Xero payload's names for them).
LINE_VALUE_KEYS = ("account_code", "tax_code", "AccountCode", "TaxType", "ItemCode")


@dataclass(frozen=True)
class ExportProblem:
    text: str
    lines: tuple[int, ...] = ()  # 1-based line numbers, in order

    @property
    def lines_label(self) -> str:
        """``line 3``, ``lines 1-8`` or ``lines 1, 3, 5``."""
        if not self.lines:
            return ""
        if len(self.lines) == 1:
            return f"line {self.lines[0]}"
        first, last = self.lines[0], self.lines[-1]
        if list(self.lines) == list(range(first, last + 1)):
            return f"lines {first}-{last}"
        return "lines " + ", ".join(str(n) for n in self.lines)


def export_messages_split(text: str) -> list[str]:
    """Xero's messages one per item (the engine joins them with "; " or new lines), duplicates dropped."""
    parts = text.replace("\r", "").replace("\n", "; ").split("; ")
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def export_problems_group(*, text: str, lines: Sequence[Mapping[str, object]] = ()) -> list[ExportProblem]:
    """Each distinct message once, with the numbers of the lines whose values it quotes."""
    problems = []
    for message in export_messages_split(text):
        quoted = {a or b for a, b in _QUOTED.findall(message)}
        numbers = tuple(
            n
            for n, line in enumerate(lines, start=1)
            if quoted and any(str(line.get(key) or "") in quoted for key in LINE_VALUE_KEYS if line.get(key))
        )
        problems.append(ExportProblem(text=message, lines=numbers))
    return problems


def _line_values(lines: Iterable[InvoiceLine]) -> list[dict[str, object]]:
    return [{"account_code": line.account_code, "tax_code": line.tax_code} for line in lines]


def invoice_export_problems(
    *, invoice: Invoice, sent_lines: Sequence[Mapping[str, object]] | None = None
) -> list[ExportProblem]:
    """The invoice's last export error as problems; ``sent_lines`` are the payload's LineItems if known.

    Without them the invoice's own lines are read (prefetched ``lines`` are used when present).
    """
    if not invoice.export_error:
        return []
    if sent_lines is None:
        ordered = sorted(invoice.lines.all(), key=lambda line: (line.position, line.pk))
        sent_lines = _line_values(ordered)
    return export_problems_group(text=invoice.export_error, lines=sent_lines)
