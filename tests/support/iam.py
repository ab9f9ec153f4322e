"""IAM for the rum.js function's role, as AWS evaluates an identity policy, because moto has none.

``Role`` renders the role's policies from a synthesized template the way CloudFormation would resolve
them in one Region and partition (pseudo parameters, ``Ref``, ``Fn::Sub``, ``Fn::GetAtt`` of what the stack
holds): its inline ``Policies`` and every ``AWS::IAM::RolePolicy`` / ``AWS::IAM::Policy`` attached to it.
``Enforcer`` hooks boto3's default session so that each S3, CloudWatch Logs, RUM and CloudFormation call
the handler makes is authorized against those statements first, and answered ``AccessDenied`` otherwise.

The rules it applies, from AWS's material:
- a request is allowed only if some Allow statement matches its action and resource, and no Deny does
  (IAM User Guide, "Policy evaluation logic", identity-based policies within one account);
- ``*`` matches any run of characters and ``?`` exactly one, in actions (case-insensitively) and in
  resource ARNs (case-sensitively) (IAM JSON policy reference, "Action", "Resource");
- which action and resource each operation is authorized as (Service Authorization Reference): S3 object
  operations on ``arn:<partition>:s3:::<bucket>/<key>``, ``ListObjectVersions`` as ``s3:ListBucketVersions``
  on the bucket, ``DeleteObjects`` as ``s3:DeleteObject`` (``s3:DeleteObjectVersion`` with a version id)
  on each object; CloudWatch Logs log-group operations on ``…:log-group:<name>:*`` (CloudWatch Logs User
  Guide, "CloudWatch Logs resources and operations": the ``:*`` form for every action not listed there).
A statement with a ``Condition`` is refused outright: this stand-in does not evaluate conditions, so it
must not pretend to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.support.partitions import Renderer, policy

Statement = dict[str, Any]


def wildcard(pattern: str, value: str, *, case: bool) -> bool:
    """IAM's matching: ``*`` any run of characters, ``?`` one; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None



class StackRenderer(Renderer):
    """A :class:`Renderer` that also knows the values of ``Ref`` and ``Fn::GetAtt`` for resources."""

    def __init__(self, template: dict, region: str, partition: str, account: str, refs: dict, attributes: dict):
        super().__init__(template, region, partition)
        self.pseudo["AWS::AccountId"] = account
        self.pseudo.update(refs)
        self.pseudo.update({f"{name}.{attribute}": value for (name, attribute), value in attributes.items()})

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and list(node) == ["Fn::GetAtt"]:
            name, attribute = node["Fn::GetAtt"]
            return self.pseudo.get(f"{name}.{attribute}", f"<GetAtt {name}.{attribute}>")
        return super().value(node)


@dataclass
class Role:
    """The statements in force for one role of a template, with ``refs`` and ``attributes`` as the stack has
    them. ``skip``: logical ids of policy resources not (yet, or no longer) attached."""

    template: dict
    role: str
    region: str = "us-east-1"
    partition: str = "aws"
    account: str = "123456789012"
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Whether the role's own ``Policies`` count, and which attached policy resources do (None: all).
    inline: bool = True
    attached: frozenset[str] | None = None
    #: Statements in force besides these (e.g. a policy resource CloudFormation has not updated yet).
    also: list[Statement] = field(default_factory=list)

    def policy_resources(self) -> list[str]:
        """Logical ids of the ``AWS::IAM::RolePolicy`` / ``AWS::IAM::Policy`` resources attached to the role."""
        found = []
        for name, resource in self.template["Resources"].items():
            props = resource.get("Properties", {})
            if (resource["Type"] == "AWS::IAM::RolePolicy" and props.get("RoleName") == {"Ref": self.role}) or (
                    resource["Type"] == "AWS::IAM::Policy" and {"Ref": self.role} in props.get("Roles", [])):
                found.append(name)
        return found

    def statements(self) -> list[Statement]:
        r = StackRenderer(self.template, self.region, self.partition, self.account, self.refs, self.attributes)
        resources = self.template["Resources"]
        documents = [p["PolicyDocument"] for p in resources[self.role]["Properties"].get("Policies", [])
                     if self.inline]
        documents += [resources[name]["Properties"]["PolicyDocument"] for name in self.policy_resources()
                      if self.attached is None or name in self.attached]
        found = []
        for document in documents:
            for statement in policy(r.value(document))["Statement"]:
                if "Condition" in statement or "NotAction" in statement or "NotResource" in statement:
                    raise AssertionError(f"the IAM stand-in does not evaluate {sorted(statement)}: {statement}")
                unresolved = [arn for arn in listed(statement["Resource"]) if "<" in arn]
                if unresolved:
                    raise AssertionError(f"cannot render {unresolved} in {self.role}'s policies")
                found.append(statement)
        return found + self.also

    def allows(self, action: str, arn: str) -> bool:
        matched = [s["Effect"] for s in self.statements()
                   if any(wildcard(a, action, case=False) for a in listed(s["Action"]))
                   and any(wildcard(p, arn, case=True) for p in listed(s["Resource"]))]
        return "Allow" in matched and "Deny" not in matched


def listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _object(p: str, params: dict, key: str | None = None) -> str:
    return f"arn:{p}:s3:::{params['Bucket']}/{params['Key'] if key is None else key}"


#: (service, operation) -> the (action, resource ARN) pairs IAM authorizes it as, from its parameters.
REQUESTS: dict[tuple[str, str], Callable[[Role, dict], list[tuple[str, str]]]] = {
    ("s3", "PutObject"): lambda r, q: [("s3:PutObject", _object(r.partition, q))],
    ("s3", "DeleteObject"): lambda r, q: [
        ("s3:DeleteObjectVersion" if q.get("VersionId") else "s3:DeleteObject", _object(r.partition, q))],
    ("s3", "ListObjectVersions"): lambda r, q: [("s3:ListBucketVersions", f"arn:{r.partition}:s3:::{q['Bucket']}")],
    ("s3", "DeleteObjects"): lambda r, q: [
        ("s3:DeleteObjectVersion" if o.get("VersionId") else "s3:DeleteObject", _object(r.partition, q, o["Key"]))
        for o in q["Delete"]["Objects"]],
    ("logs", "CreateLogGroup"): lambda r, q: [
        ("logs:CreateLogGroup", f"arn:{r.partition}:logs:{r.region}:{r.account}:log-group:{q['logGroupName']}:*")],
    ("logs", "PutRetentionPolicy"): lambda r, q: [
        ("logs:PutRetentionPolicy", f"arn:{r.partition}:logs:{r.region}:{r.account}:log-group:{q['logGroupName']}:*")],
    ("rum", "GetAppMonitor"): lambda r, q: [
        ("rum:GetAppMonitor", f"arn:{r.partition}:rum:{r.region}:{r.account}:appmonitor/{q['Name']}")],
    ("cloudformation", "DescribeStacks"): lambda r, q: [("cloudformation:DescribeStacks", q["StackName"])],
}


class Enforcer:
    """Authorize every call of the services in ``REQUESTS`` made through ``session`` against ``role`` (set it,
    and change it as CloudFormation changes the role); ``denied`` records each refusal."""

    def __init__(self, session, role: Role | None = None):
        self.role = role
        self.denied: list[tuple[str, str]] = []
        for service in sorted({s for s, _ in REQUESTS}):
            session.events.register(f"provide-client-params.{service}", self._authorize)

    def _authorize(self, params, model, **kwargs):
        from botocore.exceptions import ClientError

        if self.role is None:
            return
        service = model.service_model.service_name
        if (service, model.name) not in REQUESTS:
            raise AssertionError(f"the IAM stand-in does not know how IAM authorizes {service} {model.name}")
        for action, arn in REQUESTS[(service, model.name)](self.role, params):
            if not self.role.allows(action, arn):
                self.denied.append((action, arn))
                message = f"User: rum-script-role is not authorized to perform: {action} on resource: {arn}"
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": message}}, model.name)
