"""A sandbox rebuilt after Security Hub was used starts from an empty moto: moto's Security Hub
backend looks up its account's Organizations backend while it is being reset, which must not
leave an organization behind for the next rebuild (AlreadyInOrganizationException)."""

from __future__ import annotations

import boto3

from rootctl.sandbox import Sandbox


def test_rebuilding_after_security_hub_starts_empty() -> None:
    for _ in range(3):
        sb = Sandbox.example(scps=False)
        with sb.in_process():
            hub = boto3.client("securityhub", region_name="us-east-1")
            hub.enable_security_hub()
            assert hub.get_findings()["Findings"] == []
            org = boto3.client("organizations", region_name="us-east-1")
            assert org.describe_organization()["Organization"]["Id"] == sb.organization_id
