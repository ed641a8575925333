"""The floor for benchmark 2: the audit's AWS calls made by the leanest reasonable boto3 code.

    python bench/boto3_floor.py [--concurrency 32]   (AWS_* environment points at the sandbox)

The same calls as ``rootctl audit --all``: the caller and the organization's features, the
organization tree (root → OUs → accounts), then per member account one AssumeRoot
(IAMAuditRootUserCredentials) and GetLoginProfile, ListAccessKeys (+ GetAccessKeyLastUsed per
key), ListMFADevices, ListSigningCertificates. Same concurrency model as rootctl: a thread pool
of C workers, one shared ``boto3.Session``, caller clients per worker thread, one IAM client
per root session. No models, no rendering beyond one JSON line: that is the point of a floor.
"""

from __future__ import annotations

import argparse
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config

AUDIT_TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
SESSION = boto3.Session()
CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 8}, max_pool_connections=64)
LOCK = threading.Lock()  # boto3.Session is not thread-safe for client creation
LOCAL = threading.local()


def client(service: str, **credentials: str) -> Any:
    with LOCK:
        return SESSION.client(service, config=CONFIG, **credentials)  # type: ignore[call-overload]


def sts() -> Any:
    if not hasattr(LOCAL, "sts"):
        LOCAL.sts = client("sts")
    return LOCAL.sts


def member_accounts() -> list[str]:
    org = client("organizations")
    management = org.describe_organization()["Organization"]["MasterAccountId"]
    parents = [r["Id"] for r in org.list_roots()["Roots"]]
    accounts: list[dict[str, Any]] = []
    while parents:
        parent = parents.pop(0)
        for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            accounts += page["Accounts"]
        for page in org.get_paginator("list_organizational_units_for_parent").paginate(
            ParentId=parent
        ):
            parents += [ou["Id"] for ou in page["OrganizationalUnits"]]
    return [a["Id"] for a in accounts if a["Id"] != management and a["Status"] == "ACTIVE"]


def audit(account_id: str) -> bool:
    creds = sts().assume_root(
        TargetPrincipal=account_id, TaskPolicyArn={"arn": AUDIT_TASK}, DurationSeconds=180
    )["Credentials"]
    iam = client(
        "iam",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    try:
        found = bool(iam.get_login_profile()["LoginProfile"])
    except iam.exceptions.NoSuchEntityException:
        found = False
    for key in iam.list_access_keys()["AccessKeyMetadata"]:
        iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        found = True
    found |= bool(iam.list_mfa_devices()["MFADevices"])
    found |= bool(iam.list_signing_certificates()["Certificates"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    sts().get_caller_identity()
    client("iam").list_organizations_features()
    accounts = member_accounts()
    with ThreadPoolExecutor(args.concurrency) as pool:
        found = list(pool.map(audit, accounts))
    print(json.dumps({"accounts": len(accounts), "with_root_credentials": sum(found)}))


if __name__ == "__main__":
    main()
