"""SNMP discovery: ``collector`` does the I/O (pysnmp asyncio, GETBULK), the parser modules
turn a ``Walk`` (plain OID -> value mapping) into ``discovery.observations`` types."""
