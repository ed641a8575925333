"""The sandbox's shortcuts through moto answer what moto's own path answers."""

from __future__ import annotations

from typing import Any

import pytest
from moto.core.responses import BaseResponse

from rootctl.sandbox.speedups import install_speedups

PARAMS = {"UserName": "alice", "Empty": None, "Nested": {"Key": "v"}, "List": [1, 2]}
URI = {"BucketName": "b", "UserName": "from-the-uri"}


def response(params: Any, uri: Any, automated: bool = True) -> Any:
    found = BaseResponse(service_name="iam")
    found.automated_parameter_parsing = automated
    found.params = params
    found.uri_match = uri
    found.querystring = {"UserName": ["from-the-query"]}
    found.body = None
    return found


@pytest.mark.parametrize(
    "name", ["UserName", "Empty", "Nested", "Nested.Key", "List", "BucketName", "Missing"]
)
@pytest.mark.parametrize("if_none", [None, "default"])
@pytest.mark.parametrize(("params", "uri"), [(PARAMS, URI), (PARAMS, {}), ({}, URI)])
def test_a_parameter_is_found_as_moto_finds_it(
    name: str, if_none: Any, params: dict[str, Any], uri: dict[str, Any]
) -> None:
    install_speedups()
    fast = BaseResponse._get_param
    moto_own = getattr(fast, "__wrapped__")  # noqa: B009
    for automated in (True, False):
        resp = response(params, uri, automated)
        assert fast(resp, name, if_none) == moto_own(resp, name, if_none), (name, automated)
