"""A throwaway Neo4j community server for tests and benchmarks, run from Maven Central jars.

Why not a packaged Neo4j: the machine only reaches Maven Central, so the server is assembled from
``org.neo4j:neo4j`` (which carries ``org.neo4j.server.CommunityEntryPoint``) with
``mvn dependency:copy-dependencies`` and started with plain ``java -cp 'cache/lib/*'``.
Everything it writes lives under ``run/`` (config, data, logs, pid, password), so one checkout has
one server and ``reset`` can simply delete its data.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
NEO4J_DIR = Path(__file__).resolve().parent
DEFAULT_USER = "neo4j"
# Neo4j creates the admin user with this password and forces a change before any other query.
_INITIAL_PASSWORD = "neo4j"

# The JVM options the official launcher adds (from the 5.26 neo4j.conf), minus -XX:+AlwaysPreTouch,
# which would touch the whole heap at start and make a small test server slow and large.
_JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class Neo4jServerError(RuntimeError):
    """The server could not be fetched, started or stopped; the message says why."""


@dataclass(frozen=True)
class Layout:
    """Where the pom, the jar cache and the per-checkout server state live."""

    home: Path = NEO4J_DIR
    run_dir: Path = NEO4J_DIR / "run"

    @property
    def pom(self) -> Path:
        return self.home / "pom.xml"

    @property
    def lib_dir(self) -> Path:
        return self.home / "cache" / "lib"

    @property
    def lib_stamp(self) -> Path:
        return self.home / "cache" / "pom.sha256"

    @property
    def class_archive(self) -> Path:
        return self.home / "cache" / "neo4j-classes.jsa"

    @property
    def conf_dir(self) -> Path:
        return self.run_dir / "conf"

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def console_log(self) -> Path:
        return self.logs_dir / "console.log"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def password_file(self) -> Path:
        return self.run_dir / "password"

    @property
    def lock_file(self) -> Path:
        return self.run_dir / "lock"


@dataclass(frozen=True)
class ServerOptions:
    """How to run the server; the defaults suit a test server on a shared 2-core machine."""

    auth: bool = True
    heap_initial: str = "256m"
    heap: str = "1g"
    pagecache: str = "256m"
    port: int | None = None
    startup_timeout: float = 180.0


@dataclass(frozen=True)
class Connection:
    """How clients reach the running server (what ``env`` exports for the test suite)."""

    uri: str
    user: str | None
    password: str | None

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.user is None or self.password is None:
            return None
        return (self.user, self.password)

    def env_lines(self) -> list[str]:
        """Shell lines to ``eval``/``source``; auth variables are emptied when auth is off."""
        values = {
            "CMDB_TEST_NEO4J_URI": self.uri,
            "CMDB_TEST_NEO4J_USER": self.user or "",
            "CMDB_TEST_NEO4J_PASSWORD": self.password or "",
        }
        return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


@dataclass(frozen=True)
class _State:
    """What ``start`` records so that ``stop``/``status``/``env`` can find the server again."""

    pid: int
    port: int
    auth: bool

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"pid": self.pid, "port": self.port, "auth": self.auth}))

    @classmethod
    def load(cls, path: Path) -> _State | None:
        try:
            raw = json.loads(path.read_text())
            return cls(pid=int(raw["pid"]), port=int(raw["port"]), auth=bool(raw["auth"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """Serialise work on one folder between processes (two `make test` runs, say)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# --- jars -------------------------------------------------------------------------------------


def _pom_digest(layout: Layout) -> str:
    return hashlib.sha256(layout.pom.read_bytes()).hexdigest()


def jars_cached(layout: Layout = Layout()) -> bool:
    """True when cache/lib holds the jars of the current pom.xml (so no Maven run is needed)."""
    stamp = layout.lib_stamp
    return stamp.is_file() and stamp.read_text().strip() == _pom_digest(layout)


def fetch_jars(layout: Layout = Layout()) -> bool:
    """Copy the server jars into cache/lib with Maven unless already there; True if Maven ran."""
    if jars_cached(layout):
        return False
    with _locked(layout.lib_stamp.with_name("lock")):
        if jars_cached(layout):  # another process fetched them while we waited
            return False
        _run_maven(layout)
    return True


def _run_maven(layout: Layout) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError("Maven (mvn) is not installed: run deploy/setup.sh")
    shutil.rmtree(layout.lib_dir, ignore_errors=True)
    layout.class_archive.unlink(missing_ok=True)  # recorded from the old jars
    command = [
        mvn, "-B", "-q", "-f", str(layout.pom), "dependency:copy-dependencies",
        f"-DoutputDirectory={layout.lib_dir}", "-DincludeScope=runtime",
    ]  # fmt: skip
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        raise Neo4jServerError(
            f"Maven could not fetch Neo4j:\n{_tail(result.stdout + result.stderr)}"
        )
    layout.lib_stamp.write_text(_pom_digest(layout) + "\n")


# --- process ----------------------------------------------------------------------------------


def _is_our_server(pid: int, layout: Layout) -> bool:
    """Guard against PID reuse: the process must be a Neo4j started with this run directory."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [part.decode(errors="replace") for part in cmdline]
    return MAIN_CLASS in args and f"--home-dir={layout.run_dir}" in args


def _running_state(layout: Layout) -> _State | None:
    state = _State.load(layout.state_file)
    if state is None or not _is_our_server(state.pid, layout):
        return None
    return state


def running_pid(layout: Layout = Layout()) -> int | None:
    """The PID of this checkout's server if it is running."""
    state = _running_state(layout)
    return None if state is None else state.pid


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_port(preferred: int | None = None) -> int:
    """``preferred`` if free (keeps an exported URI valid across restarts), else any free port."""
    if preferred is not None and _port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _render_conf(layout: Layout, port: int, options: ServerOptions) -> str:
    """neo4j.conf for a loopback-only server that never phones home and stops quickly."""
    settings = {
        "server.default_listen_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.advertised_address": f"127.0.0.1:{port}",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "dbms.security.auth_enabled": "true" if options.auth else "false",
        "dbms.usage_report.enabled": "false",
        "internal.dbms.usage_report.udc_network_enabled": "false",
        "server.memory.pagecache.size": options.pagecache,
        "server.directories.data": str(layout.data_dir),
        "server.directories.logs": str(layout.logs_dir),
        "server.directories.run": str(layout.run_dir),
        "server.directories.plugins": str(layout.run_dir / "plugins"),
        "server.directories.import": str(layout.run_dir / "import"),
        # Netty's default 5 s quiet period made every stop take about 10 s.
        "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        "internal.dbms.bolt.netty_server_shutdown_timeout": "2s",
    }
    lines = ["# Generated by deploy/neo4j/server.py on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def _class_sharing(layout: Layout) -> tuple[str, ...]:
    """Map the class archive if there is one (see build_class_archive); the JVM ignores a stale one."""
    archive = layout.class_archive
    return (f"-XX:SharedArchiveFile={archive}",) if archive.is_file() else ()


def _java_command(
    layout: Layout, options: ServerOptions, class_sharing: Sequence[str]
) -> list[str]:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java:
        raise Neo4jServerError("java is not installed: run deploy/setup.sh (needs Java 17)")
    return [
        java, f"-Xms{options.heap_initial}", f"-Xmx{options.heap}", *_JVM_FLAGS, *class_sharing,
        "-cp", f"{layout.lib_dir}/*", MAIN_CLASS,
        f"--home-dir={layout.run_dir}", f"--config-dir={layout.conf_dir}",
    ]  # fmt: skip


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def log_tail(layout: Layout = Layout(), lines: int = 40) -> str:
    """The last lines of the console and user logs, for error messages."""
    parts = []
    for path in (layout.console_log, layout.logs_dir / "neo4j.log"):
        if path.is_file():
            parts.append(f"--- {path} ---\n{_tail(path.read_text(errors='replace'), lines)}")
    return "\n".join(parts) or "(no log written)"


# --- readiness --------------------------------------------------------------------------------


@contextmanager
def _driver(uri: str, auth: tuple[str, str] | None) -> Iterator[Driver]:
    driver = GraphDatabase.driver(
        uri, auth=auth, connection_timeout=2.0, max_transaction_retry_time=0
    )
    try:
        yield driver
    finally:
        driver.close()


def _answers(connection: Connection) -> bool:
    """True once the default database runs a query; AuthError propagates (waiting won't fix it)."""
    try:
        with _driver(connection.uri, connection.auth) as driver:
            driver.execute_query("RETURN 1")
        return True
    except AuthError:
        raise
    except (DriverError, Neo4jError, OSError):
        return False


def _set_initial_password(uri: str, password: str) -> None:
    """Replace the forced-change default password of fresh data; a no-op if already replaced.

    Raises DriverError while the server is still starting, so the caller retries.
    """
    try:
        with _driver(uri, (DEFAULT_USER, _INITIAL_PASSWORD)) as driver:
            driver.execute_query(
                "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                old=_INITIAL_PASSWORD,
                new=password,
                database_="system",
            )
    except AuthError:
        return  # data from an earlier start: the password was changed then


def _wait_until_ready(
    layout: Layout,
    process: subprocess.Popen[bytes],
    connection: Connection,
    timeout: float,
    *,
    set_password: bool,
) -> None:
    """Poll Bolt until a query runs; fail with the log tail if the JVM dies or time runs out.

    ``set_password``: first start with auth, so replace Neo4j's default password by ours first.
    """
    deadline = time.monotonic() + timeout
    password_set = not set_password
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Neo4jServerError(
                f"Neo4j exited with status {process.returncode} while starting:\n{log_tail(layout)}"
            )
        try:
            if not password_set and connection.password is not None:
                _set_initial_password(connection.uri, connection.password)
                password_set = True
            if _answers(connection):
                return
        except AuthError as error:  # before Neo4jError: AuthError is one of them
            raise Neo4jServerError(
                f"Neo4j rejects the password in {layout.password_file} ({error}); "
                "run `python -m deploy.neo4j reset` to start over with fresh data"
            ) from error
        except (DriverError, Neo4jError, OSError):
            pass  # still starting
        time.sleep(0.5)
    raise Neo4jServerError(
        f"Neo4j did not answer on {connection.uri} within {timeout:.0f}s:\n{log_tail(layout)}"
    )


# --- commands ---------------------------------------------------------------------------------


def _password(layout: Layout) -> str:
    """The generated password, created (mode 0600, git-ignored run dir) on first use."""
    path = layout.password_file
    if not path.is_file():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(18) + "\n")
    return path.read_text().strip()


def _connection_for(layout: Layout, state: _State) -> Connection:
    uri = f"bolt://127.0.0.1:{state.port}"
    if not state.auth:
        return Connection(uri=uri, user=None, password=None)
    return Connection(uri=uri, user=DEFAULT_USER, password=_password(layout))


def connection(layout: Layout = Layout()) -> Connection | None:
    """How to reach the running server, or None if it is not running."""
    state = _running_state(layout)
    return None if state is None else _connection_for(layout, state)


def start(layout: Layout = Layout(), options: ServerOptions = ServerOptions()) -> Connection:
    """Start the server (fetching jars if needed) and wait until it answers; idempotent."""
    with _locked(layout.lock_file):
        return _start_unlocked(layout, options)


def _start_unlocked(
    layout: Layout, options: ServerOptions, class_sharing: Sequence[str] | None = None
) -> Connection:
    """``start`` for a caller holding the run-dir lock."""
    current = connection(layout)
    if current is not None:
        return current
    fetch_jars(layout)
    for folder in (layout.conf_dir, layout.logs_dir, layout.data_dir):
        folder.mkdir(parents=True, exist_ok=True)
    previous = _State.load(layout.state_file)
    port = options.port or pick_port(previous.port if previous else None)
    if not _port_is_free(port):  # else the readiness check would talk to someone else's server
        raise Neo4jServerError(f"port 127.0.0.1:{port} is already in use")
    (layout.conf_dir / "neo4j.conf").write_text(_render_conf(layout, port, options))
    with layout.console_log.open("ab") as console:
        process = subprocess.Popen(
            _java_command(
                layout,
                options,
                _class_sharing(layout) if class_sharing is None else class_sharing,
            ),
            cwd=layout.run_dir,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not killed with the shell/Make job that started it
        )
    state = _State(pid=process.pid, port=port, auth=options.auth)
    state.save(layout.state_file)
    # No password file yet means the data still has Neo4j's default one (fresh, or made without auth).
    first_auth_start = options.auth and not layout.password_file.is_file()
    ready = _connection_for(layout, state)
    try:
        _wait_until_ready(
            layout, process, ready, options.startup_timeout, set_password=first_auth_start
        )
    except BaseException:
        _terminate(process.pid, timeout=30)
        raise
    return ready


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM (Neo4j shuts down cleanly), then SIGKILL if it is still there after ``timeout``."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return
        time.sleep(0.2)
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _pid_alive(pid: int) -> bool:
    """Alive and not a zombie (a child of ours that exited but was not reaped yet)."""
    with suppress(ProcessLookupError, ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def stop(layout: Layout = Layout(), timeout: float = 60.0) -> bool:
    """Stop this checkout's server by PID; False if it was not running."""
    with _locked(layout.lock_file):
        pid = running_pid(layout)
        if pid is None:
            return False
        _terminate(pid, timeout)
        return True


def reset(layout: Layout = Layout(), options: ServerOptions = ServerOptions()) -> Connection:
    """Stop, delete all data (graph, indexes, users) and start again on the same port."""
    previous = _State.load(layout.state_file)
    if options.port is None and previous is not None:
        options = replace(options, port=previous.port)
    with _locked(layout.lock_file):
        pid = running_pid(layout)
        if pid is not None:
            _terminate(pid, timeout=60.0)
        shutil.rmtree(layout.data_dir, ignore_errors=True)
        layout.password_file.unlink(missing_ok=True)
        return _start_unlocked(layout, options)


def build_class_archive(layout: Layout = Layout()) -> bool:
    """Record the classes a server start loads in a class-data-sharing archive; True if built.

    Why: on a 2-core machine loading and verifying some 20,000 classes is about half the CPU of
    a start; a JDK 17 dynamic CDS archive lets later starts map them instead (measured about
    6 s instead of 11 s CPU). It is recorded by starting and stopping one throwaway server with
    ``-XX:ArchiveClassesAtExit``; a later JDK or jar change makes the JVM ignore the archive.
    """
    fetch_jars(layout)
    archive = layout.class_archive
    if archive.is_file():
        return False
    with _locked(layout.lib_stamp.with_name("lock")):
        if archive.is_file():  # another process built it while we waited
            return False
        partial = archive.with_name(archive.name + ".partial")
        with tempfile.TemporaryDirectory(prefix="neo4j-cds-") as scratch:
            trainee = Layout(home=layout.home, run_dir=Path(scratch))
            recording = (f"-XX:ArchiveClassesAtExit={partial}",)
            with _locked(trainee.lock_file):
                _start_unlocked(trainee, ServerOptions(auth=False), recording)
                pid = running_pid(trainee)
                if pid is not None:
                    _terminate(pid, timeout=120.0)  # the JVM writes the archive as it exits
        if not partial.is_file():
            raise Neo4jServerError(f"the JVM wrote no class archive to {partial}")
        partial.replace(archive)
    return True
