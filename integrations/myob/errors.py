"""MYOB's errors, parsed and sorted into what a caller can do about them.

MYOB answers every error with ``{"Errors": [{Name, Message, AdditionalDetails, ErrorCode, Severity,
LearnMore}]}``. Four kinds matter to an export:

- **wait**: nothing was processed, try again later: 403 ``RateLimitError`` (MYOB's documented
  answer; a 403 is otherwise an auth problem, so the Name decides), 429 (one source says MYOB uses
  it), and a connect time-out (the request never left).
- **uncertain**: MYOB may have done it: read time-out, connection reset, any 5xx including 504
  ``GatewayTimeout``. A write must not be sent again until a look-up proves it absent.
- **auth**: 401 (the client refreshes the token once first), and other 403s (key inactive, no access
  to the company file): an admin has to act.
- **permanent**: 400 and other 4xx (validation, 404, 409 RowVersion): MYOB's words go to the user.

# MYOB docs: https://developer.myob.com/api/myob-business-api/api-overview/error-messages/
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar


class MyobErrorKind(StrEnum):
    WAIT = "wait"
    UNCERTAIN = "uncertain"
    AUTH = "auth"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class MyobErrorItem:
    name: str
    message: str
    additional_details: str = ""
    error_code: int | None = None
    severity: str = ""

    def __str__(self) -> str:
        detail = f" ({self.additional_details})" if self.additional_details else ""
        return f"{self.name}: {self.message}{detail}"


class MyobError(Exception):
    """Base class; ``kind`` says what the caller may do, ``items`` carry MYOB's own words."""

    kind: ClassVar[MyobErrorKind]

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        items: tuple[MyobErrorItem, ...] = (),
        method: str = "",
        url: str = "",
        retry_after: float = 0.0,
    ) -> None:
        self.status = status
        self.items = items
        self.method = method
        self.url = url
        self.retry_after = retry_after
        super().__init__(message)

    @property
    def words(self) -> str:
        """MYOB's message(s) for a person, e.g. ``Required: Customer.UID is required (Customer.UID)``."""
        return "; ".join(str(item) for item in self.items) or str(self)

    @property
    def safe_to_resend(self) -> bool:
        """True when the request was certainly not processed (or it was a read): resending cannot duplicate."""
        return self.kind is not MyobErrorKind.UNCERTAIN or self.method.upper() == "GET"


class MyobWait(MyobError):
    kind = MyobErrorKind.WAIT


class MyobUncertain(MyobError):
    kind = MyobErrorKind.UNCERTAIN


class MyobAuthError(MyobError):
    kind = MyobErrorKind.AUTH


class MyobPermanent(MyobError):
    kind = MyobErrorKind.PERMANENT


_BY_KIND: dict[MyobErrorKind, type[MyobError]] = {
    cls.kind: cls for cls in (MyobWait, MyobUncertain, MyobAuthError, MyobPermanent)
}


def myob_error_items(body: Any) -> tuple[MyobErrorItem, ...]:
    """The ``Errors`` of a parsed body; tolerant of anything else (a proxy's HTML 502, an empty 504)."""
    errors = body.get("Errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return ()
    items = []
    for raw in errors:
        if isinstance(raw, dict):
            code = raw.get("ErrorCode")
            items.append(
                MyobErrorItem(
                    name=str(raw.get("Name") or ""),
                    message=str(raw.get("Message") or ""),
                    additional_details=str(raw.get("AdditionalDetails") or ""),
                    error_code=code if isinstance(code, int) else None,
                    severity=str(raw.get("Severity") or ""),
                )
            )
    return tuple(items)


def myob_error_classify(*, status: int, items: tuple[MyobErrorItem, ...]) -> MyobErrorKind:
    if status == 429 or (status == 403 and any(item.name == "RateLimitError" for item in items)):
        return MyobErrorKind.WAIT
    if status in (401, 403):
        return MyobErrorKind.AUTH
    if status >= 500:
        return MyobErrorKind.UNCERTAIN
    return MyobErrorKind.PERMANENT


def myob_retry_after(*, status: int, items: tuple[MyobErrorItem, ...], header: str | None) -> float:
    """Seconds to wait on a rate limit: Retry-After when sent, else 1 s (per-second) or 1 h (daily)."""
    if header:
        try:
            return max(float(header), 0.0)
        except ValueError:
            pass
    if any("daily" in item.message.lower() for item in items):
        return 3600.0
    return 1.0


def myob_error_for(
    *, status: int, body: Any, method: str, url: str, retry_after_header: str | None = None
) -> MyobError:
    items = myob_error_items(body)
    kind = myob_error_classify(status=status, items=items)
    retry_after = myob_retry_after(status=status, items=items, header=retry_after_header) if kind == "wait" else 0.0
    summary = "; ".join(str(i) for i in items) or f"HTTP {status}"
    return _BY_KIND[kind](
        f"MYOB {method} answered {status}: {summary}",
        status=status,
        items=items,
        method=method,
        url=url,
        retry_after=retry_after,
    )
