"""`scope: {tags: …}` against the example organization (sandbox over HTTP): accounts and OUs
carry Organizations tags (the seed's ``tags:``), read with ListTagsForResource once per run."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import CHECKOUT, DEV_PAYMENTS, MANAGEMENT, PAYMENTS, Cli
from tests.continuous.test_check_cli import write


def test_scope_by_tags_every_pair_on_the_account_or_an_ou_above(
    enabled: Cli, tmp_path: Path
) -> None:
    # PAYMENTS: team=payments on itself, env=prod on Workloads/Prod; DEV_PAYMENTS: env=dev.
    config = write(tmp_path, "version: 1\nscope:\n  tags: {team: payments, env: prod}\n")
    document = enabled.json("check", "--config", config, exit_code=1)
    assert {r["account_id"]: r["state"] for r in document["accounts"]} == {
        PAYMENTS: "violation",
        MANAGEMENT: "skipped",
    }
    assert document["notes"] == []


def test_scope_tags_add_to_accounts_and_unmatched_tags_are_a_note(
    enabled: Cli, tmp_path: Path
) -> None:
    config = write(
        tmp_path,
        f"version: 1\nscope: {{accounts: ['{CHECKOUT}'], tags: {{team: payments}}}}\n",
    )
    document = enabled.json("check", "--config", config, exit_code=1)
    checked = {r["account_id"] for r in document["accounts"]} - {MANAGEMENT}
    assert checked == {CHECKOUT, PAYMENTS, DEV_PAYMENTS}

    nothing = write(tmp_path, "version: 1\nscope: {tags: {team: nobody}}\n")
    result = enabled("check", "--config", nothing)
    assert result.exit_code == 0, result.output  # no account in scope: nothing to violate
    assert "note: scope names the tags team=nobody, which no account" in result.output

    bad = write(tmp_path, "version: 1\nscope: {tags: {team: [a]}}\n")
    refused = enabled("check", "--config", bad)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"Error: {bad}:2:22: scope.tags.team: expected a tag value, got a list\n"
    )
