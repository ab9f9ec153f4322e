"""Trust policies shared by the roles rumcfn creates."""

from __future__ import annotations

import awacs.sts
from awacs.aws import Allow, PolicyDocument, Principal, Statement

from rumcfn.facts import service_principal


def lambda_trust() -> PolicyDocument:
    """Only the Lambda service may assume the role (the rum.js writer and the canary both run on Lambda)."""
    return PolicyDocument(Version="2012-10-17", Statement=[Statement(
        Effect=Allow, Principal=Principal("Service", service_principal("lambda")), Action=[awacs.sts.AssumeRole])])
