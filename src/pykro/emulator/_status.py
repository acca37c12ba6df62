"""Errors as the apiserver answers them: a `Status` object with reason, message, details and causes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pykro.schema._causes import FieldCause

__all__ = ["StatusError", "qualified", "status_body"]

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


def qualified(resource: str, group: str) -> str:
    """`deployments.apps`, or `pods` for the core group."""
    return f"{resource}.{group}" if group else resource


class StatusError(Exception):
    """A failed request: rendered as a `kind: Status` body with HTTP status `code`."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason if reason is not None else _REASONS.get(code, "")
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return status_body(self.code, self.message, self.reason, self.details)

    @classmethod
    def bad_request(cls, message: str) -> StatusError:
        return cls(400, message)

    @classmethod
    def not_found(cls, resource: str, group: str, name: str) -> StatusError:
        return cls(404, f'{qualified(resource, group)} "{name}" not found', details=_details(resource, group, name))

    @classmethod
    def already_exists(cls, resource: str, group: str, name: str) -> StatusError:
        return cls(
            409,
            f'{qualified(resource, group)} "{name}" already exists',
            "AlreadyExists",
            _details(resource, group, name),
        )

    @classmethod
    def conflict(cls, resource: str, group: str, name: str, why: str) -> StatusError:
        return cls(
            409,
            f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": {why}',
            "Conflict",
            _details(resource, group, name),
        )

    @classmethod
    def stale(cls, resource: str, group: str, name: str) -> StatusError:
        why = "the object has been modified; please apply your changes to the latest version and try again"
        return cls.conflict(resource, group, name, why)

    @classmethod
    def forbidden(cls, resource: str, group: str, name: str, why: str) -> StatusError:
        return cls(
            403, f'{qualified(resource, group)} "{name}" is forbidden: {why}', details=_details(resource, group, name)
        )

    @classmethod
    def invalid(cls, kind: str, group: str, name: str, causes: Iterable[tuple[str, str, str]]) -> StatusError:
        """422 Invalid; causes are (field, reason, message) with the message prefixed by the field, as kubectl
        prints it (the details carry the message without the prefix, as the apiserver does)."""
        causes = list(causes)
        listed = [m for _, _, m in causes]
        text = listed[0] if len(listed) == 1 else "[" + ", ".join(listed) + "]"
        details: dict[str, Any] = {"name": name}
        if group:
            details["group"] = group
        details["kind"] = kind
        details["causes"] = [FieldCause(f, r, m).to_status_cause() for f, r, m in causes]
        return cls(422, f'{qualified(kind, group)} "{name}" is invalid: {text}', "Invalid", details)


def _details(resource: str, group: str, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if group:
        out["group"] = group
    out["kind"] = resource
    return out


def status_body(code: int, message: str, reason: str = "", details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success" if code < 400 else "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        body["details"] = details
    body["code"] = code
    if not message:
        del body["message"]
    if not reason:
        del body["reason"]
    return body
