"""Issue 12: the pytest plugin (pytest_rootctl) — other projects' suites get the sandbox as
they get moto's mock_aws. Checked with pytester, as a user's suite would run."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
AUTOMATION = """
import boto3

AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def root_keys_of(account_id):
    creds = boto3.client("sts").assume_root(
        TargetPrincipal=account_id, TaskPolicyArn={"arn": AUDIT}
    )["Credentials"]
    iam = boto3.client(
        "iam",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    return [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]


def enable():
    boto3.client("organizations").enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    boto3.client("iam").enable_organizations_root_credentials_management()
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's project: their automation module, and pytest with only this plugin."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(automation=AUTOMATION)
    return pytester


def _run(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    return suite.runpytest("-p", "pytest_rootctl", "-p", "no:cacheprovider", *args)


def test_in_process_fixture_tests_assume_root_automation(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_it="""
        import boto3
        from automation import enable, root_keys_of

        def test_finds_forgotten_root_keys(rootctl_sandbox):
            enable()
            assert boto3.client("sts").get_caller_identity()["Arn"].endswith(":user/admin")
            assert len(root_keys_of("418273645501")) == 1  # prod-payments
            assert root_keys_of("529384756603") == []  # dev-data-lake: clean
            assert rootctl_sandbox.issued_root_sessions()[0].task_policy == (
                "IAMAuditRootUserCredentials"
            )
        """
    )
    _run(suite).assert_outcomes(passed=1)


def test_http_fixture(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_http="""
        import os
        import boto3
        from automation import enable, root_keys_of

        def test_over_http(rootctl_sandbox_http):
            assert os.environ["AWS_ENDPOINT_URL"] == rootctl_sandbox_http.endpoint_url
            assert rootctl_sandbox_http.env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
            enable()
            assert len(root_keys_of("418273645501")) == 1

        def test_fresh_state_for_every_test(rootctl_sandbox_http):
            assert rootctl_sandbox_http.sandbox.features() == []
        """
    )
    _run(suite).assert_outcomes(passed=2)


def test_seeded_from_yaml_or_generated(suite: pytest.Pytester) -> None:
    (suite.path / "orgs").mkdir()
    (suite.path / "orgs" / "tiny.yaml").write_text(
        'management_account: {id: "111111111111", name: m, email: m@example.com}\n'
        "accounts:\n"
        '  - {id: "222222222222", name: member, email: member@example.com}\n'
    )
    suite.makepyfile(
        test_orgs="""
        import pytest

        @pytest.mark.rootctl_sandbox(seed="orgs/tiny.yaml")
        def test_yaml(rootctl_sandbox):
            assert [a.name for a in rootctl_sandbox.accounts()] == ["m", "member"]

        @pytest.mark.rootctl_sandbox(accounts=30, random_seed=4)
        def test_generated(rootctl_sandbox_http):
            assert len(rootctl_sandbox_http.sandbox.accounts()) == 31

        @pytest.mark.rootctl_sandbox(propagation_delay=60)
        def test_delay(rootctl_sandbox):
            assert rootctl_sandbox.propagation_delay == 60

        def test_ini_default(rootctl_sandbox):
            assert len(rootctl_sandbox.accounts()) == 2
        """
    )
    suite.makeini("[pytest]\nrootctl_sandbox_seed = orgs/tiny.yaml\n")
    _run(suite).assert_outcomes(passed=4)


def test_names_never_clash_with_a_suites_own_fixtures(suite: pytest.Pytester) -> None:
    suite.makeconftest(
        """
        import pytest

        @pytest.fixture
        def sandbox():
            return "theirs"

        @pytest.fixture
        def sandbox_server():
            return "theirs too"

        @pytest.fixture
        def aws_env():
            return "and this"
        """
    )
    suite.makepyfile(
        test_both="""
        def test_both(sandbox, sandbox_server, aws_env, rootctl_sandbox):
            assert (sandbox, sandbox_server, aws_env) == ("theirs", "theirs too", "and this")
            assert rootctl_sandbox.management_account_id == "123456789012"
        """
    )
    _run(suite).assert_outcomes(passed=1)


def test_imports_nothing_heavy_and_fails_clearly_without_moto(suite: pytest.Pytester) -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pytest_rootctl; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'moto', 'boto3', 'botocore', 'rootctl', 'yaml', 'werkzeug'}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
    suite.makeconftest("import sys\nsys.modules['moto'] = None  # as if moto were not installed\n")
    suite.makepyfile(
        test_without="""
        def test_plain():
            assert True

        def test_needs_the_sandbox(rootctl_sandbox):
            pass
        """
    )
    result = suite.runpytest_subprocess("-p", "pytest_rootctl", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.re_match_lines([r".*pip install 'rootctl\[sandbox\]'.*"])
    result.stdout.no_fnmatch_line("*During handling*")


def test_registered_as_a_pytest11_entry_point() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"rootctl": "pytest_rootctl"}
