"""Paragraphs that remember their parsing and line breaking across documents in one process.

A batch renders the same sentences thousands of times: most of a document is template text, only names,
dates and numbers change. ReportLab parses every paragraph's markup and breaks it into lines from scratch
each time, about a third of the rendering time. This keeps both results, keyed by the exact markup, style
and width, so the output is byte-for-byte what plain Paragraphs give (tests/test_batch.py checks it, cold
caches against warm ones).

Only a paragraph's first wrap from freshly parsed text is remembered; ReportLab's later re-wraps and the
pieces it makes when it splits a paragraph across pages go the ordinary way. Splitting edits the line
structure in place, so a paragraph that shares remembered state splits a private copy. Both tables are
bounded, so memory stays flat over any number of documents.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any, Generic, TypeVar

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _processed_frags

K = TypeVar("K")
V = TypeVar("V")

PARSED_ENTRIES = 2048
WRAPPED_ENTRIES = 2048  # about 2.5 KiB an entry: both tables full hold some 10 MiB a worker
# What Paragraph.wrap (with breakLines) sets on the instance.
_WRAP_STATE = (
    "width",
    "_wrapWidths",
    "blPara",
    "height",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


class _Bounded(Generic[K, V]):
    """A least-recently-used table of at most `size` entries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


# Values hold the style object itself, so the id() in a key can never be reused by another style.
_parsed: _Bounded[tuple[Any, ...], tuple[Any, ...]] = _Bounded(PARSED_ENTRIES)
_wrapped: _Bounded[tuple[Any, ...], dict[str, Any]] = _Bounded(WRAPPED_ENTRIES)


def clear_caches() -> None:
    _parsed.clear()
    _wrapped.clear()


class MemoParagraph(Paragraph):  # type: ignore[misc]
    """A drop-in Paragraph for markup that is already escaped (see pdf._markup)."""

    frags: Any
    blPara: Any
    _shared: bool = False

    def __init__(
        self, text: str | None, style: Any, bulletText: Any = None, frags: Any = None, **kw: Any
    ) -> None:
        self._memo_key: tuple[Any, ...] | None = None
        if frags is not None or text is None:  # a piece of a split paragraph: not remembered
            super().__init__(text, style, bulletText, frags, **kw)
            return
        key = (text, id(style), bulletText)
        hit = _parsed.get(key)
        if hit is None:
            super().__init__(text, style, bulletText, **kw)
            _parsed.put(key, (self.text, self.frags, self.style, self.bulletText, style))
        else:
            cleaned, parsed, parsed_style, parsed_bullet, _ = hit
            super().__init__(cleaned, parsed_style, parsed_bullet, frags=parsed, **kw)
        self._memo_key = key

    def _rememberable(self) -> bool:
        """Only a first wrap from freshly parsed runs; ReportLab re-wraps its processed runs itself."""
        return self._memo_key is not None and not _processed_frags(self.frags)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self._rememberable():
            width, height = super().wrap(availWidth, availHeight)
            return width, height
        key = (self._memo_key, availWidth)
        hit = _wrapped.get(key)
        if hit is not None:
            self.__dict__.update(hit)
            self._wrapWidths = list(hit["_wrapWidths"])
            self._shared = True
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        if getattr(self, "blPara", None) is not None:
            state = {name: getattr(self, name) for name in _WRAP_STATE if hasattr(self, name)}
            state["_wrapWidths"] = list(state.get("_wrapWidths", ()))
            state["frags"] = self.frags  # breakLines replaces a many-run paragraph's runs by its words
            _wrapped.put(key, state)
            self._shared = True
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        # Splitting edits the line structure in place (ReportLab adds spaces to words at line ends): work
        # on a private copy, so the remembered one stays as it was made.
        if not hasattr(self, "blPara"):
            self.wrap(availWidth, availHeight)
        if self._shared and hasattr(self, "blPara"):
            self.blPara, self.frags = copy.deepcopy((self.blPara, self.frags))
            self._shared = False
        return list(super().split(availWidth, availHeight))
