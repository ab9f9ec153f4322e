"""``rumcfn doctor --browser``: the real web client in Chromium sends a batch, which the doctor intercepts.

The site (``StaticSite``) serves the page, rum.js and the bundled client; the snippet points at the
stand-in data plane, which must receive nothing at all (no preflight, no batch): the doctor answers every
data-plane request inside the browser. Chromium stays on 127.0.0.1 (the trap proxy must stay empty).
"""

from __future__ import annotations

import uuid

import pytest

from rumcfn.aws.session import Aws
from rumcfn.config import from_mapping
from rumcfn.doctor.report import FAILED, OK
from rumcfn.doctor.runner import run
from rumcfn.doctor.target import settings_script
from tests.support.doctor_site import TAG, page, site_variant

from .servers import network_flags

pytestmark = pytest.mark.browser
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def temporary_files_in_tmp_path(tmp_path, monkeypatch):
    """The doctor's Chromium profile (a TemporaryDirectory) goes into this test's tmp_path."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def doctor(servers, site, bundle, *, sample_rate=1.0, head=None, timeout=5):
    monitor_id = str(uuid.uuid4())
    settings = from_mapping({
        "monitor": {"name": "shop", "domains": ["127.0.0.1"], "session_sample_rate": sample_rate},
        "auth": {"mode": "resource-policy"},
        "snippet": {"endpoint": servers.collector.url, "client_url": f"{site.url}/client/cwr.js"},
    })
    routes = site_variant("healthy", settings_script(settings, monitor_id, REGION, None), client=bundle)
    if head is not None:
        routes["/"] = page(head=head)
    attempts = len(servers.trap.attempts)
    report = run(Aws(region=REGION), settings=settings, app_monitor_id=monitor_id, url=site.serve(routes),
                 timeout=timeout, browser=True, browser_flags=network_flags(servers.trap.port, servers.dead_port))
    assert servers.collector.anything_for(monitor_id) == []  # intercepted in the browser, never sent
    assert servers.trap.attempts[attempts:] == []
    return report, {c.name: c for c in report.checks}, monitor_id


def test_the_client_sends_a_batch_that_never_reaches_the_data_plane(
    servers, static_site, client_bundle, no_aws_credentials
):
    collector = servers.collector.url
    policy = f"default-src 'self'; connect-src {collector}"  # an IP-literal source: Chromium matches it, so must we
    head = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n{TAG}'
    report, checks, monitor_id = doctor(servers, static_site, client_bundle, head=head)
    assert report.exit_code == 0, report.text()
    assert checks["csp"].status == OK
    detail = checks["browser"].detail
    assert detail.startswith(f"the client sent POST {collector}/appmonitors/{monitor_id} (fetch, ")
    assert "page_view" in detail and detail.endswith("answered locally, nothing recorded")


def test_a_policy_without_the_data_plane_is_blocked_by_chromium_as_the_doctor_said(
    servers, static_site, client_bundle, no_aws_credentials
):
    head = f'<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">\n{TAG}'
    report, checks, _ = doctor(servers, static_site, client_bundle, head=head)
    assert [c.name for c in report.failures()] == ["csp", "browser"]
    assert checks["csp"].fix == f"add to default-src (<meta>): {servers.collector.url}"
    # Chromium's own words, from the console entry that ended the doctor's wait for a batch
    assert checks["browser"].status == FAILED
    assert f"Connecting to '{servers.collector.url}/appmonitors/" in checks["browser"].detail
    assert "violates the following Content Security Policy directive" in checks["browser"].detail
    assert "The action has been blocked." in checks["browser"].detail  # the whole entry: the doctor cut none of it


def test_sample_rate_zero_sends_nothing_and_is_named(servers, static_site, client_bundle, no_aws_credentials):
    """No batch can come, so the doctor waits out its timeout for one: 2 s here, time enough for a local page."""
    report, checks, _ = doctor(servers, static_site, client_bundle, sample_rate=0.0, timeout=2)
    assert [c.name for c in report.failures()] == ["data", "browser"]
    assert checks["browser"].detail.startswith(f"the client sent no batch to {servers.collector.url}")
    assert "the session sample rate is 0" in checks["browser"].detail
    assert checks["browser"].fix == "set monitor.session_sample_rate above 0 and deploy"


def test_the_command_with_a_config_file_and_flags_from_the_environment(
    servers, static_site, client_bundle, tmp_path, no_aws_credentials, monkeypatch, capsys
):
    import json
    import shlex

    from rumcfn.cli import run as rumcfn
    from rumcfn.config import load

    monitor_id = str(uuid.uuid4())
    config = tmp_path / "rumcfn.toml"
    config.write_text(f"""[monitor]\nname = "shop"\ndomains = ["127.0.0.1"]\n[auth]\nmode = "resource-policy"\n
[snippet]\nendpoint = "{servers.collector.url}"\nclient_url = "{static_site.url}/client/cwr.js"\n""")
    snippet = settings_script(load(config), monitor_id, REGION, None)
    url = static_site.serve(site_variant("healthy", snippet, client=client_bundle))
    monkeypatch.setenv("RUMCFN_CHROMIUM_FLAGS", shlex.join(network_flags(servers.trap.port, servers.dead_port)))
    code = rumcfn(
        [
            "doctor",
            "--config",
            str(config),
            "--app-monitor-id",
            monitor_id,
            "--region",
            REGION,
            "--url",
            url,
            "--browser",
            "--timeout",
            "5",
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 0, document
    assert [c["status"] for c in document["checks"] if c["name"] in ("page", "rum.js", "csp", "domain", "browser")] == [
        OK
    ] * 5
    assert servers.collector.anything_for(monitor_id) == []
