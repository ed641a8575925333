"""STS: ``AssumeRoot`` and the root session's caller identity."""
