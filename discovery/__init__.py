"""Discovery: targets and credentials -> collectors (I/O) -> parsers (pure) -> observations."""
