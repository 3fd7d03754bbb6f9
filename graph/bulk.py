"""Bulk object construction without the cyclic garbage collector getting in the way.

Reading a 100k-CI graph back builds millions of small dicts, lists and dataclasses. CPython's
cyclic collector runs every few hundred allocations and, over a growing heap, re-walks
everything built so far: it more than doubled the time to load such a graph (12.3 s against
5.5 s, measured with ``deploy/bench/graph_load.py``). The objects built here hold no reference
cycles, so reference counting frees them and pausing the collector loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nesting and threads are safe:
    it is re-enabled only by the outermost block that disabled it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
