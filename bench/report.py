"""The machine the benchmarks ran on, and bench/RESULTS.md (latest run + one line per run)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.scenarios import Result

RESULTS = Path(__file__).parent / "RESULTS.md"
HISTORY = "<!-- history: one line per run, appended by python -m bench -->"
NOTE = (
    "Against moto, wall time at zero latency measures mostly the sandbox: one server process, "
    "one GIL, ~2 ms of server CPU per request, ~150-300 requests/s. That is why benchmark 1 "
    "injects latency and benchmark 2 compares CPU, not wall time. The sandbox and the tool "
    "share the machine's cores, so CPU figures move by ~20% between runs when it is busy. "
    "rootctl's bytecode is compiled first, as pip does at install."
)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    try:
        aws_cli = subprocess.run(
            ["aws", "--version"], capture_output=True, text=True, check=False, timeout=30
        ).stdout.split()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        aws_cli = "aws CLI not found"
    packages = ", ".join(f"{p} {version(p)}" for p in ("rootctl", "boto3", "botocore", "moto"))
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"Python {sys.version.split()[0]}; {packages}; {aws_cli}"
    )


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    return result.stdout.strip() or "unknown"


def render(results: list[Result], when: datetime, host: str, commit: str) -> str:
    parts = [
        "# Benchmark results",
        "",
        "Written by `python -m bench` (see docs/benchmarks.md); the latest run first, then one "
        "line per run.",
        "",
        f"## Latest run: {when:%Y-%m-%d %H:%M} UTC, commit {commit}",
        "",
        f"Machine: {host}",
        "",
        NOTE,
        "",
    ]
    for result in results:
        verdict = "MET" if result.met else "MISSED"
        parts += [f"### {result.number}. {result.title}", ""]
        parts += [f"- {line}" for line in result.lines]
        parts += [f"- target: {result.target}: **{verdict}**", ""]
    return "\n".join(parts)


def summary_line(results: list[Result], when: datetime, commit: str) -> str:
    cells = []
    for r in results:
        figures = ", ".join(f"{k} {v:.3g}" for k, v in r.figures.items())
        cells.append(f"{r.number}: {'met' if r.met else 'MISSED'} ({figures})")
    return f"- {when:%Y-%m-%d %H:%M} {commit}: " + "; ".join(cells)


def write(results: list[Result], *, complete: bool) -> Path:
    """Append the run to the history; a ``complete`` run (all four) also becomes the "Latest
    run" section — a partial one must not replace the figures it did not measure."""
    when = datetime.now(UTC)
    commit = git_commit()
    old = RESULTS.read_text() if RESULTS.exists() else ""
    history = old.split(HISTORY, 1)[1].strip().splitlines() if HISTORY in old else []
    history.append(summary_line(results, when, commit))
    if complete or HISTORY not in old:
        text = render(results, when, machine(), commit) + "\n## History\n\n"
    else:
        text = old.split(HISTORY, 1)[0]
    RESULTS.write_text(f"{text}{HISTORY}\n" + "\n".join(history) + "\n")
    return RESULTS
