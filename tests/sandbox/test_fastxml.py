"""fastxml writes exactly what xmltodict writes for the bodies moto builds, or steps aside."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import xmltodict  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from rootctl.sandbox import fastxml

NAMES = st.sampled_from(["Result", "member", "AccessKeyId", "a", "Arn", "IsTruncated"])
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, st.floats(allow_nan=False))


def _reference(body: Any) -> str:
    written: str = xmltodict.unparse(body, full_document=False, short_empty_elements=True)
    return written


def _values(children: Any) -> Any:
    return st.one_of(
        SCALARS,
        st.lists(st.one_of(SCALARS, children), max_size=3),
        st.dictionaries(
            st.one_of(NAMES, st.just("#text"), NAMES.map(lambda n: "@" + n)),
            st.one_of(SCALARS, children),
            max_size=4,
        ),
    )


BODIES = st.dictionaries(NAMES, st.recursive(SCALARS, _values, max_leaves=20), max_size=3)


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_same_text_as_xmltodict(body: dict[str, Any]) -> None:
    written = fastxml.unparse(body)
    if written is not None:  # None: it steps aside for xmltodict
        assert written == _reference(body)


def test_a_typical_iam_response() -> None:
    body = OrderedDict(
        ListAccessKeysResponse=OrderedDict(
            [
                ("@xmlns", "https://iam.amazonaws.com/doc/2010-05-08/"),
                (
                    "ListAccessKeysResult",
                    {
                        "AccessKeyMetadata": {
                            "member": [{"AccessKeyId": "AKIA1", "Status": "Active"}]
                        },
                        "IsTruncated": False,
                        "Marker": None,
                        "Empty": [],
                    },
                ),
                ("ResponseMetadata", {"RequestId": "r<&>\"'"}),
            ]
        )
    )
    assert fastxml.unparse(body) == _reference(body)
    assert fastxml.unparse({"a": {"@q": 'it\'s "x"\n'}}) == _reference({"a": {"@q": 'it\'s "x"\n'}})


def test_steps_aside_for_what_only_xmltodict_does() -> None:
    assert fastxml.unparse({"#comment": "x"}) is None
    assert fastxml.unparse({"a": b"bytes"}) is None
    assert fastxml.unparse({"a": {"@xmlns": {"x": "urn:x"}}}) is None
    assert fastxml.unparse({"bad name": "x"}) is None
