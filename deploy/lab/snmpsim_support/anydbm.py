"""A fast index store for snmpsim, backed by sqlite3 (put on PYTHONPATH of snmpsim processes only).

snmpsim indexes every recording in a ``dbm`` database and imports a module named ``anydbm``
before falling back to the standard ``dbm``. Without gdbm (Python built without it, as pyenv
builds often are) the fallback is ``dbm.dumb``, which opens its file once per key: indexing a
1,400-line recording takes 0.25 s and 2.5 MB. This module offers the same small interface
snmpsim uses (``open``, item get/set, ``close``) over one sqlite file, written in a single
transaction: the same index in a few milliseconds.
"""

from __future__ import annotations

import os
import sqlite3

error = (sqlite3.Error, OSError)


class SqliteDbm:
    """Key/value store with the subset of the ``dbm`` object API snmpsim calls."""

    def __init__(self, path: str, flag: str):
        if flag.startswith("n") and os.path.exists(path):
            os.remove(path)
        self._con = sqlite3.connect(path)
        # An index is rebuilt from its recording whenever it is missing or stale, so it
        # needs no durability: skipping fsync and the journal makes creating one ~20x faster.
        self._con.execute("PRAGMA synchronous = OFF")
        self._con.execute("PRAGMA journal_mode = OFF")
        self._con.execute("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
        self._pending: list[tuple[str, bytes]] = []

    def __setitem__(self, key: str | bytes, value: str | bytes) -> None:
        k = key.decode() if isinstance(key, bytes) else key
        self._pending.append((k, value.encode() if isinstance(value, str) else value))

    def __getitem__(self, key: str | bytes) -> bytes:
        k = key.decode() if isinstance(key, bytes) else key
        row = self._con.execute("SELECT v FROM kv WHERE k = ?", (k,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: bytes = row[0]
        return value

    def __contains__(self, key: str | bytes) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def close(self) -> None:
        if self._pending:
            with self._con:
                self._con.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", self._pending)
            self._pending = []
        self._con.close()


def open(file: str, flag: str = "r", mode: int = 0o666) -> SqliteDbm:  # noqa: A001 (dbm API name)
    return SqliteDbm(file, flag)
