"""moto's per-request path, made cheaper without changing what it answers.

Against moto, the server's CPU bounds every run at zero latency (bench/sandbox_throughput.py):
each of these removes work moto repeats on every request — listing a class's methods, building
a list of every account to check one, turning action names into method names with a regex,
writing XML through a SAX generator, trying six aliases of a member name on a plain dict.
"""

from __future__ import annotations

import functools
from typing import Any


def _cached_method_names() -> None:
    """moto lists a response class's methods with ``inspect.getmembers`` on every request
    (~8% of the server's CPU in an audit); a class's methods do not change, so cache them."""
    import moto.core.responses

    names = vars(moto.core.responses)["method_names_from_class"]
    if not hasattr(names, "cache_info"):
        setattr(moto.core.responses, "method_names_from_class", functools.cache(names))  # noqa: B010


def _fast_backend_creation() -> None:
    """BackendDict checks ``account_id not in list(self.keys())`` on *every* access — O(accounts)
    per lookup, several lookups per request. Same semantics, dict membership instead."""
    from moto.core.base_backend import AccountSpecificBackend, BackendDict, backend_lock

    if getattr(BackendDict, "_sandbox_fast", False):
        return

    def create(self: Any, account_id: str) -> None:
        if dict.__contains__(self, account_id):
            return  # entries and _instances are only ever cleared together (BackendDict.reset)
        with backend_lock:
            if not dict.__contains__(self, account_id):
                self[account_id] = AccountSpecificBackend(
                    service_name=self.service_name,
                    account_id=account_id,
                    backend=self.backend,
                    use_boto3_regions=self._use_boto3_regions,
                    additional_regions=self._additional_regions,
                )
            instances: list[Any] = BackendDict._instances  # type: ignore[misc]
            if self not in instances:
                instances.append(self)

    setattr(BackendDict, "_create_account_specific_backend", create)  # noqa: B010
    setattr(BackendDict, "_sandbox_fast", True)  # noqa: B010


def _fast_xml() -> None:
    """Query-protocol bodies written by ``fastxml`` (the same text, a fraction of the CPU)."""
    from moto.core.serialize import BaseXMLSerializer

    from . import fastxml

    original = BaseXMLSerializer._serialize_body
    if getattr(original, "_sandbox", False):
        return

    def serialize_body(self: Any, body: Any) -> Any:
        written = None if self.pretty_print else fastxml.unparse(body)
        return original(self, body) if written is None else written

    setattr(serialize_body, "_sandbox", True)  # noqa: B010
    setattr(BaseXMLSerializer, "_serialize_body", serialize_body)  # noqa: B010


def _quick_dict_values() -> None:
    """moto's serializer finds each member's value by trying up to six aliases of its name
    on the result object. The sandbox's results are plain dicts keyed by the member's name:
    when nothing tried before the plain name (an explicit alias, the shape's name) is in the
    dict, the plain name's value is what the aliases would find."""
    from moto.core.serialize import AttributePicker

    original = AttributePicker.__call__
    if getattr(original, "_sandbox", False):
        return

    def pick(self: Any, context: Any) -> Any:
        obj, key, shape = context.obj, context.key, context.shape
        if (
            type(obj) is not dict
            or key not in obj
            or (shape is not None and shape.name != key and shape.name in obj)
        ):
            return original(self, context)
        value = obj[key]
        if self.response_transformers:  # as the original applies them
            key_path = f"{context.key_path}.{key}"
            for transform_path, transform in self.response_transformers.items():
                if key_path.endswith(transform_path):
                    return transform(value)
        return value

    setattr(pick, "_sandbox", True)  # noqa: B010
    setattr(AttributePicker, "__call__", pick)  # noqa: B010


def _cached_names() -> None:
    """moto turns every action name into its handler's name with a regex, twice a request."""
    import moto.core.responses
    import moto.core.utils

    convert = functools.lru_cache(maxsize=4096)(moto.core.utils.camelcase_to_underscores)
    setattr(moto.core.responses, "camelcase_to_underscores", convert)  # noqa: B010


def _plain_params() -> None:
    """With automated parameter parsing, moto looks a parameter up in a ``ChainMap`` of the
    parsed body and the URI's parameters, and a missing one costs a ``KeyError`` per map
    (~5% of the server's CPU: the gate asks every IAM call for ``UserName``, which a root
    user's calls never have). The same lookup on the two plain dicts."""
    from moto.core.responses import BaseResponse

    original = BaseResponse._get_param
    if getattr(original, "_sandbox", False):
        return

    def get_param(self: Any, param_name: str, if_none: Any = None) -> Any:
        params, uri = getattr(self, "params", None), self.uri_match
        if (
            not self.automated_parameter_parsing
            or "." in param_name
            or type(params) is not dict
            or type(uri) is not dict
        ):
            return original(self, param_name, if_none)
        if param_name in params:
            return params[param_name]
        return uri.get(param_name, if_none)

    setattr(get_param, "_sandbox", True)  # noqa: B010
    setattr(get_param, "__wrapped__", original)  # noqa: B010
    setattr(BaseResponse, "_get_param", get_param)  # noqa: B010


def install_speedups() -> None:
    _fast_backend_creation()
    _cached_method_names()
    _cached_names()
    _fast_xml()
    _quick_dict_values()
    _plain_params()
