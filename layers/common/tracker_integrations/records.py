"""Plain records for the classes a cold start builds: a dataclass's equality and repr, without its build cost.

`@dataclass` writes each class's `__init__`, `__repr__` and `__eq__` (and, frozen, `__setattr__` and
`__hash__`) as source and compiles it when the class is built: about half a millisecond a class in a
fresh process, 15-30 ms for the 33 a sync job's modules declared, more than the job's pydantic models
cost. A `Record` subclass names its fields in `__slots__` and writes its own `__init__` (as fast per
instance as the generated one: the merge builds one per row and record); equality and repr come from
here and behave as a dataclass's (same class, then field by field in order; unhashable, since mutable).
A `FrozenRecord` stands for a frozen dataclass: its fields are `Final` (the type checker refuses
reassigning them, where the dataclass refused at run time) and it hashes by value.
"""

from operator import attrgetter
from typing import Any, ClassVar, Self


def _names(cls: type) -> tuple[str, ...]:
    slots: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    return slots


class Record:
    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # mutable, so unhashable: what a dataclass with eq does
    _fields: ClassVar[Any] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not (names := _names(cls)):
            return  # an abstract base like FrozenRecord: its subclasses name the fields
        first, *rest = names
        # One C-level getter of all the fields, built once per class (a lone field doubled: still a tuple).
        cls._fields = attrgetter(first, *(rest or [first]))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self._fields(self) == self._fields(other))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _names(type(self)))
        return f"{type(self).__qualname__}({values})"


class FrozenRecord(Record):
    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]  # hashable again, as a frozen dataclass is
        return hash(self._fields(self))

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed, as `dataclasses.replace` makes one (`__init__` takes the field names)."""
        return type(self)(**{name: getattr(self, name) for name in _names(type(self))} | changes)
