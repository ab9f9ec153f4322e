"""CloudFormation stacks as rumcfn reads them: a stack by name, its deployed template, parameter lists,
and templates uploaded to S3 for CloudFormation, StackSets and Service Catalog."""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from rumcfn.aws.errors import error_code, error_message, translated
from rumcfn.aws.session import Aws
from rumcfn.facts import url_suffix


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
    import cfn_flip
    from botocore.handlers import json_decode_template_body

    from rumcfn.template.reader import check_shape

    # botocore would json-decode the body itself, before anyone could bound how deep it nests
    cfn.meta.events.unregister("after-call.cloudformation.GetTemplate", json_decode_template_body)
    body = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    if isinstance(body, dict):  # a test's stubbed answer
        return body
    check_shape(body, f"stack {name}'s deployed template")  # whoever answers may not be AWS

    return cfn_flip.load(body)[0]


def s3_url(bucket: str, key: str, region: str) -> str:
    """The HTTPS URL CloudFormation and Service Catalog read a template from (virtual-hosted unless the
    bucket name has dots)."""
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


def parameter_list(overrides: Mapping[str, str], template_keys: list[str], previous: dict | None) -> list[dict]:
    """CloudFormation ``Parameters``: the overrides, and for an existing stack (or stack set) every other
    template parameter it already has, kept with ``UsePreviousValue``."""
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in overrides.items()]
    if previous:
        known = {p["ParameterKey"] for p in previous.get("Parameters", [])}
        params += [{"ParameterKey": k, "UsePreviousValue": True}
                   for k in template_keys if k not in overrides and k in known]
    return params
