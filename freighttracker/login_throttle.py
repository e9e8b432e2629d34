"""Login throttling with two limits, on django-axes' database handler.

django-axes compares one number of failures with one limit, however many lockout parameters are set.
We want two: ``AXES_FAILURE_LIMIT`` (5) per username + IP, so a person's typos lock only that pair,
and ``LOGIN_IP_FAILURE_LIMIT`` (20) per IP across all usernames, so one address cannot try a few
passwords on each of many accounts (issue 9, item 9). ``AXES_LOCKOUT_PARAMETERS`` is
``[["username", "ip_address"], "ip_address"]``, in that order; this handler reads the two counts
separately and reports "at the limit" when either is reached.

A successful login resets only the username + IP pair: axes would otherwise delete every failure
from that IP, and an attacker with one valid account could wipe the per-IP count at will.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_pair, per_ip = (_failures(qs) for qs in self.get_user_attempts(request, credentials))
        if per_ip >= settings.LOGIN_IP_FAILURE_LIMIT:
            # Past the per-IP limit: report the pair as locked too, so axes refuses the request.
            return max(per_pair, get_failure_limit(request, credentials))
        return per_pair

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_pair.delete()
        return int(count)
