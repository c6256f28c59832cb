"""A bounded in-process memo: values by key, the least recently used dropped first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    """Values by key, the least recently used dropped first; counts hits and misses."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The value kept under ``key``, else ``await compute()``, kept for next time."""
        if key in self._items:
            self.hits += 1
            self._items.move_to_end(key)
            value: T = self._items[key]
            return value
        self.misses += 1
        value = await compute()
        self._items[key] = value
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)
        return value

    def discard(self, chosen: Callable[[Hashable], bool]) -> None:
        """Forget the values whose key is ``chosen`` (benchmarks time one picture fresh)."""
        for key in [k for k in self._items if chosen(k)]:
            del self._items[key]

    def clear(self) -> None:
        """Forget everything (benchmarks measure fresh renders with it)."""
        self._items.clear()
