"""What a discovery run did, counted once and rendered for people (artifact, CLI, DiscoveryRun).

Only addresses, profile NAMES, statuses and machine-readable reasons appear here: nothing in
a ``DeviceReport`` carries a secret, and this module adds none.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from discovery.observations import DeviceReport, Status

# Rows of the failure table in the artifact; the counts always cover every failure.
MAX_FAILURE_ROWS = 200


@dataclass(frozen=True, slots=True)
class Failure:
    """One device (or one device's SSH session) that could not be collected completely."""

    target: str
    source: str  # snmp / ssh / flow
    status: str  # Status value, or "error" for a batch that crashed
    reason: str  # first machine-readable reason, e.g. "timeout", "auth_failed"
    detail: str = ""


def failure_of(report: DeviceReport) -> Failure | None:
    """The failure a report represents, or None if it was collected completely."""
    if report.status is Status.OK:
        return None
    first = report.errors[0] if report.errors else None
    reason = first.reason if first else report.status.value
    detail = first.detail if first else ""
    return Failure(report.target, report.source.value, report.status.value, reason, detail[:200])


@dataclass(slots=True)
class RunCounts:
    """Counts of one run; stored as JSON on the DiscoveryRun CI and shown in the artifact."""

    swept: int = 0  # range addresses probed
    responders: int = 0  # range addresses that answered the probe
    snmp_targets: int = 0  # devices queried in full (seeds, responders, neighbours)
    neighbors_followed: int = 0
    devices_found: int = 0  # distinct targets with a usable report (ok or partial)
    ssh_targets: int = 0
    ssh_ok: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # reason -> devices
    changes: dict[str, int] = field(default_factory=dict)  # ChangeSet.counts(), summed
    batches_applied: int = 0
    duration_seconds: float = 0.0

    def add_changes(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.changes[key] = self.changes.get(key, 0) + value

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def count_failures(failures: Iterable[Failure]) -> dict[str, int]:
    counter = Counter(f"{f.source}:{f.reason}" for f in failures)
    return dict(sorted(counter.items()))


def devices_found(reports: Iterable[DeviceReport]) -> int:
    """Distinct targets that answered usefully, whichever collector reached them."""
    return len({r.target.rpartition(":")[0] or r.target for r in reports if r.reachable})


def _table(header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = (str(c).replace("|", "\\|").replace("\n", " ") for c in row)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(run_id: str, counts: RunCounts, failures: list[Failure]) -> str:
    """The run's Prefect artifact: what was reached, what changed, what failed and why."""
    lines = [f"# Discovery run `{run_id}`", ""]
    lines += _table(
        ("measure", "value"),
        [
            ("addresses swept", counts.swept),
            ("sweep responders", counts.responders),
            ("SNMP targets", counts.snmp_targets),
            ("neighbours followed", counts.neighbors_followed),
            ("devices found", counts.devices_found),
            ("SSH sessions ok / tried", f"{counts.ssh_ok} / {counts.ssh_targets}"),
            ("duration (s)", f"{counts.duration_seconds:.1f}"),
        ],
    )
    lines += ["", "## Changes", ""]
    changed = [(k, v) for k, v in sorted(counts.changes.items()) if v]
    lines += _table(("change", "count"), changed) if changed else ["No changes."]
    lines += ["", "## Failures", ""]
    if not failures:
        lines.append("None.")
        return "\n".join(lines) + "\n"
    lines += _table(("reason", "devices"), sorted(counts.failed.items()))
    lines.append("")
    shown = sorted(failures, key=lambda f: (f.source, f.reason, f.target))[:MAX_FAILURE_ROWS]
    lines += _table(
        ("target", "source", "status", "reason", "detail"),
        [(f.target, f.source, f.status, f.reason, f.detail) for f in shown],
    )
    if len(failures) > len(shown):
        lines.append(f"\n… and {len(failures) - len(shown)} more.")
    return "\n".join(lines) + "\n"
