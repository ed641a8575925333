"""``RootAccess``: the one engine behind the CLI, the web dashboard and the demo.

Build it from connection options, then call its methods. Methods return typed models
(:mod:`rootctl.models`), raise :class:`rootctl.errors.RootctlError` subclasses for
problems that stop an operation, and never print. Long operations take an optional
``progress`` callback and an optional ``cancel`` event; per-account failures are reported in
the result, not raised. Confirmation is the face's job: show the plan, then call the action.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from rootctl.aws.session import ConnectionOptions
from rootctl.core import audit as audit_mod
from rootctl.core import deletion, features, recovery, targets, unlock
from rootctl.core.compliance import ComplianceReport, evaluate
from rootctl.core.context import Context
from rootctl.core.organization import read_organization, read_status
from rootctl.errors import InputError
from rootctl.journal import Journal
from rootctl.models import (
    AuditReport,
    CallerIdentity,
    Capability,
    CredentialKind,
    DeletionPlan,
    DeletionReport,
    FeatureChange,
    JournalEntry,
    JournalStatus,
    Organization,
    OrgStatus,
    ProgressCallback,
    RecoveryReport,
    ResourceKind,
    ResourcePolicy,
    TargetSelector,
    TargetSet,
    UnlockResult,
)

DEFAULT_CONCURRENCY = 16
BOTH = (Capability.ROOT_CREDENTIALS_MANAGEMENT, Capability.ROOT_SESSIONS)


class RootAccess:
    """Centralized root access management for one AWS Organization.

    ``profile``/``region``/``endpoint_url`` default to the standard AWS configuration chain
    (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL[_<SERVICE>] …). ``journal_path`` defaults to
    ``$ROOTCTL_JOURNAL`` or ``~/.local/state/rootctl/journal.sqlite3``. Explicit
    ``access_key_id``/``secret_access_key``/``session_token`` replace the credential chain.
    """

    def __init__(
        self,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        journal_path: str | Path | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_attempts: int = 8,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
    ) -> None:
        if concurrency < 1:
            raise InputError(f"concurrency must be at least 1, not {concurrency}.")
        options = ConnectionOptions(
            profile=profile,
            region=region,
            endpoint_url=endpoint_url,
            concurrency=concurrency,
            max_attempts=max_attempts,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            session_token=session_token,
        )
        self.journal = Journal(journal_path)
        self._ctx = Context(options, self.journal)
        self._org: Organization | None = None
        self._org_lock = threading.Lock()

    def close(self) -> None:
        self.journal.close()

    def __enter__(self) -> RootAccess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def region(self) -> str:
        return self._ctx.aws.region

    # -- reading the organization --------------------------------------------------------

    def caller(self) -> CallerIdentity:
        """Who is calling (sts:GetCallerIdentity, cached)."""
        return self._ctx.caller()

    def organization(self, *, refresh: bool = False) -> Organization:
        """The organization tree (root → OUs → accounts), read once and cached."""
        with self._org_lock:
            if self._org is None or refresh:
                self._org = read_organization(self._ctx)
            return self._org

    def status(self) -> OrgStatus:
        """Organization, caller role, IAM trusted access, capabilities, delegated admin."""
        return read_status(self._ctx)

    # -- switching the feature on and off --------------------------------------------------

    def enable(
        self,
        capabilities: Iterable[Capability] = BOTH,
        *,
        delegate: str | None = None,
        dry_run: bool = False,
    ) -> FeatureChange:
        """Turn on IAM trusted access if needed, then ``capabilities``; optionally register
        ``delegate`` as IAM delegated administrator. Idempotent; management account only."""
        return features.enable(
            self._ctx, self.organization(), tuple(capabilities), delegate, dry_run
        )

    def disable(
        self,
        capabilities: Iterable[Capability] = BOTH,
        *,
        trusted_access: bool = False,
        dry_run: bool = False,
    ) -> FeatureChange:
        """Turn ``capabilities`` off (and IAM trusted access too, when asked)."""
        return features.disable(self._ctx, tuple(capabilities), trusted_access, dry_run)

    def deregister_delegate(
        self, account_id: str | None = None, *, dry_run: bool = False
    ) -> FeatureChange:
        """Remove the IAM delegated administrator (the registered one when not named)."""
        return features.deregister_delegate(self._ctx, account_id, dry_run)

    # -- targets ---------------------------------------------------------------------------

    def select_targets(self, selector: TargetSelector) -> TargetSet:
        """Resolve a selector; raises InputError for malformed ids, unknown OUs, accounts
        outside the organization. The management account is always in ``skipped``."""
        # Syntax first: bad input must not cost an AWS call. The file is read once (stdin).
        return targets.resolve(targets.validate(selector), self.organization())

    # -- root credentials ------------------------------------------------------------------

    def audit(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> AuditReport:
        """Audit each selected account's root credentials (read-only)."""
        return audit_mod.audit(self._ctx, target_set, progress, cancel)

    def plan_deletion(
        self,
        target_set: TargetSet,
        kinds: Iterable[CredentialKind] = tuple(CredentialKind),
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> DeletionPlan:
        """Fresh audit → the exact items to delete per account (nothing is changed)."""
        return deletion.plan(self._ctx, target_set, tuple(kinds), progress, cancel)

    def delete_credentials(
        self,
        plan: DeletionPlan,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> DeletionReport:
        """Remove exactly the items of ``plan``, each independently, journaled, then verify."""
        return deletion.delete(self._ctx, plan, progress, cancel)

    def allow_password_recovery(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> RecoveryReport:
        """CreateLoginProfile (no password) so the root e-mail's owner can use "Forgot
        password"."""
        return recovery.allow_password_recovery(self._ctx, target_set, progress, cancel)

    def compliance(
        self,
        target_set: TargetSet,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ComplianceReport:
        """Audit ``target_set``, then evaluate Security Hub / CIS root-user controls on it."""
        report = self.audit(target_set, progress=progress, cancel=cancel)
        return evaluate(report, self.status())

    # -- resource policies -------------------------------------------------------------------

    def _member(self, account_id: str) -> str:
        account_id = targets.check_account_id(account_id)
        org = self.organization()
        if org.account(account_id) is None:
            raise InputError(f"account {account_id} is not in organization {org.id}.")
        if account_id == org.management_account_id:
            raise InputError(f"{account_id} is the {targets.MANAGEMENT_REASON}.")
        return account_id

    def list_bucket_policies(self, account_id: str) -> list[ResourcePolicy]:
        return unlock.list_policies(self._ctx, self._member(account_id), ResourceKind.S3_BUCKET)

    def list_queue_policies(self, account_id: str) -> list[ResourcePolicy]:
        """Queues in the engine's region, with their policies."""
        return unlock.list_policies(self._ctx, self._member(account_id), ResourceKind.SQS_QUEUE)

    def bucket_policy(self, account_id: str, bucket: str) -> ResourcePolicy:
        return unlock.get_policy(
            self._ctx, self._member(account_id), ResourceKind.S3_BUCKET, bucket
        )

    def queue_policy(self, account_id: str, queue: str) -> ResourcePolicy:
        """``queue`` is a queue URL or a name (looked up in the engine's region)."""
        return unlock.get_policy(self._ctx, self._member(account_id), ResourceKind.SQS_QUEUE, queue)

    def unlock_s3(self, account_id: str, bucket: str) -> UnlockResult:
        """Save the bucket policy in the journal, then delete it."""
        return unlock.unlock(self._ctx, self._member(account_id), ResourceKind.S3_BUCKET, bucket)

    def unlock_sqs(self, account_id: str, queue: str) -> UnlockResult:
        """Save the queue policy in the journal, then remove it."""
        return unlock.unlock(self._ctx, self._member(account_id), ResourceKind.SQS_QUEUE, queue)

    # -- journal -------------------------------------------------------------------------------

    def journal_entries(
        self,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        target: str | None = None,
        action: str | None = None,
        status: JournalStatus | None = None,
    ) -> list[JournalEntry]:
        """Journal rows, newest first, optionally filtered."""
        return self.journal.entries(
            since=since, limit=limit, target=target, action=action, status=status
        )

    def journal_entry(self, entry_id: int) -> JournalEntry:
        entry = self.journal.entry(entry_id)
        if entry is None:
            raise InputError(f"journal entry {entry_id} does not exist in {self.journal.path}.")
        return entry
