"""AWS sessions and clients for the deploy commands, and AWS failures as one-line errors.

boto3 is imported here, inside functions only: ``rumcfn synth`` never loads it. Every other
deploy module gets its clients from an :class:`Aws` and wraps its work in :func:`translated`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from typing import Any, Iterator

from rumcfn import __version__
from rumcfn.errors import RumcfnError

#: botocore's "standard" retry mode backs off on throttling and transient errors before we give up.
MAX_ATTEMPTS = 8


class AwsError(RumcfnError):
    """An AWS call failed in a way the user can fix."""


class NoCredentials(AwsError):
    def __init__(self) -> None:
        super().__init__("no AWS credentials found; set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login`")


class NoRegion(AwsError):
    exit_code = 2

    def __init__(self) -> None:
        super().__init__("no AWS region; pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)")


class UnknownProfile(AwsError):
    exit_code = 2

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
        super().__init__(f"AWS kept throttling {operation} (gave up after {attempts} attempt(s)); wait a minute and retry")


class EndpointUnreachable(AwsError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"cannot reach the AWS endpoint: {detail} (check --endpoint-url / AWS_ENDPOINT_URL and the network)")


class AwsRequestFailed(AwsError):
    def __init__(self, operation: str, code: str, detail: str) -> None:
        super().__init__(f"{operation} failed: {code}: {detail}")


EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                "UnauthorizedException"}
BAD_CREDENTIAL_CODES = {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
                        "InvalidAccessKeyId", "IncompleteSignature"}
THROTTLING_CODES = {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                    "TooManyRequestsException", "SlowDown", "RequestThrottled", "RequestThrottledException"}


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
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
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


@dataclass
class Aws:
    """Where and as whom to call AWS. ``clients`` may be pre-filled (tests pass stubbed clients)."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None  # None: botocore's own AWS_ENDPOINT_URL / config handling
    clients: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None  # connect and read timeout per attempt (None: botocore's 60 s)
    max_attempts: int = MAX_ATTEMPTS
    _session: Any = None

    def session(self) -> Any:
        if self._session is None:
            import boto3

            # AWS_REGION, like the AWS CLI v2 and the other SDKs (botocore itself reads only AWS_DEFAULT_REGION)
            region = self.region or os.environ.get("AWS_REGION") or None
            with translated():
                self._session = boto3.session.Session(profile_name=self.profile, region_name=region)
        return self._session

    @property
    def region_name(self) -> str:
        if self.region:
            return self.region
        for client in self.clients.values():
            return client.meta.region_name
        region = self.session().region_name
        if not region:
            raise NoRegion()
        return region

    def client(self, service: str) -> Any:
        if service not in self.clients:
            from botocore.config import Config

            timeouts = {"connect_timeout": self.timeout, "read_timeout": self.timeout} if self.timeout else {}
            config = Config(retries={"mode": "standard", "total_max_attempts": self.max_attempts},
                            user_agent_extra=f"rumcfn/{__version__}", **timeouts)
            region = self.region_name
            with translated():
                self.clients[service] = self.session().client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=config)
        return self.clients[service]


def find_stack(cfn: Any, name: str) -> dict | None:
    """The stack's description, or None when there is none by that name (each caller words that itself)."""
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except Exception as error:
        if error_code(error) == "ValidationError" and "does not exist" in error_message(error):
            return None
        raise


def deployed_template(cfn: Any, name: str) -> dict:
    """The template the stack was deployed with, as submitted (JSON or YAML), parsed."""
    body = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    if isinstance(body, dict):  # botocore parses JSON bodies itself
        return body
    import cfn_flip

    return cfn_flip.load(body)[0]


def s3_url(bucket: str, key: str, region: str) -> str:
    """The HTTPS URL CloudFormation and Service Catalog read a template from (virtual-hosted unless the
    bucket name has dots)."""
    from rumcfn.build.snippet import url_suffix

    suffix = url_suffix(region)
    if "." in bucket:
        return f"https://s3.{region}.{suffix}/{bucket}/{key}"
    return f"https://{bucket}.s3.{region}.{suffix}/{key}"


def upload_template(aws: Aws, bucket: str, prefix: str, body: str) -> str:
    """Put ``body`` at ``<prefix>/<sha256>.template`` in ``bucket`` (content-addressed, so re-uploads are
    harmless) and return its URL."""
    data = body.encode("utf-8")
    key = f"{prefix}/{hashlib.sha256(data).hexdigest()[:32]}.template"
    with translated():
        aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    return s3_url(bucket, key, aws.region_name)
