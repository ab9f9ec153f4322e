"""AWS failures as one-line errors: botocore's exceptions mapped to :class:`AwsError` subclasses (exit 1), or
to usage errors (exit 2) when what was given names no region or profile.

Every module that calls AWS wraps its work in :func:`translated`.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from rumcfn.errors import OperationFailed, RumcfnError, UsageError


class AwsError(OperationFailed):
    """An AWS call failed in a way the user can fix."""


class NoCredentials(AwsError):
    def __init__(self) -> None:
        super().__init__("no AWS credentials found; set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login`")


class NoRegion(UsageError):
    def __init__(self) -> None:
        super().__init__("no AWS region; pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)")


class UnknownProfile(UsageError):
    def __init__(self, profile: str) -> None:
        super().__init__(f"AWS profile {profile!r} is not configured (see `aws configure list-profiles`)")


class ExpiredCredentials(AwsError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"AWS credentials have expired ({detail}); refresh them (e.g. `aws sso login`) and retry")


class AccessDenied(AwsError):
    def __init__(self, operation: str, detail: str) -> None:
        super().__init__(f"access denied calling {operation}: {detail}")


class InvalidCredentials(AwsError):
    def __init__(self, operation: str, detail: str) -> None:
        super().__init__(f"AWS rejected the credentials calling {operation}: {detail}")


class Throttled(AwsError):
    def __init__(self, operation: str, attempts: int) -> None:
        super().__init__(
            f"AWS kept throttling {operation} (gave up after {attempts} attempt(s)); wait a minute and retry"
        )


class EndpointUnreachable(AwsError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            f"cannot reach the AWS endpoint: {detail} (check --endpoint-url / AWS_ENDPOINT_URL and the network)"
        )


class EndpointSilent(AwsError):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"no answer from the AWS endpoint {url} (it took the connection and never answered, "
            "every attempt); check --endpoint-url / AWS_ENDPOINT_URL and the network"
        )


class AwsRequestFailed(AwsError):
    def __init__(self, operation: str, code: str, detail: str) -> None:
        super().__init__(f"{operation} failed: {code}: {detail}")


EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnauthorizedException",
}
BAD_CREDENTIAL_CODES = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "IncompleteSignature",
}
THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
}


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response = getattr(error, "response", None)
    return (response or {}).get("Error", {}).get("Code", "") if isinstance(response, dict) else ""


def error_message(error: BaseException) -> str:
    """AWS's message on one line: the user sees exactly one line per failure."""
    response = getattr(error, "response", None)
    message = str(error)
    if isinstance(response, dict):
        message = response.get("Error", {}).get("Message", "") or message
    return " ".join(message.split())


def translate(error: BaseException) -> RumcfnError | None:
    """The one-line user-facing error for a botocore failure, or None when it is not one."""
    if not type(error).__module__.startswith("botocore"):
        return None
    from botocore import exceptions as bx

    if isinstance(error, bx.ClientError):
        code, message = error_code(error), error_message(error)
        operation = getattr(error, "operation_name", "the request")
        if code in EXPIRED_CODES:
            return ExpiredCredentials(f"{code}: {message}")
        if code in DENIED_CODES:
            return AccessDenied(operation, message)
        if code in BAD_CREDENTIAL_CODES:
            return InvalidCredentials(operation, message)
        if code in THROTTLING_CODES:
            attempts = int(error.response.get("ResponseMetadata", {}).get("RetryAttempts") or 0) + 1
            return Throttled(operation, attempts)
        return AwsRequestFailed(operation, code or "error", message)
    if isinstance(error, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return NoCredentials()
    if isinstance(error, bx.NoRegionError):
        return NoRegion()
    if isinstance(error, bx.ProfileNotFound):
        return UnknownProfile(error.kwargs.get("profile", "?"))
    if isinstance(error, (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError)):
        return ExpiredCredentials(str(error))
    if isinstance(error, bx.ReadTimeoutError):
        return EndpointSilent(error.kwargs.get("endpoint_url", "?"))
    if isinstance(error, (bx.ConnectionError, bx.ConnectionClosedError)):
        return EndpointUnreachable(str(error))
    if isinstance(error, bx.BotoCoreError):
        return AwsRequestFailed("AWS request", type(error).__name__, str(error).splitlines()[0])
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn botocore failures raised inside the block into :class:`AwsError` subclasses."""
    try:
        yield
    except RumcfnError:
        raise
    except Exception as error:
        mapped = translate(error)
        if mapped is None:
            raise
        raise mapped from error
