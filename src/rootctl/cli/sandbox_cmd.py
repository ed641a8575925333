"""`rootctl sandbox …`: run the offline emulator of the AWS side."""

from __future__ import annotations

import click


@click.group()
def sandbox() -> None:
    """Run the offline AWS sandbox (Organizations, IAM, STS, S3, SQS on moto)."""
