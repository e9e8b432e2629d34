"""Errors of the Xero integration that callers (views, the export engine, tasks) act on."""

from __future__ import annotations


class XeroError(Exception):
    """Base class: something about Xero went wrong."""


class XeroNotConnected(XeroError):
    """The tenant has no Xero connection (never connected, or disconnected)."""


class XeroReconnectRequired(XeroError):
    """The refresh token was refused (``invalid_grant``): an admin must connect again.

    Exports for the tenant stop until then; retrying cannot help.
    """


class XeroTokenError(XeroError):
    """An identity endpoint (token, revocation, connections) answered with an error or not at all.

    ``error`` is the OAuth error code (``invalid_grant``, ``invalid_request``, …) when Xero sent one,
    ``"network"`` when the request never got an answer, ``"http_<status>"`` otherwise.
    """

    def __init__(self, error: str, description: str = "", *, status: int | None = None) -> None:
        self.error = error
        self.description = description
        self.status = status
        super().__init__(f"{error}: {description}" if description else error)

    @property
    def is_invalid_grant(self) -> bool:
        return self.error == "invalid_grant"

    @property
    def is_transient(self) -> bool:
        """A time-out, a connection error or a 5xx: worth retrying later."""
        return self.error == "network" or (self.status is not None and self.status >= 500)


class XeroStateInvalid(XeroError):
    """The OAuth callback's ``state`` is missing, unknown, expired, reused, or not this user's/session's.

    Views answer 403 and store nothing.
    """
