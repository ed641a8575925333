"""`rootctl exec` / `credential-process` refuse, in one line and exit 2 before any AssumeRoot,
what they must not do (in-process: no command is ever started)."""

from __future__ import annotations

from tests.cli.conftest import MANAGEMENT, PAYMENTS, SUSPENDED, Cli


def test_exec_refuses_what_it_must_not_do(enabled: Cli) -> None:
    for args, expected in [
        (("exec", MANAGEMENT, "--task", "audit", "--", "true"), "management account"),
        (("exec", SUSPENDED, "--task", "audit", "--", "true"), "SUSPENDED"),
        (("exec", "999999999999", "--task", "audit", "--", "true"), "not in organization"),
        (("exec", PAYMENTS, "--task", "audit", "--duration", "20m", "--", "true"), "--renew"),
        (("exec", PAYMENTS, "--task", "root", "--", "true"), "root"),
        (("exec", PAYMENTS, "--task", "audit"), "command"),
        (("exec", "4182736455", "--task", "audit", "--", "true"), "12 digits"),
        (("credential-process", MANAGEMENT, "--task", "audit"), "management account"),
        (("exec", PAYMENTS, "--task", "audit", "--reason", "a\nb", "--print", "profile"), "line"),
        (("credential-process", PAYMENTS, "--task", "audit", "--duration", "16m"), "15 minutes"),
    ]:
        result = enabled(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not enabled.sandbox.issued_root_sessions()
