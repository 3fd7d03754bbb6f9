"""``whichdb`` companion of the sqlite ``anydbm`` shim: recognises its index files."""

from __future__ import annotations

SQLITE_HEADER = b"SQLite format 3\x00"


def whichdb(filename: str) -> str | None:
    """ "anydbm.sqlite" for an index this shim wrote, "" for another format, None if absent."""
    try:
        with open(filename, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError:
        return None
    return "anydbm.sqlite" if header == SQLITE_HEADER else ""
