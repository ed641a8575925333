"""Time how long reading the organization takes (the critical path before an audit's fan-out):
``RootAccess().organization()`` in this process, against the environment's endpoint. Prints
JSON: seconds, accounts, OUs."""

from __future__ import annotations

import json
import time

import rootctl


def main() -> None:
    with rootctl.RootAccess(concurrency=32) as ra:
        ra.caller()  # the client set-up and the first connection are not the tree's cost
        started = time.perf_counter()
        org = ra.organization()
        elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "accounts": len(org.accounts), "ous": len(org.units)}))


if __name__ == "__main__":
    main()
