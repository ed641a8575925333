"""Processes the benchmarks measure: the sandbox server and the tools that talk to it."""

from __future__ import annotations

import compileall
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

ROOTCTL = [sys.executable, "-m", "rootctl"]
TICKS = os.sysconf("SC_CLK_TCK")


def compile_as_installed(source: Path | None = None) -> None:
    """Measure rootctl as pip installs it, its modules' bytecode compiled at install time.
    An editable install compiles on import, and where PYTHONDONTWRITEBYTECODE is set (as on
    the machine these figures come from) every process compiled ~170 modules again: about
    0.3 s of CPU and wall time in each run, which no installed rootctl pays."""
    import rootctl

    package = Path(rootctl.__file__).parent if source is None else source / "rootctl"
    compileall.compile_dir(package, quiet=1)


@dataclass(frozen=True)
class Measured:
    """One finished process: wall time, its own user+sys CPU, peak RSS, exit code, stdout."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def measure(argv: Sequence[str], env: dict[str, str]) -> Measured:
    """Run ``argv`` to completion; CPU and RSS come from wait4, i.e. this child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
            returncode=process.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def cpu_seconds(pid: int) -> float:
    """user+sys CPU so far of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class SandboxProcess:
    """``rootctl sandbox serve --accounts N`` in its own process, with root access management
    enabled (``rootctl enable``) and then the given latency.

    ``env`` is what a client process needs: the endpoint and the management admin's keys, no
    profile, empty AWS config files, a fresh journal.
    """

    def __init__(
        self, accounts: int, *, latency_ms: float = 0.0, source: Path | None = None
    ) -> None:
        """``source``: a ``src/`` directory whose sandbox to serve instead of this tree's."""
        self.accounts = accounts
        self.latency_ms = latency_ms
        self.source = source
        self._tmp = tempfile.TemporaryDirectory(prefix="rootctl-bench-")
        self.env: dict[str, str] = {}
        self.endpoint = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> SandboxProcess:
        compile_as_installed(self.source)
        argv = [*ROOTCTL, "sandbox", "serve", "--port", "0", "--accounts", str(self.accounts)]
        self._process = subprocess.Popen(
            argv,
            env=self._base_env() | {"PYTHONUNBUFFERED": "1"} | self._pythonpath(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        exports = self._read_exports(self._process)
        self.endpoint = exports["AWS_ENDPOINT_URL"]
        self.env = self._base_env() | exports
        self.env["ROOTCTL_JOURNAL"] = str(Path(self._tmp.name) / "journal.sqlite3")
        enabled = measure([*ROOTCTL, "enable"], self.env)
        if enabled.returncode != 0:
            raise RuntimeError(f"rootctl enable failed: {enabled.stderr}")
        self.faults(latency_ms=self.latency_ms)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
        self._tmp.cleanup()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def tmp(self) -> Path:
        return Path(self._tmp.name)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def faults(self, **settings: Any) -> None:
        request = urllib.request.Request(  # noqa: S310 (the sandbox's own http:// endpoint)
            f"{self.endpoint}/_sandbox/faults",
            data=json.dumps(settings).encode(),
            method="PATCH",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()

    def _pythonpath(self) -> dict[str, str]:
        return {} if self.source is None else {"PYTHONPATH": str(self.source)}

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROOTCTL_"))}
        env.pop("PYTHONPATH", None)
        config = Path(self._tmp.name) / "aws-config"
        config.touch()
        return env | {
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(config),
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    @staticmethod
    def _read_exports(process: subprocess.Popen[str]) -> dict[str, str]:
        """The ``export NAME=value`` lines ``sandbox serve`` prints once it listens."""
        assert process.stdout is not None
        exports: dict[str, str] = {}
        for line in process.stdout:
            if match := re.match(r"export (\w+)=(\S+)", line):
                exports[match[1]] = match[2]
            if line.startswith("unset"):
                return exports
        raise RuntimeError(f"rootctl sandbox serve exited ({process.wait()}) before listening")
