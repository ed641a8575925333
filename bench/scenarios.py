"""The benchmarks of issues 6 and 10, and the sandbox's throughput (6, issue 12). Each returns
a ``Result``: figures, target, verdict.

Against moto, wall time at zero latency measures mostly the sandbox (one process, one GIL,
~2.5–3.3 ms of server CPU per request): the tool's own cost is its CPU per account.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import ROOTCTL, Measured, SandboxProcess, measure

HERE = Path(__file__).parent
CALLS_PER_ACCOUNT = 5  # AssumeRoot + 4 IAM reads (GetAccessKeyLastUsed per key comes on top)


@dataclass
class Result:
    number: int
    title: str
    lines: list[str]
    target: str
    met: bool
    figures: dict[str, float] = field(default_factory=dict)


def audit(sandbox: SandboxProcess, concurrency: int) -> Measured:
    argv = [*ROOTCTL, "audit", "--all", "-o", "json", "--concurrency", str(concurrency)]
    run = measure(argv, sandbox.env)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"rootctl audit exited {run.returncode}: {run.stderr[-2000:]}")
    summary = json.loads(run.stdout)["summary"]
    if summary["failed"] or summary["not_run"]:
        raise RuntimeError(f"rootctl audit did not audit every account: {summary}")
    return run


def members(run: Measured) -> int:
    """Accounts the audit worked on (audited, not skipped)."""
    return int(json.loads(run.stdout)["summary"]["audited"])


def latency_hiding(accounts: int = 400, latency_ms: float = 250, concurrency: int = 32) -> Result:
    with SandboxProcess(accounts, latency_ms=latency_ms) as sandbox:
        before = sandbox.cpu_seconds()
        run = audit(sandbox, concurrency)
        sandbox_cpu = sandbox.cpu_seconds() - before
    ideal = math.ceil(accounts / concurrency) * CALLS_PER_ACCOUNT * latency_ms / 1000
    ratio = run.wall_s / ideal
    return Result(
        1,
        f"Latency hiding: {accounts} accounts, {latency_ms:g} ms per call, C={concurrency}",
        [
            f"rootctl wall {run.wall_s:.2f} s; ideal ceil(N/C) x 5 x {latency_ms:g} ms = "
            f"{ideal:.2f} s; ratio {ratio:.3f}",
            f"rootctl CPU {run.cpu_s:.2f} s ({run.cpu_s / run.wall_s:.0%} of one core); "
            f"{members(run)} accounts audited",
            f"sandbox CPU {sandbox_cpu:.2f} s = {sandbox_cpu / run.wall_s:.0%} of one core "
            "over the run: it is not the bottleneck",
        ],
        "wall <= 1.25 x ideal",
        ratio <= 1.25,
        {"wall_s": run.wall_s, "ideal_s": ideal, "ratio": ratio, "sandbox_cpu_s": sandbox_cpu},
    )


def tool_cpu(accounts: int = 1000, concurrency: int = 32, runs: int = 1) -> Result:
    floor_argv = [sys.executable, str(HERE / "boto3_floor.py"), "--concurrency", str(concurrency)]
    with SandboxProcess(accounts) as sandbox:
        tool_runs = [audit(sandbox, concurrency) for _ in range(runs)]
        floor_runs = [measure(floor_argv, sandbox.env) for _ in range(runs)]
    for floor in floor_runs:
        if floor.returncode != 0:
            raise RuntimeError(f"boto3 floor failed: {floor.stderr[-2000:]}")
    n = members(tool_runs[0])
    floor_n = json.loads(floor_runs[0].stdout)["accounts"]
    tool_ms = min(r.cpu_s for r in tool_runs) / n * 1000
    floor_ms = min(r.cpu_s for r in floor_runs) / floor_n * 1000
    ratio = tool_ms / floor_ms
    best = f"best of {runs} runs each; " if runs > 1 else ""
    return Result(
        2,
        f"Tool CPU per account: audit of {accounts} accounts, C={concurrency}, no latency",
        [
            f"rootctl {tool_ms:.1f} ms CPU/account ({n} accounts, "
            f"wall {tool_runs[0].wall_s:.1f} s, peak RSS {tool_runs[0].peak_rss_mb:.0f} MB)",
            f"boto3 floor {floor_ms:.1f} ms CPU/account ({floor_n} accounts, "
            f"wall {floor_runs[0].wall_s:.1f} s, peak RSS {floor_runs[0].peak_rss_mb:.0f} MB)",
            f"{best}ratio rootctl/floor {ratio:.3f} (process start-up included in both; the floor "
            "builds an IAM client per account, as plain boto3 code does; rootctl reuses one per "
            "worker thread)",
        ],
        "rootctl <= 1.3 x floor",
        ratio <= 1.3,
        {"rootctl_ms": tool_ms, "floor_ms": floor_ms, "ratio": ratio},
    )


def versus_aws_cli(accounts: int = 50) -> Result:
    with SandboxProcess(accounts) as sandbox:
        tool = audit(sandbox, 16)
        loop = measure(["bash", str(HERE / "aws_cli_loop.sh")], sandbox.env)
    if loop.returncode != 0:
        raise RuntimeError(f"aws CLI loop failed: {loop.stderr[-2000:]}")
    looped = len(loop.stdout.splitlines())
    ratio = loop.wall_s / tool.wall_s
    return Result(
        3,
        f"Against a sequential aws CLI loop: {accounts} accounts, no latency",
        [
            f"aws CLI loop (assume-root + 4 iam calls per account, {looped} accounts): "
            f"wall {loop.wall_s:.1f} s",
            f"rootctl audit (default concurrency 16, {members(tool)} accounts): "
            f"wall {tool.wall_s:.2f} s",
            f"rootctl is {ratio:.0f}x faster",
        ],
        "rootctl >= 50x faster",
        ratio >= 50,
        {"loop_s": loop.wall_s, "rootctl_s": tool.wall_s, "ratio": ratio},
    )


def growth(sizes: tuple[int, ...] = (500, 1000, 2000, 5000), concurrency: int = 32) -> Result:
    rows: list[tuple[int, Measured, float]] = []
    for size in sizes:
        with SandboxProcess(size) as sandbox:
            before = sandbox.cpu_seconds()
            run = audit(sandbox, concurrency)
            rows.append((members(run), run, sandbox.cpu_seconds() - before))
    xs = [float(n) for n, _, _ in rows]
    ys = [run.wall_s for _, run, _ in rows]
    slope, intercept = statistics.linear_regression(xs, ys)
    r2 = statistics.correlation(xs, ys) ** 2 if len(rows) > 2 else 1.0
    lines = [
        f"{n:>5} accounts: wall {run.wall_s:6.1f} s = {run.wall_s / n * 1000:5.1f} ms/account; "
        f"rootctl CPU {run.cpu_s / n * 1000:4.1f} ms/account, peak RSS {run.peak_rss_mb:5.0f} MB; "
        f"sandbox CPU {sandbox_cpu / run.wall_s:.0%} of a core"
        for n, run, sandbox_cpu in rows
    ]
    lines.append(
        f"slope {slope * 1000:.2f} ms/account, intercept {intercept:.2f} s, linearity R^2 "
        f"{r2:.4f} (at zero latency the wall time is the sandbox's: one moto process)"
    )
    largest_rss = rows[-1][1].peak_rss_mb
    return Result(
        4,
        f"Growth and memory: {', '.join(str(s) for s in sizes)} accounts, no latency, "
        f"C={concurrency}",
        lines,
        f"linear (R^2 >= 0.99); peak RSS < 300 MB at {sizes[-1]}",
        r2 >= 0.99 and largest_rss < 300,
        {"slope_ms": slope * 1000, "r2": r2, "peak_rss_mb": largest_rss},
    )


def org_read_seconds(sandbox: SandboxProcess) -> float:
    """How long reading the organization takes (the critical path before any fan-out)."""
    org_run = measure([sys.executable, str(HERE / "org_read.py")], sandbox.env)
    if org_run.returncode != 0:
        raise RuntimeError(f"organization read failed: {org_run.stderr[-2000:]}")
    return float(json.loads(org_run.stdout)["seconds"])


def round_trips(accounts: int = 400, latency_ms: float = 250, concurrency: int = 32) -> Result:
    """Issue 10: an account costs AssumeRoot + one round of concurrent IAM reads (2 round
    trips), so the audit should take about the organization read plus ceil(N/C) x 2 x L."""
    latency = latency_ms / 1000
    with SandboxProcess(accounts, latency_ms=latency_ms) as sandbox:
        org_read = org_read_seconds(sandbox)
        before = sandbox.cpu_seconds()
        run = audit(sandbox, concurrency)
        sandbox_cpu = sandbox.cpu_seconds() - before
    # The ideal. The capability check (ListOrganizationsFeatures) no longer adds a
    # round trip: it is read alongside the organization.
    ideal = org_read + math.ceil(accounts / concurrency) * 2 * latency
    ratio = run.wall_s / ideal
    five = math.ceil(accounts / concurrency) * CALLS_PER_ACCOUNT * latency
    return Result(
        5,
        f"Round trips per account: {accounts} accounts, {latency_ms:g} ms per call, "
        f"C={concurrency}",
        [
            f"organization read (critical path, measured) {org_read:.2f} s",
            f"rootctl wall {run.wall_s:.2f} s; ideal org read + ceil(N/C) x 2 x "
            f"{latency_ms:g} ms = {ideal:.2f} s; ratio {ratio:.3f}",
            f"the same audit with the 5 sequential round trips of before would need at least "
            f"{org_read + five:.2f} s",
            f"rootctl CPU {run.cpu_s:.2f} s ({run.cpu_s / members(run) * 1000:.1f} ms/account); "
            f"sandbox CPU {sandbox_cpu / run.wall_s:.0%} of a core",
        ],
        "wall <= 1.25 x ideal",
        ratio <= 1.25,
        {"wall_s": run.wall_s, "ideal_s": ideal, "ratio": ratio, "org_read_s": org_read},
    )


def sandbox_throughput(**kwargs: Any) -> Result:
    from bench.sandbox_throughput import scenario

    result: Result = scenario(**kwargs)
    return result


ALL: dict[int, Callable[..., Result]] = {
    1: latency_hiding,
    2: tool_cpu,
    3: versus_aws_cli,
    4: growth,
    5: round_trips,
    6: sandbox_throughput,
}


def _register_more() -> None:
    from bench.lockouts import find_lockouts  # its own module: it imports Result from here
    from bench.rendering import history, rendering

    ALL[7] = find_lockouts
    ALL[8] = rendering
    ALL[9] = history


_register_more()
