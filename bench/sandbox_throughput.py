"""Sandbox throughput: requests answered per second of the server's CPU, on the audit workload.

    python bench/sandbox_throughput.py [--accounts 1000] [--concurrency 16] [--baseline REV]

The server is ``rootctl sandbox serve --accounts N`` in its own process (``bench.procs``); the
workload is benchmark 2's floor (``bench/boto3_floor.py``: the audit's calls from a thread
pool, one shared boto3 session, an IAM client per root session, as rootctl makes them), its
requests counted. It runs twice on the same machine: against the server of ``--baseline``
(a git revision, exported to a temporary directory) and against this tree's. The figure is
requests / server CPU seconds (user + sys, from /proc), i.e. requests per second per core:
the client's own CPU is not counted, so the two share the machine's cores fairly.

``python -m bench --only 6`` runs it as benchmark 6.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINE = "0a9c0a8"  # before keep-alive and the per-request savings


# --- the client: the audit workload, counting its requests ---------------------------------------


def client_main(concurrency: int) -> None:
    """Run the workload against ``AWS_ENDPOINT_URL``; print ``{accounts, requests, wall_s}``."""
    from concurrent.futures import ThreadPoolExecutor

    from bench import boto3_floor as floor

    lock = threading.Lock()
    sent = [0]

    def count(**_: Any) -> None:
        with lock:
            sent[0] += 1

    floor.SESSION.events.register("before-send", count)
    started = time.perf_counter()
    floor.sts().get_caller_identity()
    floor.client("iam").list_organizations_features()
    accounts = floor.member_accounts()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(floor.audit, accounts))
    wall = time.perf_counter() - started
    print(json.dumps({"accounts": len(accounts), "requests": sent[0], "wall_s": wall}))


# --- the server, from this tree or from a baseline revision -------------------------------------


def export_revision(revision: str, into: Path) -> Path:
    """``src/`` of ``revision`` (git archive), for running its server."""
    archive = subprocess.run(
        ["git", "archive", revision, "src"], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(into, filter="data")
    return into / "src"


@dataclass(frozen=True)
class Run:
    label: str
    requests: int
    accounts: int
    server_cpu_s: float
    wall_s: float

    @property
    def per_core(self) -> float:
        """Requests per second of server CPU: requests per second per core."""
        return self.requests / self.server_cpu_s


def measure(label: str, source: Path | None, accounts: int, concurrency: int) -> Run:
    """Serve ``accounts`` accounts from ``source`` (None: this tree), run the workload."""
    from bench.procs import SandboxProcess

    workload = [sys.executable, "-m", "bench.sandbox_throughput", "client"]
    with SandboxProcess(accounts, source=source) as sandbox:
        before = sandbox.cpu_seconds()
        done = subprocess.run(
            [*workload, "--concurrency", str(concurrency)],
            cwd=REPO,
            env=sandbox.env,
            capture_output=True,
            text=True,
            check=False,
        )
        server_cpu = sandbox.cpu_seconds() - before
    if done.returncode != 0:
        raise RuntimeError(f"the workload failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    return Run(label, result["requests"], result["accounts"], server_cpu, result["wall_s"])


def compare(
    accounts: int = 1000, concurrency: int = 16, baseline: str = BASELINE, rounds: int = 3
) -> list[tuple[Run, Run]]:
    """(baseline run, this tree's run) pairs, the same workload on the same machine, in turn
    (baseline, tree, baseline, tree …) so that a busy moment weighs on both."""
    pairs: list[tuple[Run, Run]] = []
    with tempfile.TemporaryDirectory(prefix="rootctl-baseline-") as tmp:
        source = export_revision(baseline, Path(tmp))
        for _ in range(rounds):
            before = measure(f"baseline {baseline}", source, accounts, concurrency)
            after = measure("this tree", None, accounts, concurrency)
            pairs.append((before, after))
    return pairs


def scenario(accounts: int = 1000, concurrency: int = 16, rounds: int = 3) -> Any:
    """Benchmark 6 of ``python -m bench``: a ``bench.scenarios.Result``."""
    from bench.scenarios import Result

    pairs = compare(accounts, concurrency, BASELINE, rounds)
    before = statistics.median(b.per_core for b, _ in pairs)
    after = statistics.median(a.per_core for _, a in pairs)
    ratio = statistics.median(a.per_core / b.per_core for b, a in pairs)
    requests = pairs[0][1].requests
    return Result(
        6,
        f"Sandbox throughput: the audit's requests ({requests} for {accounts} accounts, "
        f"C={concurrency}) per second of server CPU, {rounds} rounds in turn",
        [
            f"before ({BASELINE}: werkzeug closing every connection, moto's Flask app): "
            f"{before:.0f} requests/s per core (median)",
            f"after (keep-alive HTTP/1.1, direct dispatch, leaner moto path): "
            f"{after:.0f} requests/s per core (median)",
            "per-round ratios after/before: "
            + ", ".join(f"{a.per_core / b.per_core:.2f}" for b, a in pairs)
            + f"; median {ratio:.2f}",
        ],
        "after >= 2 x before (requests per second per core)",
        ratio >= 2,
        {"before_rps": before, "after_rps": after, "ratio": ratio},
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    client = sub.add_parser("client", help="run the workload (internal)")
    client.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if str(REPO) not in sys.path:  # run as a script: the bench package is the repository's
        sys.path.insert(0, str(REPO))
    if args.command == "client":
        client_main(args.concurrency)
        return
    pairs = compare(args.accounts, args.concurrency, args.baseline, args.rounds)
    for before, after in pairs:
        for run in (before, after):
            print(
                f"{run.label:20} {run.requests:6} requests, server CPU {run.server_cpu_s:6.2f} s, "
                f"{run.per_core:6.0f} requests/s per core, wall {run.wall_s:6.1f} s"
            )
    ratio = statistics.median(after.per_core / before.per_core for before, after in pairs)
    print(f"median ratio, this tree / baseline: {ratio:.2f}")


if __name__ == "__main__":
    main()
