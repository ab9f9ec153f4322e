"""Python values as JavaScript literals (:mod:`rumcfn.client.js`), as the snippet, the stack's Fn::Sub and the
ES module write them."""

from __future__ import annotations

import pytest

from rumcfn.client.js import JsCode, Placeholder, RegExp, to_js


def test_script_end_tag_in_values_cannot_close_an_inline_script():
    assert to_js("</script><script>alert(1)</script>", sub=False) == '"<\\/script>\\x3Cscript>alert(1)<\\/script>"'
    assert to_js(RegExp("</script>"), False) == "/<\\/script>/"


def test_in_sub_mode_user_text_cannot_become_a_placeholder_but_placeholders_do():
    assert to_js("${AWS::Region}", sub=True) == '"${!AWS::Region}"'
    assert to_js("${AWS::Region}", sub=False) == '"${AWS::Region}"'
    placeholders = [Placeholder("AppMonitorId"), Placeholder("Rate", quoted=False)]
    assert to_js(placeholders, sub=True) == '["${AppMonitorId}",${Rate}]'


def test_keys_are_bare_only_when_they_are_identifiers():
    assert to_js({"a_b$1": 1, "user:tier": 2, "x-api-key": 3}, False) == '{a_b$1:1,"user:tier":2,"x-api-key":3}'


def test_scalars_are_compact_and_deterministic():
    assert to_js([True, False, None, 1.0, 0.25, "é"], False) == '[true,false,null,1,0.25,"é"]'


def test_code_fills_its_arguments_as_literals():
    code = JsCode("function(e){{return {0}.test(e)}}", (RegExp("^a/b$"),))
    assert to_js(code, False) == "function(e){return /^a\\/b$/.test(e)}"
    assert to_js(JsCode("location.origin"), True) == "location.origin"


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_values_javascript_cannot_read_back_are_refused(value):
    with pytest.raises(ValueError):
        to_js(value, False)
