"""Bulk object construction without the cyclic garbage collector getting in the way.

Reading a 100k-CI graph back builds millions of small dicts, lists and dataclasses, and a
worker keeps them (the state cache). CPython's cyclic collector runs every few hundred
allocations and, over a growing heap, re-walks everything built so far: it more than
doubled the time to load such a graph (12.3 s against 5.5 s), and its full collections over
the kept graph doubled a no-op run's apply (4.3 s against 2.1 s), both measured with
``deploy/bench/graph_load.py``.

So a bulk block pauses the collector, and afterwards *freezes* what exists (``gc.freeze``):
those objects move to a generation the collector never scans again. Reference counting
still frees them when they are dropped; only a reference cycle that is already garbage at
that moment would be kept for good. The graph records built here hold no cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then freeze what the block built.

    Nesting is safe: only the outermost block that disabled the collector re-enables it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
