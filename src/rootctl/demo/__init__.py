"""``rootctl demo``: the field report's story, replayed with the real CLI on the offline sandbox.

``run()`` seeds the sandbox's example organization, serves it over HTTP on 127.0.0.1, points the
AWS SDK at it through the environment (never at the user's own AWS setup or journal), and plays
the eleven steps of :mod:`rootctl.demo.story`. It returns the process exit code: 0 when every step's
outcome was the expected one, 1 otherwise (with the step and what AWS answered), 130 when
interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

import click

from rootctl.demo.cast import choose
from rootctl.demo.narrator import Narrator
from rootctl.demo.scene import Scene
from rootctl.demo.shell import (
    DemoFailure,
    Identity,
    Shell,
    connection_environment,
    export_lines,
    isolated_environment,
)
from rootctl.demo.story import STEPS
from rootctl.errors import RootctlError
from rootctl.sandbox.clientenv import patched_environment

if TYPE_CHECKING:
    from rootctl.sandbox import Credentials

__all__ = ["DemoFailure", "run"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def run(
    *,
    cli: click.Command,
    step: bool = False,
    serve: bool = False,
    journal: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    stdin: TextIO | None = None,
) -> int:
    narrator = Narrator(pause=step, stdin=stdin)
    started = time.monotonic()
    try:
        with _staged(narrator, cli, journal, host, port) as (scene, exports):
            narrator.banner(
                "rootctl demo — centralized root access management, end to end",
                "The field report's story, replayed on the offline sandbox "
                "(nothing here touches your AWS accounts or your rootctl journal).",
            )
            code = _play(scene, started)
            if code == EXIT_OK and serve:
                _serve_until_interrupted(scene, exports)
            return code
    except DemoFailure as exc:  # the organization lacks a part the story needs
        print(f"rootctl demo cannot start: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("\nDemo stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED


@contextmanager
def _staged(
    narrator: Narrator, cli: click.Command, journal: Path | None, host: str, port: int
) -> Iterator[tuple[Scene, list[str]]]:
    """The sandbox's example organization served on ``host:port``, the environment pointing at
    it as the management account's admin, a temporary journal; the scene and its exports."""
    from rootctl.sandbox import Sandbox  # moto is heavy: only when the demo really runs

    with tempfile.TemporaryDirectory(prefix="rootctl-demo-") as scratch_dir:
        scratch = Path(scratch_dir)
        journal_path = journal or scratch / "journal.sqlite3"
        isolation = isolated_environment(journal_path)
        # What the user has set and the demo removes: the export lines must unset it too.
        overridden = [n for n, v in isolation.items() if v is None and n in os.environ]
        with patched_environment(isolation):  # before building: moto reads the AWS config too
            sandbox = Sandbox.example()
            cast = choose(sandbox)
            management = _identity(sandbox.admin_credentials(), "management account")
            delegate = _identity(
                sandbox.principal_credentials(cast.security.id, "admin"),
                f"security account {cast.security.name}",
            )
            with sandbox.serve(host=host, port=port) as server:
                connection = connection_environment(server.endpoint_url, management)
                with patched_environment(connection):
                    scene = Scene(
                        sandbox=sandbox,
                        endpoint_url=server.endpoint_url,
                        journal=journal_path,
                        cast=cast,
                        narrator=narrator,
                        shell=Shell(narrator, cli),
                        management=management,
                        delegate=delegate,
                    )
                    try:
                        yield scene, export_lines({**isolation, **connection}, overridden)
                    finally:
                        scene.close()


def _identity(credentials: Credentials, where: str) -> Identity:
    return Identity(
        description=f"the IAM user {credentials.user_name} in the {where} {credentials.account_id}",
        arn=credentials.arn,
        access_key_id=credentials.access_key_id,
        secret_access_key=credentials.secret_access_key,
    )


def _play(scene: Scene, started: float) -> int:
    narrator = scene.narrator
    for number, (title, play) in enumerate(STEPS, start=1):
        narrator.step(number, len(STEPS), title)
        try:
            play(scene)
        except (DemoFailure, RootctlError) as exc:
            sys.stdout.flush()
            print(
                f"\nrootctl demo failed at step {number} ({title}): {exc}",
                file=sys.stderr,
            )
            return EXIT_FAILED
    seconds = time.monotonic() - started
    narrator.say(
        f"Demo complete: {len(STEPS)} steps, {scene.checks} checks of what AWS answered, all "
        f"as the story expects ({seconds:.1f} s)."
    )
    return EXIT_OK


def _serve_until_interrupted(scene: Scene, lines: list[str]) -> None:
    """Keep the sandbox up for the user's own commands until Ctrl-C (or SIGTERM)."""
    narrator = scene.narrator
    narrator.say(
        f"The sandbox keeps running at {scene.endpoint_url}, in the state the story left it. "
        "In another shell, paste these lines, then try any command (or the aws CLI):"
    )
    print()
    for line in lines:
        print(f"  {line}")
    delegate = scene.delegate
    print(f"  # or, as the delegated administrator ({delegate.arn}):")
    print(
        f"  #   export AWS_ACCESS_KEY_ID={delegate.access_key_id} "
        f"AWS_SECRET_ACCESS_KEY={delegate.secret_access_key}"
    )
    print()
    for line in (
        "rootctl audit --all -o tree",
        "rootctl journal",
        "rootctl ui                       # the web dashboard, on this sandbox",
        "aws organizations list-accounts  # the aws CLI honours AWS_ENDPOINT_URL too",
    ):
        print(f"  {line}")
    print(f"\nServing on {scene.endpoint_url}; press Ctrl-C to stop.", flush=True)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopped the sandbox.", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
