"""Fleets: [[sites]] over shared settings, or a directory of site files; every site checked, each bad one a line."""

from __future__ import annotations

import pytest

from rumcfn.config.client_options import thaw
from rumcfn.config.fleet import FleetInvalid, default_stack_name, fleet_from_mapping, load_fleet, merged
from rumcfn.errors import SettingsError

FLEET_TOML = """
[monitor]
telemetries = ["errors", "performance"]
tags = { team = "web", env = "prod" }

[snippet.config]
sessionAttributes = { tenant = "shared", plan = "gold" }

[[sites]]
name = "shop"
domains = ["www.shop.example"]
bucket = "shop-assets"

[[sites]]
name = "blog"
domains = ["blog.example", "www.blog.example"]
bucket = "blog-assets"
stack_name = "BlogRum"
[sites.monitor]
session_sample_rate = 0.25
telemetries = ["errors"]
tags = { env = "dev" }
[sites.snippet.config]
sessionAttributes = { tenant = "blog" }
"""


def site(name: str, **extra) -> dict:
    return {"name": name, "domains": [f"www.{name}.example"], "bucket": f"{name}-assets", **extra}


def test_sites_inherit_the_file_settings_table_by_table(tmp_path):
    path = tmp_path / "rumcfn.toml"
    path.write_text(FLEET_TOML)
    fleet = load_fleet(path)
    shop, blog = fleet.sites
    assert (shop.name, shop.settings.monitor.name, shop.stack_name) == ("shop", "shop", "shop")
    assert shop.settings.monitor.domains == ("www.shop.example",) and shop.settings.script.bucket == "shop-assets"
    assert shop.settings.monitor.telemetries == ("errors", "performance")
    assert dict(shop.settings.monitor.tags) == {"team": "web", "env": "prod"}
    # tables merge key by key at every depth; lists replace
    assert blog.settings.monitor.telemetries == ("errors",)
    assert dict(blog.settings.monitor.tags) == {"team": "web", "env": "dev"}
    assert thaw(blog.settings.snippet.config)["sessionAttributes"] == {"tenant": "blog", "plan": "gold"}
    assert blog.settings.monitor.session_sample_rate == 0.25 and blog.stack_name == "BlogRum"
    assert blog.settings.monitor.domains == ("blog.example", "www.blog.example")


def test_merge_replaces_lists_and_merges_tables():
    assert merged({"a": {"x": 1, "y": [1]}, "b": 1}, {"a": {"y": [2], "z": 3}}) == {"a": {"x": 1, "y": [2], "z": 3},
                                                                                      "b": 1}


def test_one_bad_site_is_one_line_naming_the_site_setting_rule_and_value():
    with pytest.raises(FleetInvalid) as caught:
        fleet_from_mapping({"sites": [site("good"), site("bad", monitor={"session_sample_rate": 2})]})
    assert str(caught.value) == ("site bad: setting monitor.session_sample_rate: must be between 0 and 1, "
                                 "but got 2.0")
    assert caught.value.exit_code == 2


def test_every_bad_site_is_reported_at_once():
    sites = [site("a", bucket="NO"), site("b"), site("c", domains=["https://x"]), {"domains": ["x.example"]}]
    with pytest.raises(FleetInvalid) as caught:
        fleet_from_mapping({"sites": sites})
    lines = caught.value.lines
    assert len(lines) == 3
    assert lines[0].startswith("site a: setting script.bucket: must be an S3 bucket name") and "'NO'" in lines[0]
    assert lines[1].startswith("site c: setting monitor.domains:") and "'https://x'" in lines[1]
    assert lines[2] == "site #4: setting name: must be set: every site has a name, but none was given"


def test_a_typo_in_a_site_names_the_site_and_the_key():
    with pytest.raises(FleetInvalid, match=r"^site a: setting monitor.nmae: is not a known setting"):
        fleet_from_mapping({"sites": [site("a", monitor={"nmae": "x"})]})


def test_a_shortcut_and_its_setting_together_are_refused():
    with pytest.raises(FleetInvalid, match="site a: setting script.bucket: is given twice"):
        fleet_from_mapping({"sites": [site("a", script={"bucket": "other-assets"})]})


def test_the_fleet_sets_parameters_itself():
    with pytest.raises(FleetInvalid, match="site a: setting parameters: is set by the fleet"):
        fleet_from_mapping({"sites": [site("a", parameters=False)]})


@pytest.mark.parametrize(
    ("second", "setting", "scope"),
    [
        (site("A", bucket="other-assets"), "name", "in the fleet, ignoring case, as it names files"),
        (site("b", stack_name="a"), "stack_name", "per account and Region"),
        (site("b", monitor={"name": "a"}), "monitor.name", "per account and Region"),
        (site("b", canary={"name": "a"}), "canary.name", "per account and Region"),
        (site("b", bucket="a-assets"), "script.key", "in its bucket, as each site writes its own rum.js"),
    ],
)
def test_names_aws_keeps_unique_are_unique(second, setting, scope):
    with pytest.raises(FleetInvalid) as caught:
        fleet_from_mapping({"sites": [site("a"), second]})
    # the first rule the second site breaks (site A's canary name, derived lower-cased, is a's too)
    expected = f"site {second['name']}: setting {setting}: must be unique {scope}: site a has it too"
    assert caught.value.lines[0].startswith(expected)


def test_the_same_names_in_other_accounts_or_regions_are_fine():
    fleet = fleet_from_mapping({"sites": [
        site("a", account="111111111111", region="eu-west-1"),
        site("b", account="222222222222", region="eu-west-1", monitor={"name": "a"}, stack_name="a",
             bucket="b-assets"),
    ]})
    assert [s.settings.monitor.name for s in fleet.sites] == ["a", "a"]


def test_account_and_region_are_checked():
    with pytest.raises(FleetInvalid, match="site a: setting account: must be a 12-digit AWS account id"):
        fleet_from_mapping({"sites": [site("a", account="12345")]})
    with pytest.raises(FleetInvalid, match="site a: setting region: must be an AWS Region"):
        fleet_from_mapping({"sites": [site("a", region="Europe")]})


def test_many_bad_sites_show_twenty_lines_and_count_the_rest():
    with pytest.raises(FleetInvalid) as caught:
        fleet_from_mapping({"sites": [site(f"s{i}", bucket="X") for i in range(25)]})
    text = str(caught.value).splitlines()
    assert len(caught.value.lines) == 25 and len(text) == 21 and text[-1] == "... and 5 more"


@pytest.mark.parametrize("data", [{}, {"sites": []}, {"sites": {"name": "a"}}])
def test_a_fleet_has_sites(data):
    with pytest.raises(SettingsError, match="setting sites: must be one or more"):
        fleet_from_mapping(data)


@pytest.mark.parametrize(("name", "stack"), [("shop", "shop"), ("shop.example#2", "shop-example-2"),
                                              ("9lives", "rum-9lives"), ("_x", "rum--x")])
def test_stack_names_come_from_site_names(name, stack):
    assert default_stack_name(name) == stack


def test_a_directory_holds_one_file_per_site_over_the_shared_settings(tmp_path):
    (tmp_path / "b-site.toml").write_text('domains = ["www.b.example"]\nbucket = "b-assets"\n')
    (tmp_path / "a.toml").write_text('name = "alpha"\n[monitor]\ndomains = ["www.a.example"]\n'
                                     '[script]\nbucket = "a-assets"\n')
    (tmp_path / "notes.txt").write_text("not a site")
    fleet = load_fleet(tmp_path, {"monitor": {"session_sample_rate": 0.5}})
    assert [s.name for s in fleet.sites] == ["alpha", "b-site"]
    assert {s.settings.monitor.session_sample_rate for s in fleet.sites} == {0.5}


def test_a_bad_site_file_is_named_by_its_site(tmp_path):
    (tmp_path / "a.toml").write_text('domains = ["www.a.example"]\nbucket = "a-assets"\n')
    (tmp_path / "b.toml").write_text('domains = ["www.b.example"]\nbucket = "b-assets"\n[canary]\nretries = 9\n')
    with pytest.raises(FleetInvalid, match=r"^site b: setting canary.retries: "):
        load_fleet(tmp_path)


@pytest.mark.parametrize("content", ["", "x = ["])
def test_a_directory_without_sites_or_a_broken_file_is_one_line(tmp_path, content):
    if content:
        (tmp_path / "a.toml").write_text(content)
    with pytest.raises(SettingsError, match="setting --fleet: must be"):
        load_fleet(tmp_path)


def test_a_fleet_file_read_as_one_sites_settings_says_to_use_fleet(tmp_path):
    from rumcfn.config import load

    path = tmp_path / "rumcfn.toml"
    path.write_text(FLEET_TOML)
    with pytest.raises(SettingsError) as caught:
        load(path)
    assert str(caught.value) == ("setting sites: make a fleet: give the file to --fleet (synth --fleet, deploy "
                                 "--fleet), but got '2 [[sites]] table(s)'")


def test_misspelt_keys_are_one_line_per_site_with_the_site_keys_among_the_suggestions():
    """Several unknown keys in one site are that site's line (the other sites are still checked), and a misspelt
    site key is suggested its site key, not a setting."""
    sites = [site("shop", stak_name="ShopRum", monitr={"name": "x"}), site("blog", monitor={"nme": "x"}), site("ok")]
    with pytest.raises(FleetInvalid) as caught:
        fleet_from_mapping({"sites": sites})
    assert caught.value.lines == [
        "site shop: 2 settings are not known: stak_name (did you mean stack_name?); monitr (did you mean monitor?)",
        "site blog: setting monitor.nme: is not a known setting (did you mean monitor.name?), but got 'x'",
    ]
    assert caught.value.exit_code == 2


def test_a_misspelt_shared_setting_is_named_once_not_once_per_site():
    with pytest.raises(SettingsError) as caught:
        fleet_from_mapping({"monitr": {"name": "x"}, "sites": [site("a"), site("b")]})
    assert str(caught.value) == ("setting monitr: is not a known setting (did you mean monitor?), but got "
                                 "{'name': 'x'}")


def test_a_site_without_domains_or_bucket_is_refused_not_given_the_examples():
    """The built-in example's domain and bucket never reach a fleet's site (rumcfn's "no silent example"); a value
    the shared settings give serves every site."""
    with pytest.raises(FleetInvalid) as caught:
        fleet_from_mapping({"sites": [{"name": "shop", "bucket": "shop-assets"}, {"name": "blog"}, site("ok")]})
    assert caught.value.lines == [
        "site shop: setting monitor.domains: must be set for every site (domains, or in the shared settings), "
        "but none was given",
        "site blog: setting monitor.domains: must be set for every site (domains, or in the shared settings), "
        "but none was given",
    ]
    shared = fleet_from_mapping({"script": {"bucket": "assets"}, "sites": [
        {"name": "shop", "domains": ["shop.example"], "script": {"key": "shop/rum.js"}},
        {"name": "blog", "domains": ["blog.example"], "script": {"key": "blog/rum.js"}}]})
    assert [s.settings.script.bucket for s in shared.sites] == ["assets", "assets"]
