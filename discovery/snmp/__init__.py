"""SNMP discovery: from an address and credential profiles to a ``DeviceReport``.

I/O (pysnmp 7 asyncio, one shared ``SnmpEngine``):
- ``collector``: ``collect_snmp`` / ``collect_many`` (probe profiles, vendor scalars,
  GETBULK walks per section, statuses and per-section errors);
- ``session``: one agent conversation; multi-column GETBULK walks with loop and row guards.

Pure parsing (a ``walk.Walk`` of plain values in, ``discovery.observations`` out):
``system`` (+ ``vendors``: the only place with vendor knowledge), ``entity``, ``interfaces``,
``addresses``, ``neighbors`` (LLDP, CDP), ``host`` (HOST-RESOURCES), all combined by
``parse.parse_walk``. ``snmprec`` loads snmpsim recordings into a ``Walk`` for tests,
benchmarks and the lab.

Adding a vendor: one ``OsFamily`` entry in ``vendors.OS_FAMILIES``; adding a table: its
columns in ``collector.SECTION_TABLES`` and a parser reading them from the ``Walk``.
"""
