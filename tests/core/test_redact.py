from __future__ import annotations

import io
import logging

from rootctl.aws.redact import SECRETS, ScrubbingFilter, enable_debug_logging

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=="


def test_scrubs_known_shapes():
    samples = [
        f"<SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken>",
        f"{{'SecretAccessKey': '{SECRET}', 'SessionToken': '{TOKEN}'}}",
        f'{{"SecretAccessKey": "{SECRET}", "SessionToken": "{TOKEN}"}}',
        f"headers={{'X-Amz-Security-Token': b'{TOKEN}', 'X': 'y'}}",
        f"x-amz-security-token:{TOKEN}\nhost:sts",
        f"aws_secret_access_key={SECRET!r}",
    ]
    for sample in samples:
        scrubbed = SECRETS.scrub(sample)
        assert SECRET not in scrubbed
        assert TOKEN not in scrubbed


def test_scrubs_registered_secrets_anywhere():
    SECRETS.add("s3cr3t-value-123")
    try:
        assert "s3cr3t" not in SECRETS.scrub("got s3cr3t-value-123 in a message")
    finally:
        SECRETS.discard("s3cr3t-value-123")
    assert SECRETS.scrub("s3cr3t-value-123") == "s3cr3t-value-123"


def test_filter_scrubs_args_and_exceptions():
    stream = io.StringIO()
    handler = enable_debug_logging(stream)
    try:
        log = logging.getLogger("botocore.test")
        log.debug("Response body: %s", f"<SessionToken>{TOKEN}</SessionToken>".encode())
        try:
            raise ValueError(f"<SecretAccessKey>{SECRET}</SecretAccessKey>")
        except ValueError:
            log.exception("boom")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
    text = stream.getvalue()
    assert "Response body" in text
    assert "boom" in text
    assert TOKEN not in text
    assert SECRET not in text
    assert any(isinstance(f, ScrubbingFilter) for f in handler.filters)


def test_root_session_never_shows_its_keys():
    from rootctl.aws.root_session import RootSession
    from rootctl.aws.session import AwsSession, ConnectionOptions
    from rootctl.models import TaskPolicy

    aws = AwsSession(ConnectionOptions(region="us-east-1"))
    session = RootSession(aws, "222222222222", TaskPolicy.AUDIT, "ASIAEXAMPLE", SECRET, TOKEN, None)
    for text in (repr(session), str(session), f"{session!r}"):
        assert SECRET not in text
        assert TOKEN not in text
        assert "<redacted>" in text
    session.close()
    assert session._frozen is None
    assert not aws.root_credentials.bound_to(session)
