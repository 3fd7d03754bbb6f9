"""Progress of a running discovery, for whoever watches it in the same process (the CLI).

The flow publishes one ``Progress`` per finished batch; ``cmdb discover`` subscribes and
draws a live display. Under a Prefect worker nobody subscribes and publishing costs nothing.
Flow parameters cannot carry callbacks (they are JSON), hence this small in-process channel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """Cumulative counts of one phase ("sweep", "snmp", "neighbors", "ssh", "apply")."""

    phase: str
    total: int  # work items known so far in this phase
    done: int
    found: int = 0  # responders / reachable devices / applied batches
    failed: int = 0


Listener = Callable[[Progress], None]

_lock = threading.Lock()
_listeners: list[Listener] = []


def publish(progress: Progress) -> None:
    """Hand ``progress`` to every subscriber; a failing display never breaks the run."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(progress)
        except Exception:  # a broken display must not fail discovery
            continue


@contextmanager
def subscribed(listener: Listener) -> Iterator[None]:
    """Receive progress while the ``with`` block runs (e.g. around one local flow run)."""
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)
