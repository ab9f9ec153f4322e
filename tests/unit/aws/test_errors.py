"""AWS failures reach the user as exactly one line, whatever AWS put in the message."""

from botocore.exceptions import ClientError

from rumcfn.aws.errors import error_message


def test_multi_line_aws_messages_become_one_line():
    error = ClientError({"Error": {"Code": "ValidationError", "Message": "Template format error:\n  bad\tthing\n"}},
                        "CreateChangeSet")
    assert error_message(error) == "Template format error: bad thing"


def test_errors_without_a_response_use_their_text():
    assert error_message(RuntimeError("no\nresponse")) == "no response"
