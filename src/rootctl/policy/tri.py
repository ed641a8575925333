"""Three-valued answers: a statement applies (YES), does not apply (NO), or cannot be decided
from what is known about the request (UNKNOWN) — Kleene's logic, so an UNKNOWN never turns
into a guess: ``YES and UNKNOWN`` is UNKNOWN, ``NO and UNKNOWN`` is NO."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Tri(Enum):
    NO = 0
    UNKNOWN = 1
    YES = 2

    @classmethod
    def of(cls, value: bool) -> Tri:
        return cls.YES if value else cls.NO

    def __invert__(self) -> Tri:
        return Tri(2 - self.value)

    def __and__(self, other: Tri) -> Tri:
        return self if self.value <= other.value else other

    def __or__(self, other: Tri) -> Tri:
        return self if self.value >= other.value else other

    def __bool__(self) -> bool:
        raise TypeError("a Tri is not a bool: compare it with Tri.YES / Tri.NO")

    @property
    def decided(self) -> bool:
        return self is not Tri.UNKNOWN


def all_of(values: Iterable[Tri]) -> Tri:
    """Kleene AND (YES for none); stops at the first NO."""
    result = Tri.YES
    for value in values:
        if value is Tri.NO:
            return Tri.NO
        result = result & value
    return result


def any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR (NO for none); stops at the first YES."""
    result = Tri.NO
    for value in values:
        if value is Tri.YES:
            return Tri.YES
        result = result | value
    return result
