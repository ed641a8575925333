"""Scale benchmark of the sandbox (issue 2, "Scale"): prints figures and ratios, asserts nothing.

    python bench/sandbox_scale.py [--small 50] [--large 5000] [--repeat 300] [--rounds 3]

1. Seeding: time to build a generated organization of --large accounts in-process (goal < 15 s).
2. Per-request cost at --small vs --large accounts, in-process and over HTTP, for the calls a
   root-access tool makes (goal: large/small ≤ 1.5). At the large size the benchmark first
   opens root sessions in many accounts, so moto holds thousands of per-account backends —
   the situation in which a per-request scan over accounts would show.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from rootctl.sandbox import Sandbox

AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
CONFIG = Config(retries={"total_max_attempts": 1})
SESSION: Any = boto3.Session(botocore_session=botocore.session.get_session())


def _client(service: str, endpoint: str | None, creds: dict[str, str]) -> Any:
    return SESSION.client(
        service, region_name="us-east-1", endpoint_url=endpoint, config=CONFIG, **creds
    )


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    for _ in range(min(20, repeat)):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _workload(
    sb: Sandbox, endpoint: str | None, warm_sessions: int
) -> dict[str, Callable[[], object]]:
    admin = sb.admin_credentials()
    keys = {
        "aws_access_key_id": admin.access_key_id,
        "aws_secret_access_key": admin.secret_access_key,
    }
    org = _client("organizations", endpoint, keys)
    org.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam = _client("iam", endpoint, keys)
    iam.enable_organizations_root_credentials_management()
    sts = _client("sts", endpoint, keys)
    members = [a.account_id for a in sb.accounts() if not a.is_management and a.status == "ACTIVE"]
    # Touch many accounts first: every AssumeRoot creates per-account state in moto.
    for account_id in members[:warm_sessions]:
        sts.assume_root(TargetPrincipal=account_id, TaskPolicyArn={"arn": AUDIT})
    target = members[len(members) // 2]
    credentials = sts.assume_root(TargetPrincipal=target, TaskPolicyArn={"arn": AUDIT})[
        "Credentials"
    ]
    session_keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    root_iam = _client("iam", endpoint, session_keys)
    return {
        "sts:GetCallerIdentity (admin)": sts.get_caller_identity,
        "sts:AssumeRoot": lambda: sts.assume_root(
            TargetPrincipal=target, TaskPolicyArn={"arn": AUDIT}
        ),
        "iam:ListOrganizationsFeatures": iam.list_organizations_features,
        "iam:GetUser (root session)": root_iam.get_user,
        "iam:GetAccountSummary (root session)": root_iam.get_account_summary,
        "organizations:DescribeAccount": lambda: org.describe_account(AccountId=target),
        "organizations:ListAccounts (1 page)": lambda: org.list_accounts(MaxResults=20),
    }


def _measure(size: int, repeat: int, mode: str) -> dict[str, float]:
    sb = Sandbox.generated(size, seed=1)
    warm = min(size - 5, 1000)
    if mode == "in-process":
        with sb.in_process():
            calls = _workload(sb, None, warm)
            return {name: _median_ms(call, repeat) for name, call in calls.items()}
    with sb.serve() as server:
        calls = _workload(sb, server.endpoint_url, warm)
        return {name: _median_ms(call, repeat) for name, call in calls.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    Sandbox.example()  # imports and first-use costs out of the way
    started = time.perf_counter()
    Sandbox.generated(args.large, seed=1)
    seeding = time.perf_counter() - started
    print(f"seeding {args.large} accounts in-process: {seeding:.2f} s (goal < 15 s)")

    worst = 0.0
    for mode in ("in-process", "HTTP"):
        # Alternate the sizes over rounds and keep the median: one busy moment on a shared
        # machine must not decide a ratio.
        rounds = [
            (_measure(args.small, args.repeat, mode), _measure(args.large, args.repeat, mode))
            for _ in range(args.rounds)
        ]
        small = {n: statistics.median(r[0][n] for r in rounds) for n in rounds[0][0]}
        large = {n: statistics.median(r[1][n] for r in rounds) for n in rounds[0][1]}
        print(f"\n{mode}: median ms per request, {args.small} vs {args.large} accounts")
        print(f"  {'call':40} {args.small:>8} {args.large:>8}  ratio")
        for name in small:
            ratio = large[name] / small[name]
            worst = max(worst, ratio)
            print(f"  {name:40} {small[name]:8.2f} {large[name]:8.2f}  {ratio:5.2f}")
    print(f"\nworst ratio {worst:.2f} (goal <= 1.5)")


if __name__ == "__main__":
    main()
