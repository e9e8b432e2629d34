"""MYOB error bodies sorted into wait / uncertain / auth / permanent."""

from __future__ import annotations

import pytest

from integrations.myob.errors import (
    MyobErrorKind,
    MyobPermanent,
    MyobWait,
    myob_error_classify,
    myob_error_for,
    myob_error_items,
)


def _body(name: str, message: str = "m") -> dict[str, object]:
    return {
        "Errors": [
            {
                "Name": name,
                "Message": message,
                "AdditionalDetails": "d",
                "ErrorCode": 7,
                "Severity": "Error",
                "LearnMore": None,
            }
        ]
    }


@pytest.mark.parametrize(
    ("status", "name", "kind"),
    [
        (403, "RateLimitError", MyobErrorKind.WAIT),
        (429, "", MyobErrorKind.WAIT),
        (403, "DeveloperInactive", MyobErrorKind.AUTH),
        (403, "AccessDenied", MyobErrorKind.AUTH),
        (401, "OAuthTokenIsInvalid", MyobErrorKind.AUTH),
        (500, "InternalError", MyobErrorKind.UNCERTAIN),
        (502, "", MyobErrorKind.UNCERTAIN),
        (504, "GatewayTimeout", MyobErrorKind.UNCERTAIN),
        (400, "Required", MyobErrorKind.PERMANENT),
        (404, "NotFound", MyobErrorKind.PERMANENT),
        (409, "IncorrectRowVersion", MyobErrorKind.PERMANENT),
    ],
)
def test_classify(status: int, name: str, kind: MyobErrorKind) -> None:
    assert myob_error_classify(status=status, items=myob_error_items(_body(name) if name else None)) is kind


def test_items_keep_myobs_words_and_tolerate_junk() -> None:
    (item,) = myob_error_items(_body("Required", "Customer.UID is required"))
    assert (item.name, item.message, item.additional_details, item.error_code) == (
        "Required",
        "Customer.UID is required",
        "d",
        7,
    )
    assert myob_error_items("<html>502 Bad Gateway</html>") == ()
    assert myob_error_items({"Errors": "nope"}) == ()
    assert myob_error_items({"Errors": [None, {"Name": "X"}]})[0].name == "X"


def test_rate_limit_waits_per_second_or_until_the_daily_limit_resets() -> None:
    per_second = myob_error_for(
        status=403,
        body=_body("RateLimitError", "API key has exceeded the per-second rate limit"),
        method="GET",
        url="u",
    )
    assert isinstance(per_second, MyobWait) and per_second.retry_after == 1.0
    daily = myob_error_for(
        status=403, body=_body("RateLimitError", "API key has exceeded the daily rate limit"), method="GET", url="u"
    )
    assert daily.retry_after == 3600.0
    told = myob_error_for(status=429, body=None, method="GET", url="u", retry_after_header="7")
    assert told.retry_after == 7.0


def test_permanent_error_message_and_resend_safety() -> None:
    error = myob_error_for(status=400, body=_body("Required", "Date is required"), method="POST", url="u")
    assert isinstance(error, MyobPermanent)
    assert error.words == "Required: Date is required (d)"
    assert error.safe_to_resend  # refused, so nothing exists; resending the same payload fails the same way
    uncertain = myob_error_for(status=504, body=_body("GatewayTimeout"), method="POST", url="u")
    assert not uncertain.safe_to_resend
    assert myob_error_for(status=504, body=None, method="GET", url="u").safe_to_resend
