"""Issue item 7: seeding from YAML or a mapping, and clear errors for bad seeds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from rootctl.sandbox import Sandbox, SeedError

MINIMAL = """\
organization:
  id: o-abcdefghij
  features: [RootSessions]
  trusted_access: [iam.amazonaws.com]
  delegated_administrators:
    iam.amazonaws.com: "222222222222"
organizational_units:
  - Apps/Prod
management_account:
  id: "111111111111"
  name: management
  email: management@example.com
accounts:
  - id: "222222222222"
    name: tooling
    email: tooling@example.com
    ou: Apps/Prod
    root:
      password: "Tooling-Root-1"
      mfa:
        - type: virtual
      access_keys:
        - last_used: {date: 2025-01-02T03:04:05Z, service: s3, region: eu-west-1}
    buckets:
      - name: tooling-locked
        policy: deny-all
    queues:
      - name: tooling-events
"""


def _error(text: str, tmp_path: Path) -> SeedError:
    path = tmp_path / "org.yaml"
    path.write_text(text)
    with pytest.raises(SeedError) as excinfo:
        Sandbox.from_seed(path)
    return excinfo.value


def test_example_seed_is_the_story(sandbox: Sandbox) -> None:
    accounts = sandbox.accounts()
    assert len(accounts) == 21
    management = accounts[0]
    assert (management.account_id, management.is_management) == ("123456789012", True)
    assert {a.ou_path for a in accounts} == {
        "",
        "Security",
        "Workloads/Prod",
        "Workloads/Dev",
        "Sandbox",
    }
    assert sandbox.account_by_name("prod-payments").email == "payments-prod@example.com"
    roots = [sandbox.root_user(a.account_id) for a in accounts]
    assert sum(1 for r in roots if not r.has_credentials) == 9
    assert any(r.access_keys and r.access_keys[0]["LastUsedDate"] for r in roots)
    assert any(r.access_keys and not r.access_keys[0]["LastUsedDate"] for r in roots)
    assert {d["Type"] for r in roots for d in r.mfa_devices} == {"virtual", "hardware"}
    assert any(r.signing_certificates for r in roots)
    assert sandbox.features() == []
    assert sandbox.delegated_administrator_id is None
    assert sandbox.account_by_name("sandbox-closed-poc").status == "SUSPENDED"


def _timeless(sandbox: Sandbox) -> bytes:
    """Dates a seed leaves out default to "now": builds a second apart differ only there."""
    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"<time>", sandbox.snapshot())


def test_seed_from_text_file_and_mapping(tmp_path: Path) -> None:
    first = _timeless(Sandbox.from_seed(MINIMAL))
    assert b"<time>" in first
    assert b"2025-" not in first
    path = tmp_path / "org.yaml"
    path.write_text(MINIMAL)
    assert _timeless(Sandbox.from_seed(path)) == first
    assert _timeless(Sandbox.from_seed(str(path))) == first
    import yaml

    assert _timeless(Sandbox.from_seed(yaml.safe_load(MINIMAL))) == first


def test_seeded_state_is_reachable(tmp_path: Path) -> None:
    sb = Sandbox.from_seed(MINIMAL)
    assert sb.organization_id == "o-abcdefghij"
    assert sb.features() == ["RootSessions"]
    assert sb.delegated_administrator_id == "222222222222"
    assert sb.account("222222222222").ou_path == "Apps/Prod"
    root = sb.root_user("222222222222")
    assert root.password_set
    assert root.access_keys[0]["LastUsedService"] == "s3"
    assert root.mfa_devices[0]["SerialNumber"] == (
        "arn:aws:iam::222222222222:mfa/root-account-mfa-device"
    )
    assert len(sb.mfa_code("222222222222")) == 6
    assert sb.sign_in("222222222222", "Tooling-Root-1", sb.mfa_code("222222222222")).ok


def test_derived_values_are_stable() -> None:
    first = Sandbox.from_seed(MINIMAL)
    keys = first.root_user("222222222222").access_keys
    admin = first.admin_credentials()
    second = Sandbox.from_seed(MINIMAL)
    assert second.root_user("222222222222").access_keys == keys
    assert second.admin_credentials() == admin


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        (
            "    ou: Apps/Prod\n",
            "    ou: Apps/Test\n",
            "17:9: accounts[0].ou: unknown organizational unit 'Apps/Test'",
        ),
        (
            "        - type: virtual\n",
            "        - type: sms\n",
            "21:17: accounts[0].root.mfa[0].type: must be one of virtual, hardware, not 'sms'",
        ),
        (
            "    email: tooling@example.com\n",
            "    email: tooling-at-example\n",
            "16:12: accounts[0].email: expected an e-mail address, got 'tooling-at-example'",
        ),
        (
            '  - id: "222222222222"\n',
            "  - id: 222222222222\n",
            "14:9: accounts[0].id: quote account ids",
        ),
        (
            "    root:\n",
            "    rooot:\n",
            "18:5: accounts[0].rooot: unknown field 'rooot'",
        ),
        (
            "  features: [RootSessions]\n",
            "  features: [RootPasswords]\n",
            "3:14: organization.features[0]: must be one of RootCredentialsManagement, "
            "RootSessions, not 'RootPasswords'",
        ),
        (
            '    iam.amazonaws.com: "222222222222"\n',
            '    iam.amazonaws.com: "111111111111"\n',
            "6:24: organization.delegated_administrators.iam.amazonaws.com: "
            "111111111111 is not a member account of this seed",
        ),
        (
            "      - name: tooling-locked\n",
            "      - name: Tooling_Locked\n",
            "25:15: accounts[0].buckets[0].name: expected a bucket name",
        ),
    ],
)
def test_bad_seed_names_line_and_field(
    tmp_path: Path, replace: str, by: str, expected: str
) -> None:
    assert replace in MINIMAL
    error = _error(MINIMAL.replace(replace, by), tmp_path)
    assert str(error).startswith(f"{tmp_path / 'org.yaml'}:{expected}")


def test_duplicate_account_id_points_at_the_second(tmp_path: Path) -> None:
    text = MINIMAL + ('  - id: "222222222222"\n    name: again\n    email: again@example.com\n')
    error = _error(text, tmp_path)
    assert (error.line, error.column, error.field) == (29, 9, "accounts[1].id")
    assert "account id 222222222222 is used twice" in str(error)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    error = _error("organization: [\n  id: o-abc\n", tmp_path)
    assert error.line is not None
    assert "not valid YAML" in str(error)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read the seed file"):
        Sandbox.from_seed(tmp_path / "nope.yaml")


def test_mapping_errors_name_the_field() -> None:
    import yaml

    data: dict[str, Any] = yaml.safe_load(MINIMAL)
    data["accounts"][0]["root"]["access_keys"] = [{}, {}, {}]
    with pytest.raises(SeedError) as excinfo:
        Sandbox.from_seed(data)
    assert str(excinfo.value) == (
        "<seed>: accounts[0].root.access_keys: a root user can have at most 2 access keys"
    )
    assert excinfo.value.line is None


def test_builds_offline_whatever_the_user_aws_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "a-profile-this-machine-does-not-have")
    from moto.core.base_backend import BackendDict

    BackendDict.reset()
    sb = Sandbox.example(scps=False)
    assert sb.accounts()[0].name == "acme-management"


HOSTILE = r"""
organizational_units:
  - "Ops\e]0;pwned\a"
management_account:
  id: "111111111111"
  name: "[link=https://evil.example]mgmt[/link]"
  email: management@example.com
accounts:
  - id: "222222222222"
    name: "\e[2J\e[31mred\a\0 \u202eevil\r\n"
    email: tooling@example.com
    ou: "Ops\e]0;pwned\a"
  - id: "333333333333"
    name: "本番-決済 <script>x</script>"
    email: jp@example.com
"""


def test_hostile_names_are_seeded_literally() -> None:
    """Names are outside text: YAML escapes give any character, kept as it is (issue 9)."""
    sb = Sandbox.from_seed(HOSTILE)
    names = {a.account_id: (a.name, a.ou_path) for a in sb.accounts()}
    assert names == {
        "111111111111": ("[link=https://evil.example]mgmt[/link]", ""),
        "222222222222": ("\x1b[2J\x1b[31mred\x07\x00 \u202eevil\r\n", "Ops\x1b]0;pwned\x07"),
        "333333333333": ("本番-決済 <script>x</script>", ""),
    }


def test_text_rules_are_one_table() -> None:
    """What each kind of text may hold is one rule (seed/fields.py TEXT): names take anything
    up to AWS's length, identifiers follow AWS's formats."""
    from rootctl.sandbox.seed.fields import TEXT

    assert TEXT["account name"].pattern is None
    assert TEXT["account name"].max_length == 50
    assert TEXT["ou name"].pattern is None
    assert TEXT["account id"].pattern is not None


def test_tags_of_accounts_and_ous() -> None:
    import yaml

    data: dict[str, Any] = yaml.safe_load(MINIMAL)
    data["organizational_units"] = [{"path": "Apps/Prod", "tags": {"env": "prod"}}]
    data["accounts"][0]["tags"] = {"team": "tools", "cost-center": 1234, "empty": None}
    seed = Sandbox.from_seed(data).seed
    assert seed.ou_tags == {"Apps/Prod": {"env": "prod"}}
    assert seed.organizational_units == ("Apps", "Apps/Prod")
    assert seed.accounts[0].tags == {"team": "tools", "cost-center": "1234", "empty": ""}
    data["accounts"][0]["tags"] = {f"k{i}": "v" for i in range(51)}
    with pytest.raises(SeedError, match=r"accounts\[0\]\.tags: a resource has at most 50 tags"):
        Sandbox.from_seed(data)
    data["accounts"][0]["tags"] = ["team=tools"]
    with pytest.raises(SeedError, match="expected a mapping of tag key to value"):
        Sandbox.from_seed(data)
    data["accounts"][0]["tags"] = {}
    data["organizational_units"] = [{"path": "Apps/Prod", "labels": {}}]
    with pytest.raises(SeedError, match="unknown field 'labels'"):
        Sandbox.from_seed(data)
