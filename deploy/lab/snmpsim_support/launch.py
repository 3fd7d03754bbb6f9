"""Start snmpsim's full command responder, compiling pysnmp's MIB modules once per process.

The lab runs one SNMP engine per simulated device (see ``deploy.lab.agents``), and every
pysnmp engine loads the same ~36 MIB modules from their Python *source*: pysnmp only reuses
byte code from a legacy ``.pyc`` layout that its package does not ship, so each engine calls
``compile()`` on every module again, which is half of a shard's start-up. This launcher wraps
the MIB source reader so that a module's code object is compiled once and shared by all
engines of the process (code objects are immutable; each engine still executes its own copy
of the module). Nothing else in snmpsim or pysnmp changes.

Usage (what ``deploy.lab.agents`` runs): ``python launch.py <snmpsim-command-responder options>``.
"""

from __future__ import annotations

import sys
from types import CodeType
from typing import Any

from pysnmp.smi import builder
from snmpsim.commands.responder import main

_SOURCE = builder.DirMibSource.__mro__[1]  # pysnmp's private abstract MIB source class
_read_uncached = _SOURCE.read
_compiled: dict[tuple[str, str], tuple[CodeType, str]] = {}


def _read_cached(self: Any, f: str) -> tuple[CodeType, str]:
    key = (str(self._srcName), f)
    if key not in _compiled:
        _compiled[key] = _read_uncached(self, f)
    return _compiled[key]


if callable(getattr(_SOURCE, "read", None)):  # another pysnmp layout: run uncached
    _SOURCE.read = _read_cached

if __name__ == "__main__":
    sys.argv[0] = "snmpsim-command-responder"
    sys.exit(main())
