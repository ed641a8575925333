"""Issue 16: `find-lockouts` on a 300-account organization. Per account it opens an
S3UnlockBucketPolicy session (AssumeRoot, ListBuckets, then every GetBucketPolicy side by side)
and then an SQSUnlockQueuePolicy session (AssumeRoot, ListQueues, every GetQueueAttributes side
by side): 4 round trips for an account with no bucket or queue, 6 when it holds both. The ideal
is the organization read, the two capability checks, then ceil(N/C) x 4 round trips."""

from __future__ import annotations

import json
import math

from bench.procs import ROOTCTL, SandboxProcess, measure
from bench.scenarios import Result, org_read_seconds

ROUND_TRIPS = 4


def find_lockouts(accounts: int = 300, latency_ms: float = 100, concurrency: int = 32) -> Result:
    latency = latency_ms / 1000
    with SandboxProcess(accounts, latency_ms=latency_ms) as sandbox:
        org_read = org_read_seconds(sandbox)
        argv = [*ROOTCTL, "find-lockouts", "--all", "-o", "json", "--concurrency", str(concurrency)]
        run = measure(argv, sandbox.env)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"rootctl find-lockouts exited {run.returncode}: {run.stderr[-2000:]}")
    document = json.loads(run.stdout)
    rows = [a for a in document["accounts"] if a["state"] != "skipped"]
    if any(a["state"] in ("failed", "incomplete", "not-run") for a in rows):
        raise RuntimeError("find-lockouts did not read every account")
    # AssumeRoot twice, one listing per kind and Region, one read per resource
    calls = sum(2 + sum(1 + s["resources"] for s in a["scans"]) for a in rows)
    ideal = org_read + 2 * latency + math.ceil(len(rows) / concurrency) * ROUND_TRIPS * latency
    ratio = run.wall_s / ideal
    return Result(
        7,
        f"find-lockouts: {accounts} accounts, {latency_ms:g} ms per call, C={concurrency}",
        [
            f"{len(rows)} accounts read, {document['summary']['findings']} lock-out(s) found; "
            f"{calls / len(rows):.2f} calls per account",
            f"rootctl wall {run.wall_s:.2f} s; ideal org read {org_read:.2f} s + 2 x L + "
            f"ceil(N/C) x {ROUND_TRIPS} x {latency_ms:g} ms = {ideal:.2f} s; ratio {ratio:.3f}",
            f"rootctl CPU {run.cpu_s:.2f} s ({run.cpu_s / len(rows) * 1000:.1f} ms/account)",
        ],
        "wall <= 1.35 x ideal (accounts holding a bucket and a queue need 6 round trips)",
        ratio <= 1.35,
        {
            "wall_s": run.wall_s,
            "ideal_s": ideal,
            "ratio": ratio,
            "calls_per_account": calls / len(rows),
        },
    )
