"""How browsers may send data: a Cognito identity pool with a guest role, or a RUM resource policy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import awacs.rum
import awacs.sts
import awacs.xray
from awacs.aws import (
    Allow,
    Condition,
    ForAnyValueStringLike,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from troposphere import Equals, GetAtt, If, Ref, Sub, Template, cognito, iam

from rumcfn.config import Settings, is_literal
from rumcfn.facts import COGNITO_ISSUER, COGNITO_REGIONAL_ISSUERS
from rumcfn.stack.naming import monitor_arn


@dataclass(frozen=True)
class Auth:
    """What the monitor and the snippet need from the chosen mode, and the resources created."""

    identity_pool_id: Any = None
    guest_role_arn: Any = None
    resource_policy: Any = None
    identity_pool: cognito.IdentityPool | None = None
    guest_role: iam.Role | None = None
    attachment: cognito.IdentityPoolRoleAttachment | None = None


def guest_policy(settings: Settings) -> PolicyDocument:
    """Only PutRumEvents on this monitor; X-Ray segments only when X-Ray is on (they take no resource)."""
    statements = [Statement(Effect=Allow, Action=[awacs.rum.PutRumEvents], Resource=[monitor_arn(settings)])]
    if settings.monitor.enable_xray:
        statements.append(Statement(Effect=Allow, Action=[awacs.xray.PutTraceSegments], Resource=["*"]))
    return PolicyDocument(Version="2012-10-17", Statement=statements)


def compact(document: PolicyDocument) -> str:
    """A policy as the compact, key-sorted JSON text IAM and RUM accept in place of an object."""
    return json.dumps(document.JSONrepr(), default=lambda o: o.JSONrepr(), separators=(",", ":"), sort_keys=True)


def region_condition(region: str) -> str:
    """``us-gov-west-1`` -> ``InUsGovWest1``."""
    return "In" + "".join(part.title() for part in region.split("-"))


def cognito_issuer(template: Template) -> Any:
    """The Cognito issuer of the Region the stack deploys to: one condition per Region whose issuer differs."""
    issuer: Any = COGNITO_ISSUER
    for region, regional in reversed(COGNITO_REGIONAL_ISSUERS.items()):
        template.add_condition(region_condition(region), Equals(Ref("AWS::Region"), region))
        issuer = If(region_condition(region), regional, issuer)
    return issuer


def guest_trust(pool: Any, issuer: Any) -> Sub:
    """Only Cognito may assume the role, only for this pool, only for unauthenticated identities.

    The issuer is the principal and the prefix of both condition keys. Condition keys are JSON object keys,
    which no intrinsic function can compute, so the policy is JSON text (IAM accepts a string) in which one
    ``${Issuer}`` sets all three: they cannot disagree."""
    document = PolicyDocument(
        Version="2012-10-17",
        Statement=[Statement(
            Effect=Allow,
            Principal=Principal("Federated", "${Issuer}"),
            Action=[awacs.sts.AssumeRoleWithWebIdentity],
            Condition=Condition([
                StringEquals({"${Issuer}:aud": "${Pool}"}),
                ForAnyValueStringLike({"${Issuer}:amr": "unauthenticated"}),
            ]),
        )],
    )
    return Sub(compact(document), Issuer=issuer, Pool=pool)


def add_cognito_auth(template: Template, settings: Settings) -> Auth:
    """Identity pool + guest role + attachment, or the existing pool and role named in the settings."""
    if settings.auth.identity_pool_id:
        return Auth(identity_pool_id=settings.auth.identity_pool_id, guest_role_arn=settings.auth.guest_role_arn)
    pool = template.add_resource(cognito.IdentityPool(
        "IdentityPool",
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=False,
        Metadata={"rumcfn": "Unauthenticated (guest) identities are how browsers get credentials for "
                            "CloudWatch RUM; the guest role may only put RUM events to this monitor."},
    ))
    role = template.add_resource(iam.Role(
        "GuestRole",
        AssumeRolePolicyDocument=guest_trust(Ref(pool), cognito_issuer(template)),
        Policies=[iam.Policy(PolicyName="PutRumEvents", PolicyDocument=guest_policy(settings))],
    ))
    attachment = template.add_resource(cognito.IdentityPoolRoleAttachment(
        "IdentityPoolRoles",
        IdentityPoolId=Ref(pool),
        Roles={"unauthenticated": GetAtt(role, "Arn")},
    ))
    return Auth(identity_pool_id=Ref(pool), guest_role_arn=GetAtt(role, "Arn"),
                identity_pool=pool, guest_role=role, attachment=attachment)


def resource_policy(settings: Settings) -> Sub:
    """The monitor's resource policy as the JSON string RUM expects, with stack values substituted."""
    variables: dict[str, Any] = {"MonitorName": settings.monitor.name}
    statement: dict[str, Any] = {
        "Effect": Allow,
        "Principal": Principal("*"),
        "Action": [awacs.rum.PutRumEvents],
        "Resource": ["arn:${AWS::Partition}:rum:${AWS::Region}:${AWS::AccountId}:appmonitor/${MonitorName}"],
    }
    conditions = []
    alias = settings.snippet.config.get("alias")
    if alias:  # the client sends it with every request; RUM compares it to rum:alias (RUM resource policies guide)
        conditions.append(StringEquals({"rum:alias": alias.replace("${", "${!")}))  # literal inside Fn::Sub
    if settings.auth.restrict_referer:
        referers = []
        for index, domain in enumerate(settings.monitor.domains):
            if is_literal(domain):
                referers.append(f"https://{domain}/*")
            else:
                variables[f"Domain{index}"] = domain
                referers.append(f"https://${{Domain{index}}}/*")
        conditions.append(StringLike({"aws:Referer": referers}))
    if conditions:
        statement["Condition"] = Condition(conditions)
    document = PolicyDocument(Version="2012-10-17", Statement=[Statement(**statement)])
    return Sub(compact(document), **variables)


def add_auth(template: Template, settings: Settings) -> Auth:
    """The auth resources for ``settings.auth.mode``."""
    if settings.auth.mode == "resource-policy":
        return Auth(resource_policy=resource_policy(settings))
    return add_cognito_auth(template, settings)
