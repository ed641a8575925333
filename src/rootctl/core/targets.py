"""Target selection: turn a :class:`TargetSelector` into the accounts to act on.

Every problem with the input is an :class:`InputError` raised before anything is done.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rootctl import validation
from rootctl.errors import InputError
from rootctl.models import Account, Organization, SkippedAccount, TargetSelector, TargetSet

ACCOUNT_ID = validation.ACCOUNT_ID
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")

MANAGEMENT_REASON = "management account: AssumeRoot cannot target it"


def check_account_id(value: str, what: str = "account id") -> str:
    value = value.strip()
    if not ACCOUNT_ID.match(value):
        raise InputError(f"invalid {what} {value!r}: an AWS account id is 12 digits.")
    return value


def check_unit_id(value: str) -> str:
    value = value.strip()
    if not (OU_ID.match(value) or ROOT_ID.match(value)):
        raise InputError(
            f"invalid OU id {value!r}: expected ou-xxxx-xxxxxxxx (or the root, r-xxxx)."
        )
    return value


def read_accounts_file(path: str) -> tuple[str, ...]:
    """Account ids from a file (``-``: standard input), read with a size cap."""
    return validation.account_ids_file(path)


Tags = Mapping[str, Mapping[str, str]]  # resource id (account, OU, root) → its tags


def validate(selector: TargetSelector) -> TargetSelector:
    """Check the selector's syntax (no AWS needed); returns it with the file expanded."""
    if selector.all and (
        selector.accounts or selector.ous or selector.accounts_file or selector.tags
    ):
        raise InputError("--all cannot be combined with --account, --ou, --tag or --accounts-file.")
    accounts = tuple(check_account_id(a) for a in selector.accounts)
    if selector.accounts_file:
        accounts += read_accounts_file(selector.accounts_file)
    return TargetSelector(
        all=selector.all,
        accounts=accounts,
        ous=tuple(check_unit_id(u) for u in selector.ous),
        exclude=tuple(check_account_id(e, "--exclude account id") for e in selector.exclude),
        accounts_file=None,
        tags=_tags(selector.tags, "--tag"),
        exclude_tags=_tags(selector.exclude_tags, "--exclude-tag"),
    )


def _tags(pairs: tuple[tuple[str, str], ...], what: str) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys(validation.tag_pair(k, v, what) for k, v in pairs))


def tags_in_effect(org: Organization, tags: Tags) -> dict[str, set[tuple[str, str]]]:
    """Per account: its own tags and those of every OU above it (and the root)."""
    parents = {u.id: u.parent_id for u in org.units}
    found: dict[str, set[tuple[str, str]]] = {}
    for account in org.accounts:
        pairs = set(tags.get(account.id, {}).items())
        unit_id: str | None = account.parent_id
        while unit_id is not None:
            pairs |= set(tags.get(unit_id, {}).items())
            unit_id = parents.get(unit_id)
        found[account.id] = pairs
    return found


def every_account(selector: TargetSelector) -> bool:
    """The (validated) selector takes every eligible account, with no exclusion: it cannot
    fail on the organization's contents, so its accounts may be worked on as they are listed."""
    return (selector.all or selector.empty) and not (selector.exclude or selector.needs_tags)


def eligible(account: Account) -> bool:
    """An account any selection may act on: an active member (never the management account)."""
    return not account.is_management and account.state == "ACTIVE"


def resolve(selector: TargetSelector, org: Organization, tags: Tags | None = None) -> TargetSet:
    """Accounts named by ``selector`` in ``org``; the management account is always skipped.
    ``tags`` (resource id → tags) is needed when the selector names tags."""
    selector = validate(selector)
    if selector.needs_tags and tags is None:
        raise ValueError("the selector names tags: pass the organization's tags")
    for account_id in selector.accounts + selector.exclude:
        if org.account(account_id) is None:
            raise InputError(f"account {account_id} is not in organization {org.id}.")
    for unit_id in selector.ous:
        if unit_id != org.root_id and org.unit(unit_id) is None:
            raise InputError(f"OU {unit_id} does not exist in organization {org.id}.")

    chosen: list[Account] = []
    if selector.all or selector.empty:
        chosen.extend(org.accounts)
    chosen.extend(a for a in map(org.account, selector.accounts) if a is not None)
    for unit_id in selector.ous:
        chosen.extend(org.accounts_under(unit_id))
    wanted, unwanted = set(selector.tags), set(selector.exclude_tags)
    in_effect = tags_in_effect(org, tags) if tags is not None and (wanted or unwanted) else {}
    if wanted:
        tagged = [a for a in org.accounts if in_effect[a.id] & wanted]
        if not tagged:
            shown = " or ".join(f"{k}={v}" for k, v in selector.tags)
            raise InputError(
                f"no account of organization {org.id} has the tag {shown}, "
                "on itself or on an OU above it."
            )
        chosen.extend(tagged)

    seen: set[str] = set()
    selected: list[Account] = []
    skipped: list[SkippedAccount] = []
    excluded = set(selector.exclude)
    for account in chosen:
        if account.id in seen:
            continue
        seen.add(account.id)
        if account.is_management:
            skipped.append(SkippedAccount(account, MANAGEMENT_REASON))
        elif account.id in excluded:
            skipped.append(SkippedAccount(account, "excluded with --exclude"))
        elif unwanted and in_effect[account.id] & unwanted:
            pairs = sorted(in_effect[account.id] & unwanted)
            shown = ", ".join(f"{k}={v}" for k, v in pairs)
            skipped.append(SkippedAccount(account, f"excluded with --exclude-tag ({shown})"))
        elif not eligible(account):
            skipped.append(SkippedAccount(account, f"account is {account.state}"))
        else:
            selected.append(account)
    # The management account is always reported, even when the selection did not name it.
    management = org.account(org.management_account_id)
    if management is not None and management.id not in seen:
        skipped.append(SkippedAccount(management, MANAGEMENT_REASON))
    return TargetSet(org.id, tuple(selected), tuple(skipped), selector=selector)
