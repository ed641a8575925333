"""Sandbox throughput: requests answered per second of the server's CPU, on the audit workload.

    python bench/sandbox_throughput.py [--accounts 1000] [--concurrency 16] [--baseline REV]

The server is ``rootctl sandbox serve --accounts N`` in its own process; the workload is the
audit's calls (the caller and features, the organization tree, then per member account
AssumeRoot + GetLoginProfile, ListAccessKeys (+ GetAccessKeyLastUsed per key),
ListMFADevices, ListSigningCertificates) from a thread pool, one shared boto3 session, as
rootctl makes them. It runs twice on the same machine: against the server of ``--baseline``
(a git revision, exported to a temporary directory) and against this tree's. The figure is
requests / server CPU seconds (user + sys, from /proc), i.e. requests per second per core:
the client's own CPU is not counted, so the two share the machine's cores fairly.

``python -m bench --only 6`` runs it as benchmark 6.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AUDIT_TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
BASELINE = "0a9c0a8"  # before keep-alive and the per-request savings
TICKS = os.sysconf("SC_CLK_TCK")


# --- the client: the audit workload, counting its requests ---------------------------------------


def client_main(concurrency: int) -> None:
    """Run the workload against ``AWS_ENDPOINT_URL``; print ``{accounts, requests, wall_s}``."""
    import boto3
    from botocore.config import Config

    session = boto3.Session()
    config = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=64)
    lock = threading.Lock()
    local = threading.local()
    sent = [0]

    def count(**_: Any) -> None:
        with lock:
            sent[0] += 1

    session.events.register("before-send", count)

    def client(service: str, **credentials: str) -> Any:
        with lock:  # boto3.Session is not thread-safe for client creation
            return session.client(service, config=config, **credentials)  # type: ignore[call-overload]

    def sts() -> Any:
        if not hasattr(local, "sts"):
            local.sts = client("sts")
        return local.sts

    def members() -> list[str]:
        org = client("organizations")
        management = org.describe_organization()["Organization"]["MasterAccountId"]
        accounts = [
            a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]
        ]
        return [a["Id"] for a in accounts if a["Id"] != management and a["Status"] == "ACTIVE"]

    def audit(account_id: str) -> None:
        creds = sts().assume_root(
            TargetPrincipal=account_id, TaskPolicyArn={"arn": AUDIT_TASK}, DurationSeconds=180
        )["Credentials"]
        iam = client(
            "iam",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        with contextlib.suppress(iam.exceptions.NoSuchEntityException):
            iam.get_login_profile()
        for key in iam.list_access_keys()["AccessKeyMetadata"]:
            iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        iam.list_mfa_devices()
        iam.list_signing_certificates()

    started = time.perf_counter()
    sts().get_caller_identity()
    client("iam").list_organizations_features()
    accounts = members()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(audit, accounts))
    wall = time.perf_counter() - started
    print(json.dumps({"accounts": len(accounts), "requests": sent[0], "wall_s": wall}))


# --- the server, from this tree or from a baseline revision -------------------------------------


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROOTCTL_"))}
    env.pop("PYTHONPATH", None)
    config = tmp / "aws-config"
    config.touch()
    return env | {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(config),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


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
    with tempfile.TemporaryDirectory(prefix="rootctl-throughput-") as tmp_name:
        tmp = Path(tmp_name)
        env = _clean_env(tmp)
        server_env = env | {"PYTHONUNBUFFERED": "1"}
        if source is not None:
            server_env["PYTHONPATH"] = str(source)
        argv = [sys.executable, "-m", "rootctl", "sandbox", "serve", "--port", "0"]
        server = subprocess.Popen(
            [*argv, "--accounts", str(accounts)],
            env=server_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            exports = _read_exports(server)
            client_env = env | exports
            _enable(client_env)
            before = _cpu_seconds(server.pid)
            done = subprocess.run(
                [sys.executable, __file__, "client", "--concurrency", str(concurrency)],
                env=client_env,
                capture_output=True,
                text=True,
                check=False,
            )
            server_cpu = _cpu_seconds(server.pid) - before
        finally:
            server.terminate()
            server.wait(timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"the workload failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    return Run(label, result["requests"], result["accounts"], server_cpu, result["wall_s"])


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


def _enable(env: dict[str, str]) -> None:
    """IAM trusted access and root credentials management, as the management admin."""
    import boto3

    keys: dict[str, Any] = {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "region_name": "us-east-1",
    }
    organizations: Any = boto3.client("organizations", **keys)
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam: Any = boto3.client("iam", **keys)
    iam.enable_organizations_root_credentials_management()


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
