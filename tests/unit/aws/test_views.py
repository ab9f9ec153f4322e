"""Plain-text views of CloudFormation data."""

from __future__ import annotations

from rumcfn.aws import views as view


def test_change_table_shows_replacement_only_for_modify():
    text = view.change_table([
        {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "Monitor",
                                                "ResourceType": "AWS::RUM::AppMonitor", "Replacement": "Conditional"}},
        {"Type": "Resource", "ResourceChange": {"Action": "Remove", "LogicalResourceId": "Old",
                                                "ResourceType": "AWS::SNS::Topic"}},
    ], "site")
    assert text.splitlines()[4:6] == ["* Modify   Monitor            AWS::RUM::AppMonitor  Conditional",
                                      "- Delete   Old                AWS::SNS::Topic       N/A"]
