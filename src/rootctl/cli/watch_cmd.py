"""`rootctl watch`: check (and enforce) on a schedule; JSON lines on stderr, Prometheus
metrics on 127.0.0.1, alerts to webhooks and SNS (docs/cli.md)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

import click

import rootctl
from rootctl import validation
from rootctl.cli import inputs
from rootctl.cli.common import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    command,
    connection_options,
    engine,
)
from rootctl.cli.continuous_cmds import config_option
from rootctl.core.notify import Notifier
from rootctl.core.watch import Watch, WatchOptions, WatchStatus
from rootctl.render.metrics import CONTENT_TYPE, prometheus
from rootctl.render.text import json_text

METRICS_HOST = "127.0.0.1"  # metrics say which accounts have root credentials: never public


def _interval(value: str, what: str) -> timedelta:
    return validation.duration(value, what, minimum=timedelta(seconds=1))


def _notify(value: str, what: str) -> tuple[str, str]:
    return validation.notify_target(value, what)


def log_line(event: dict[str, Any]) -> None:
    """One JSON object per line on stderr: time, level, event, then the event's fields."""
    line = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "level": "info"}
    sys.stderr.write(json_text(line | event, indent=None) + "\n")
    sys.stderr.flush()


@click.command()
@config_option
@click.option(
    "--interval",
    default="15m",
    show_default=True,
    callback=inputs.option(_interval),
    help="Pause after each round: 90s, 15m, 1h … (at least 1s).",
)
@click.option(
    "--enforce", is_flag=True, help="Remove the violations rootctl.yaml marks auto_apply."
)
@click.option("--once", is_flag=True, help="One round, then exit 0 compliant / 1 not (for cron).")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    help=f"Serve Prometheus metrics on http://{METRICS_HOST}:PORT/metrics.",
)
@click.option(
    "--notify",
    multiple=True,
    metavar="TARGET",
    callback=lambda ctx, param, values: tuple(
        inputs.option(_notify)(ctx, param, v) for v in values
    ),
    help="webhook:URL (JSON, Slack-compatible text) or sns:TOPIC_ARN; repeatable.",
)
@connection_options
@command
def watch(
    config_path: str,
    interval: timedelta,
    enforce: bool,
    once: bool,
    metrics_port: int | None,
    notify: tuple[tuple[str, str], ...],
    **kwargs: Any,
) -> int:
    """Audit, compare with the last round, check, optionally enforce, alert — every
    --interval, until SIGTERM or Ctrl-C (which finish the account in hand). One watch per
    journal: a second one refuses to start."""
    state = rootctl.load_desired_state(config_path)
    stop = threading.Event()
    status = WatchStatus()
    with engine(kwargs) as ra, _signals(stop) as received, _metrics(metrics_port, status):
        notifier = Notifier(notify, ra.publish_alert) if notify else None
        options = WatchOptions(interval, enforce=enforce, once=once)
        watcher = Watch(
            ra, state, options, notifier=notifier, log=log_line, stop=stop, status=status
        )
        report = watcher.run()
    if received and received[0] == signal.SIGINT:
        return EXIT_INTERRUPTED
    if once and report is not None:
        return EXIT_OK if report.compliant else EXIT_FINDINGS
    return EXIT_OK


@contextmanager
def _signals(stop: threading.Event) -> Iterator[list[int]]:
    """SIGTERM and SIGINT set ``stop``: the round in hand winds down, then the watch ends."""
    received: list[int] = []

    def handle(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        log_line({"event": "signal", "signal": signal.Signals(signum).name})
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield received  # signals go to the main thread only (tests run us in-process)
        return
    previous = {s: signal.signal(s, handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _metrics(port: int | None, status: WatchStatus) -> Iterator[None]:
    if port is None:
        yield
        return

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            with status.lock:
                body = prometheus(status).encode()
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:  # scrapes are not log lines
            return

    try:
        server = ThreadingHTTPServer((METRICS_HOST, port), Handler)
    except OSError as exc:
        raise rootctl.InputError(
            f"cannot serve metrics on {METRICS_HOST}:{port}: {exc.strerror}."
        ) from None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    log_line({"event": "metrics", "url": f"http://{METRICS_HOST}:{server.server_port}/metrics"})
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
