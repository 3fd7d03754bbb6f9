"""A real local Prefect server and worker for the deployment test, stopped by PID.

The server gets its own PREFECT_HOME and SQLite database under a temporary directory and
binds 127.0.0.1 on a free port; the worker polls a process work pool every second. Each
process runs in its own session so that stopping it also stops the flow-run processes the
worker spawned, and nothing else on the machine.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PREFECT = [sys.executable, "-m", "prefect"]


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prefect_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    """Environment for Prefect CLI processes: isolated home, local SQLite, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home}/prefect.db",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
            "PREFECT_LOGGING_LEVEL": "INFO",
        }
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


class Process:
    """A background process in its own session, with its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, log: Path):
        self.log = log
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the process group (the process and its children), SIGKILL if it lingers."""
        if not self.alive():
            return
        pgid = self.popen.pid  # start_new_session: the group id is the leader's pid
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.popen.wait(timeout=timeout)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class PrefectServer:
    """``prefect server start`` on 127.0.0.1:<free port> with a throwaway SQLite database."""

    def __init__(self, home: Path, cwd: Path):
        self.home = home
        self.cwd = cwd
        self.port = free_tcp_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.env = prefect_env(home, self.api_url)
        self.process: Process | None = None

    def start(self, timeout: float = 120.0) -> PrefectServer:
        args = [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = Process(args, prefect_env(self.home), self.cwd, self.home / "server.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.alive():
                raise RuntimeError(f"prefect server exited:\n{self.process.tail()}")
            if self._healthy():
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"prefect server not healthy after {timeout}s")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run a Prefect CLI command against this server; raises with its output on failure."""
        done = subprocess.run(
            [*PREFECT, *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def worker(self, pool: str, queue: str, extra_env: dict[str, str]) -> Process:
        args = [*PREFECT, "worker", "start", "--pool", pool, "--work-queue", queue]
        return Process(args, {**self.env, **extra_env}, self.cwd, self.home / f"worker-{queue}.log")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
