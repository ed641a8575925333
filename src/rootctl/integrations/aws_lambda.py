"""The Lambda handler of the deployed stack (docs/deploy.md): one round of ``watch``.

Configuration comes from the function's environment, set by the stack:
``ROOTCTL_CONFIG`` (the rootctl.yaml text), ``ROOTCTL_JOURNAL`` (``dynamodb://TABLE``),
``ROOTCTL_TOPIC_ARN`` (alerts) and ``ROOTCTL_ENFORCE`` (``true``: remove the auto_apply
violations). The log lines are the watch's JSON lines, which CloudWatch Logs keeps.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import timedelta
from typing import Any

import rootctl
from rootctl.core.notify import Notifier
from rootctl.core.watch import Watch, WatchOptions
from rootctl.render.text import json_text


def _log(event: dict[str, Any]) -> None:
    sys.stdout.write(json_text({"level": "info"} | event, indent=None) + "\n")


def handler(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
    """Check (and enforce) once; returns the counts. ``event`` (schedule or account event) only
    says why it runs: every round checks the whole scope."""
    state = rootctl.parse_desired_state(
        os.environ.get("ROOTCTL_CONFIG", "version: 1\n"), "ROOTCTL_CONFIG"
    )
    journal = os.environ.get("ROOTCTL_JOURNAL")
    topic = os.environ.get("ROOTCTL_TOPIC_ARN")
    enforce = os.environ.get("ROOTCTL_ENFORCE", "false").lower() == "true"
    stop = threading.Event()
    with rootctl.RootAccess(journal=journal) as ra:
        notifier = Notifier([("sns", topic)], ra.publish_alert) if topic else None
        reason = (event or {}).get("detail", {}).get("eventName") or (event or {}).get(
            "detail-type"
        )
        _log({"event": "invoked", "reason": reason, "enforce": enforce})
        watch = Watch(
            ra,
            state,
            WatchOptions(timedelta(seconds=1), enforce=enforce, once=True),
            notifier=notifier,
            log=_log,
            stop=stop,
        )
        report = watch.run()
    if report is None:
        return {"compliant": False, "violations": None}
    return {
        "compliant": report.compliant,
        "accounts": len(report.accounts),
        "violations": len(report.violations),
        "removed": watch.status.removed,
    }
