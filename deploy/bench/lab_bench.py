"""Lab figures: generation time per size, and start-up time, processes and memory of a lab.

    python -m deploy.bench.lab_bench --generate 1000 10000 --start 1000 --snmp-port 16100

Generation writes into a temporary directory; the started lab (without the SSH side) is
stopped at the end. Memory is the resident set size of the lab's own processes (from /proc).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from deploy.lab import generate
from deploy.lab.lab import Lab


def rss_mib(pid: int) -> float:
    """Resident memory of one process in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_generate(devices: int) -> None:
    out = Path(tempfile.mkdtemp(prefix="lab-gen-"))
    try:
        start = time.perf_counter()
        topology = generate.build_topology(devices)
        built = time.perf_counter()
        paths = generate.write_recordings(topology, out / generate.RECORDINGS_DIR)
        done = time.perf_counter()
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(
            f"generate {devices:>6} devices: topology {built - start:6.2f}s  recordings {done - built:6.2f}s  "
            f"total {done - start:6.2f}s  ({len(topology.links)} links, {size:.0f} MB)"
        )
    finally:
        shutil.rmtree(out, ignore_errors=True)


def bench_start(devices: int, snmp_port: int | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="lab-start-"))
    lab = Lab(workdir, devices=devices, snmp_port=snmp_port, with_ssh=False)
    try:
        start = time.perf_counter()
        lab.start()
        elapsed = time.perf_counter() - start
        state = json.loads(lab.state_path.read_text())
        pids = [p["pid"] for p in state["processes"]]
        memory = sum(rss_mib(pid) for pid in pids)
        agents = sum(1 for d in lab.topology.devices if d.snmp_port)
        print(
            f"start    {devices:>6} devices: {elapsed:6.1f}s until all {agents} agents answered "
            f"(generation {lab.timings['generate']:.1f}s, agents {lab.timings['agents']:.1f}s); "
            f"{len(pids)} processes, {memory:.0f} MiB RSS ({memory / agents:.2f} MiB per agent)"
        )
    finally:
        lab.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--start", type=int, nargs="*", default=[1000])
    parser.add_argument("--snmp-port", type=int, default=None)
    args = parser.parse_args()
    for devices in args.generate:
        bench_generate(devices)
    for devices in args.start:
        bench_start(devices, args.snmp_port)


if __name__ == "__main__":
    main()
