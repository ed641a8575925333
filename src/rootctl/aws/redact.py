"""Keep AssumeRoot secrets out of logs.

botocore's DEBUG logging prints raw response bodies (which hold ``SecretAccessKey`` and
``SessionToken``), request headers (``X-Amz-Security-Token``) and the canonical request used for
signing. Whenever rootctl turns on debug logging it installs :class:`ScrubbingFilter` on the
handler; the filter masks both the patterns AWS uses and every secret a live root session holds.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import IO

MASK = "<redacted>"

_PATTERNS = (
    # Query/XML responses (STS AssumeRoot, AssumeRole …)
    re.compile(r"(<(SecretAccessKey|SessionToken)>)[^<]*(</\2>)", re.IGNORECASE),
    # JSON bodies and Python reprs of parsed responses
    re.compile(
        r"""(['"]?(?:SecretAccessKey|SessionToken|aws_secret_access_key|aws_session_token)"""
        r"""['"]?\s*[:=]\s*b?['"])[^'"]*(['"])""",
        re.IGNORECASE,
    ),
    # Request headers as botocore logs them, and the canonical request for SigV4
    re.compile(r"""(X-Amz-Security-Token['"]?\s*:\s*b?['"]?)[^'",}\s]+""", re.IGNORECASE),
    re.compile(r"(x-amz-security-token:)\S+", re.IGNORECASE),
    re.compile(r"(X-Amz-Security-Token=)[^&\s'\"]+", re.IGNORECASE),
)


class SecretRegistry:
    """Secrets of the root sessions alive right now, so logs can be scrubbed of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()

    def add(self, *secrets: str) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s)

    def discard(self, *secrets: str) -> None:
        with self._lock:
            self._secrets.difference_update(secrets)

    def scrub(self, text: str) -> str:
        for pattern in _PATTERNS:
            text = pattern.sub(_mask_match, text)
        with self._lock:
            live = tuple(self._secrets)
        for secret in live:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


def _mask_match(match: re.Match[str]) -> str:
    groups = match.groups()
    if len(groups) >= 3:  # XML: <Tag>…</Tag>
        return f"{groups[0]}{MASK}{groups[2]}"
    if len(groups) == 2:  # key: 'value'
        return f"{groups[0]}{MASK}{groups[1]}"
    return f"{groups[0]}{MASK}"


SECRETS = SecretRegistry()


class ScrubbingFilter(logging.Filter):
    """A handler filter that rewrites each record with its secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = SECRETS.scrub(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Exceptions are formatted later by the handler; pre-format them scrubbed.
            formatter = logging.Formatter()
            scrubbed += "\n" + SECRETS.scrub(formatter.formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg = scrubbed
        record.args = None
        return True


def enable_debug_logging(stream: IO[str] | None = None) -> logging.Handler:
    """Send DEBUG logs of rootctl and botocore to ``stream`` (stderr), secrets scrubbed."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(ScrubbingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return handler
