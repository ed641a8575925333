"""Reading ``rootctl.yaml``, the desired state (docs/config.md), into a :class:`DesiredState`.

Everything is checked before anything reaches AWS. The first problem found is a
:class:`~rootctl.errors.ConfigError`: one line naming the file, the line and column, the field
and what would be right (``rootctl.yaml:12:14: exceptions[0].expires: expected a date like
2027-01-31, got 'soon'``). Values are read from the YAML nodes' own text, so an unquoted
account id is never turned into a number, and a key given twice is an error, not "the last
one wins".
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml

from rootctl import validation
from rootctl.core.yaml_nodes import Node, Reader, unsentence
from rootctl.errors import ConfigError, InputError
from rootctl.models import (
    CONFIG_VERSION,
    NEW_ACCOUNT_AGE,
    AutoApply,
    ConfigPlace,
    ConfigScope,
    CredentialKind,
    DesiredState,
    NewAccounts,
    NewAccountsAction,
    RuleException,
    RuleName,
)

MAX_BYTES = 1024 * 1024
MAX_APPROVALS = 10
# Kinds that can be removed by enforcement; recovery windows are closed by change control.
AUTO_APPLICABLE = (RuleName.ROOT_CREDENTIALS, RuleName.NEW_ACCOUNTS, RuleName.EXCEPTIONS)


# -- the document ---------------------------------------------------------------------------

_TOP = ("version", "scope", "exclude", "rules", "exceptions", "enforce")
_SCOPE = ("all", "accounts", "ous", "tags")
_RULES = ("root_credentials", "recovery_window_max", "new_accounts")
_EXCEPTION = ("account", "allow", "owner", "reason", "ticket", "expires")
_ENFORCE = ("approvals", "auto_apply")
_AUTO_APPLY = ("rule", "kinds")


def load(path: str | Path) -> DesiredState:
    """Read and validate the file at ``path``."""
    source = str(path)
    try:
        data = validation.read_capped_file(
            str(path), f"the desired-state file {source}", MAX_BYTES, "desired-state file"
        )
    except InputError as exc:
        raise ConfigError(unsentence(exc.message), source=source) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", source=source) from None
    return parse(text, source)


def parse(text: str, source: str = "<string>") -> DesiredState:
    """Validate YAML text (``source`` names it in errors)."""
    reader = Reader(source)
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(
            f"not valid YAML: {exc.problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:  # a ReaderError (control characters): its str() has 2 lines
        raise ConfigError(
            f"not valid YAML: {getattr(exc, 'reason', None) or type(exc).__name__}", source=source
        ) from None
    if document is None:
        raise ConfigError(
            f"the file is empty; it starts with version: {CONFIG_VERSION}", source=source
        )
    top = reader.mapping(Node(document, ()), _TOP)
    if "version" not in top:
        raise reader.error(Node(document, ()), f"version is missing; add version: {CONFIG_VERSION}")
    version = reader.scalar(top["version"], "a version number")
    if version != str(CONFIG_VERSION):
        raise reader.error(
            top["version"],
            f"this rootctl reads version {CONFIG_VERSION} of the file, not {version!r}",
        )
    places: dict[str, ConfigPlace] = {}
    rules = reader.mapping(top["rules"], _RULES) if "rules" in top else {}
    if "root_credentials" in rules:
        value = reader.scalar(rules["root_credentials"], "none")
        if value != "none":
            raise reader.error(rules["root_credentials"], f"the only value is none, not {value!r}")
    for name, node in rules.items():
        places[name] = node.place
    if "exceptions" in top:
        places[RuleName.EXCEPTIONS.value] = top["exceptions"].place
    window_max = (
        reader.duration(rules["recovery_window_max"], minimum=timedelta(minutes=1))
        if "recovery_window_max" in rules
        else None
    )
    new_accounts = _new_accounts(reader, rules.get("new_accounts"))
    exceptions = _exceptions(reader, top.get("exceptions"))
    approvals, auto_apply = _enforce(reader, top.get("enforce"), new_accounts)
    return DesiredState(
        source=source,
        scope=_scope(reader, top.get("scope")),
        exclude=reader.account_ids(top["exclude"]) if "exclude" in top else (),
        exceptions=exceptions,
        recovery_window_max=window_max,
        new_accounts=new_accounts,
        approvals=approvals,
        auto_apply=auto_apply,
        places=places,
    )


def _scope(reader: Reader, node: Node | None) -> ConfigScope:
    if node is None:
        return ConfigScope()
    fields = reader.mapping(node, _SCOPE)
    everything = reader.flag(fields["all"]) if "all" in fields else False
    named = [name for name in ("accounts", "ous", "tags") if name in fields]
    if everything and named:
        raise reader.error(fields[named[0]], "all: true already covers every account; remove one")
    if not everything and not named:
        raise reader.error(node, "names no account: use all: true, accounts, ous or tags")
    return ConfigScope(
        all=everything,
        accounts=reader.account_ids(fields["accounts"]) if "accounts" in fields else (),
        ous=reader.unit_ids(fields["ous"]) if "ous" in fields else (),
        tags=reader.tags(fields["tags"]) if "tags" in fields else (),
    )


def _new_accounts(reader: Reader, node: Node | None) -> NewAccounts:
    if node is None:
        return NewAccounts()
    text = reader.scalar(node, "alert-only or clean-after <duration>")
    if text == NewAccountsAction.ALERT_ONLY.value:
        return NewAccounts(NewAccountsAction.ALERT_ONLY)
    action, _, length = text.partition(" ")
    if action != NewAccountsAction.CLEAN_AFTER.value or not length.strip():
        raise reader.error(
            node,
            f"expected alert-only or clean-after <duration> (e.g. clean-after 24h), got {text!r}",
        )
    try:
        after = validation.duration(length, "clean-after duration", maximum=NEW_ACCOUNT_AGE)
    except InputError as exc:
        raise reader.error(node, unsentence(exc.message)) from None
    if after >= NEW_ACCOUNT_AGE:
        raise reader.error(
            node, "clean-after must be shorter than 7d, the time an account counts as new"
        )
    return NewAccounts(NewAccountsAction.CLEAN_AFTER, after)


def _exceptions(reader: Reader, node: Node | None) -> tuple[RuleException, ...]:
    if node is None:
        return ()
    found: dict[str, RuleException] = {}
    for item in reader.sequence(node, "exceptions"):
        fields = reader.mapping(item, _EXCEPTION)
        for required in ("account", "allow", "owner", "reason", "expires"):
            if required not in fields:
                raise reader.error(
                    item,
                    f"{required} is missing (every exception has "
                    "account, allow, owner, reason and expires)",
                )
        account = reader.account_id(fields["account"])
        if account in found:
            first = found[account].place
            raise reader.error(
                fields["account"],
                f"account {account} already has an exception (line {first.line if first else '?'});"
                " merge them",
            )
        found[account] = RuleException(
            account_id=account,
            allow=reader.kinds(fields["allow"]),
            owner=reader.note(fields["owner"], "owner"),
            reason=reader.note(fields["reason"], "reason"),
            expires_at=reader.expiry(fields["expires"]),
            ticket=reader.note(fields["ticket"], "ticket") if "ticket" in fields else None,
            place=item.place,
        )
    return tuple(found.values())


def _enforce(
    reader: Reader, node: Node | None, new_accounts: NewAccounts
) -> tuple[int, tuple[AutoApply, ...]]:
    if node is None:
        return 1, ()
    fields = reader.mapping(node, _ENFORCE)
    approvals = 1
    if "approvals" in fields:
        text = reader.scalar(fields["approvals"], "a number of approvals")
        if not text.isdigit() or not 1 <= int(text) <= MAX_APPROVALS:
            raise reader.error(
                fields["approvals"], f"expected a number from 1 to {MAX_APPROVALS}, got {text!r}"
            )
        approvals = int(text)
    rules: list[AutoApply] = []
    for item in reader.sequence(fields["auto_apply"], "rules") if "auto_apply" in fields else []:
        entry = reader.mapping(item, _AUTO_APPLY)
        if "rule" not in entry:
            raise reader.error(
                item, "rule is missing (root_credentials, new_accounts or exceptions)"
            )
        names = [rule.value for rule in AUTO_APPLICABLE]
        text = reader.scalar(entry["rule"], "a rule name")
        if text not in names:
            why = (
                " (recovery windows are closed by change control)"
                if text == RuleName.RECOVERY_WINDOW_MAX.value
                else ""
            )
            raise reader.error(
                entry["rule"], f"expected one of {', '.join(names)}, got {text!r}{why}"
            )
        rule = RuleName(text)
        if rule is RuleName.NEW_ACCOUNTS and new_accounts.action is NewAccountsAction.ALERT_ONLY:
            raise reader.error(
                entry["rule"],
                "new_accounts violations exist only with rules.new_accounts: clean-after <duration>"
                " (alert-only never removes a new account's credentials without a person)",
            )
        kinds = reader.kinds(entry["kinds"]) if "kinds" in entry else tuple(CredentialKind)
        rules.append(AutoApply(rule, kinds, item.place))
    return approvals, tuple(rules)
