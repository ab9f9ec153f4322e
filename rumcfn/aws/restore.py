"""Write rum.js again after a site sync deleted it (``rumcfn restore-snippet``).

``aws s3 sync --delete`` removes every object the local build lacks, rum.js included; the custom
resource only runs again when the snippet changes. This command reads the deployed stack
(:func:`rumcfn.aws.stacks.read_stack`) and writes exactly what the custom resource wrote: its ``Content``
is an ``Fn::Sub``, resolved (:mod:`rumcfn.template.resolve`) the way CloudFormation resolved it, from the
stack's own values. Nothing is re-rendered from local settings, so the result cannot drift from the
deployed stack.

boto3 is imported only when the command runs (``rumcfn synth`` never loads it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rumcfn.aws.errors import error_code, translated
from rumcfn.aws.stacks import DeployedStack, read_stack
from rumcfn.contract import CustomResources
from rumcfn.errors import OperationFailed
from rumcfn.template.resolve import Unresolvable, resolve

RESOURCE_TYPE = CustomResources.RUM_SCRIPT


class RestoreFailed(OperationFailed):
    """The stack cannot say what rum.js should be."""


@dataclass(frozen=True)
class ScriptObject:
    """rum.js as the stack's custom resource wrote it."""

    bucket: str
    key: str
    content: str
    content_type: str
    cache_control: str
    account: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def script_of(stack: DeployedStack) -> ScriptObject:
    """What the stack's ``Custom::RumScript`` wrote, resolved from the deployed stack."""
    found = stack.of_type(RESOURCE_TYPE)
    if len(found) != 1:
        raise RestoreFailed(f"stack {stack.name} has {len(found)} {RESOURCE_TYPE} resources; expected one "
                            "(was it built by rumcfn?)")
    ((logical_id, resource),) = found.items()
    props = resource.get("Properties", {})
    try:
        values = {name: resolve(props.get(name, default), stack.scope) for name, default in (
            ("Bucket", None), ("Key", "rum.js"), ("Content", None),
            ("ContentType", "application/javascript; charset=utf-8"), ("CacheControl", "max-age=300"))}
    except Unresolvable as error:
        raise RestoreFailed(f"stack {stack.name}: cannot resolve {logical_id}: {error}") from None
    return ScriptObject(values["Bucket"], values["Key"], values["Content"], values["ContentType"],
                        values["CacheControl"], stack.scope.names["AWS::AccountId"])


def read_script(aws, stack_name: str) -> ScriptObject:
    """What the stack's ``Custom::RumScript`` wrote, resolved from the deployed stack."""
    return script_of(read_stack(aws, stack_name))


def write_script(aws, script: ScriptObject) -> str:
    """Put rum.js (only into a bucket of the stack's account); return the new ETag."""
    with translated():
        response = aws.client("s3").put_object(
            Bucket=script.bucket, Key=script.key, Body=script.content.encode("utf-8"),
            ContentType=script.content_type, CacheControl=script.cache_control,
            ExpectedBucketOwner=script.account)
    return response.get("ETag", "").strip('"')


def current_content(aws, script: ScriptObject) -> bytes | None:
    """The object's bytes now, or None when it is missing."""
    s3 = aws.client("s3")
    with translated():
        try:
            return s3.get_object(
                Bucket=script.bucket, Key=script.key, ExpectedBucketOwner=script.account
            )["Body"].read()
        except s3.exceptions.ClientError as error:
            if error_code(error) == "NoSuchKey":
                return None
            raise
