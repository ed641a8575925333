from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rootctl.core import targets
from rootctl.errors import InputError
from rootctl.models import Account, TargetSelector
from tests.core.factories import MANAGEMENT, organization


def ids(selected: tuple[Account, ...]) -> list[str]:
    return sorted(a.id for a in selected)


def test_all_selects_active_members_and_reports_management_skipped():
    result = targets.resolve(TargetSelector(all=True), organization())
    assert ids(result.selected) == ["222222222222", "333333333333", "444444444444"]
    reasons = {s.account.id: s.reason for s in result.skipped}
    assert "management account" in reasons[MANAGEMENT]
    assert reasons["555555555555"] == "account is SUSPENDED"


def test_ou_is_recursive_and_management_is_still_reported():
    result = targets.resolve(TargetSelector(ous=("ou-ab12-prod0001",)), organization())
    assert ids(result.selected) == ["222222222222", "333333333333"]
    assert [s.account.id for s in result.skipped] == [MANAGEMENT]


def test_exclude_and_duplicates():
    selector = TargetSelector(
        accounts=("222222222222", "222222222222"),
        ous=("ou-ab12-prod0001",),
        exclude=("333333333333",),
    )
    result = targets.resolve(selector, organization())
    assert ids(result.selected) == ["222222222222"]
    assert {s.account.id: s.reason for s in result.skipped}["333333333333"].startswith("excluded")


def test_explicit_management_account_is_skipped_not_an_error():
    result = targets.resolve(TargetSelector(accounts=(MANAGEMENT,)), organization())
    assert result.selected == ()
    assert result.skipped[0].account.id == MANAGEMENT


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (TargetSelector(accounts=("12345",)), "12 digits"),
        (TargetSelector(accounts=("999999999999",)), "not in organization"),
        (TargetSelector(ous=("ou-nope",)), "invalid OU id"),
        (TargetSelector(ous=("ou-ab12-zzzzzzzz",)), "does not exist"),
        (TargetSelector(all=True, accounts=("222222222222",)), "cannot be combined"),
        (TargetSelector(all=True, exclude=("999999999999",)), "not in organization"),
    ],
)
def test_bad_input_is_an_input_error(selector, message):
    with pytest.raises(InputError, match=message) as info:
        targets.resolve(selector, organization())
    assert info.value.exit_code == 2


def test_accounts_file(tmp_path):
    path = tmp_path / "accounts.txt"
    path.write_text("# prod\n222222222222, 333333333333\n\n444444444444  # dev\n")
    result = targets.resolve(TargetSelector(accounts_file=str(path)), organization())
    assert ids(result.selected) == ["222222222222", "333333333333", "444444444444"]


@pytest.mark.parametrize("content", ["", "# nothing\n", "22222222222x\n"])
def test_bad_accounts_file(tmp_path, content):
    path = tmp_path / "accounts.txt"
    path.write_text(content)
    with pytest.raises(InputError):
        targets.validate(TargetSelector(accounts_file=str(path)))


def test_missing_accounts_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        targets.validate(TargetSelector(accounts_file=str(tmp_path / "nope")))


@given(st.text(max_size=20))
def test_only_twelve_digits_are_account_ids(value):
    if len(value.strip()) == 12 and value.strip().isascii() and value.strip().isdigit():
        assert targets.check_account_id(value) == value.strip()
    else:
        with pytest.raises(InputError):
            targets.check_account_id(value)
