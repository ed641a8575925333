"""Start-up pays for what the run uses: ``import rootctl`` does not load boto3 or the engine,
and a command loads its own module, not every other command's or operation's."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import rootctl
from rootctl.cli import COMMANDS, cli


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_rootctl_loads_neither_boto3_nor_the_engine() -> None:
    loaded = loaded_after("import rootctl")
    assert "boto3" not in loaded
    assert "rootctl.core.engine" not in loaded


def test_the_audit_command_leaves_the_other_operations_unloaded() -> None:
    loaded = loaded_after(
        "from rootctl.cli import cli\n"
        "import rootctl\n"
        "cli.get_command(None, 'audit')\n"
        "rootctl.RootAccess\n"
    )
    assert "rootctl.core.engine" in loaded
    for other in ("rootctl.cli.doctor_cmds", "rootctl.core.doctor", "rootctl.core.guardrail",
                  "rootctl.core.lockouts", "rootctl.aws.sns", "rootctl.web"):  # fmt: skip
        assert other not in loaded, f"an audit imported {other}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_resolves_to_itself(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name


def test_the_help_lists_every_command() -> None:
    listed = cli.list_commands(click.Context(cli))
    assert listed == sorted(COMMANDS)
    assert cli.get_command(click.Context(cli), "no-such-command") is None


def test_every_public_name_resolves_and_unknown_ones_do_not() -> None:
    for name in rootctl.__all__:
        assert getattr(rootctl, name) is not None, name
    assert set(rootctl.__all__) <= set(dir(rootctl))
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = rootctl.no_such_name  # type: ignore[attr-defined]


COLLECTING_AT_EXIT = """
import atexit, gc, sys
atexit.register(lambda: print("collecting", gc.isenabled(), file=sys.stderr))
sys.argv = ["rootctl", *{argv!r}]
from rootctl.cli import main
main()
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["journal", "--journal", "/dev/null/not-a-journal"],  # builds the engine, then fails
        ["sandbox", "--help"],  # no engine at all
        ["completion", "bash"],
    ],
)
def test_collections_are_back_on_once_the_command_runs(argv: list[str]) -> None:
    # The CLI does not collect while it starts (cli.main): whatever the command, a long run
    # (the dashboard, a watch, the sandbox's server) must collect again.
    done = subprocess.run(
        [sys.executable, "-c", COLLECTING_AT_EXIT.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "collecting True" in done.stderr, done.stderr[-2000:]


def test_a_library_or_a_test_process_keeps_its_collector_as_it_was() -> None:
    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(cli, ["completion", "bash"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # nothing frozen behind its back
