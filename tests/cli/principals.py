"""IAM principals of the management account for CLI runs: a new user or a role session
holding a given policy, as the environment of a ``Cli`` call (its keys)."""

from __future__ import annotations

import json

import boto3

from tests.cli.conftest import MANAGEMENT, Cli


def new_user(cli: Cli, name: str, policy: str) -> tuple[str, dict[str, str]]:
    """A new IAM user with ``policy`` put inline (PutUserPolicy): its ARN and environment."""
    iam = boto3.client(
        "iam", endpoint_url=cli.aws.endpoint_url, **cli.sandbox.admin_credentials().boto3_kwargs()
    )
    arn = str(iam.create_user(UserName=name)["User"]["Arn"])
    iam.put_user_policy(UserName=name, PolicyName="rootctl", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    return arn, env


def role_session(cli: Cli, role: str, path: str, policy: str, session: str) -> dict[str, str]:
    """A new role (under ``path``) holding ``policy``, assumed by the admin: the session's
    environment."""
    admin = cli.sandbox.admin_credentials().boto3_kwargs()
    iam = boto3.client("iam", endpoint_url=cli.aws.endpoint_url, **admin)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName=role, Path=path, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=role, PolicyName="rootctl", PolicyDocument=policy)
    sts = boto3.client("sts", endpoint_url=cli.aws.endpoint_url, **admin)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{MANAGEMENT}:role{path}{role}", RoleSessionName=session
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }
