"""Command line: ``python -m deploy.neo4j start|stop|status|env|reset|fetch``.

``eval "$(python -m deploy.neo4j env)"`` exports ``CMDB_TEST_NEO4J_URI`` (and user/password) for
the test suite. Status messages go to stderr so that stdout stays sourceable.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from deploy.neo4j.server import (
    MAIN_CLASS,
    Layout,
    Neo4jServerError,
    ServerOptions,
    build_class_archive,
    connection,
    fetch_jars,
    reset,
    running_pid,
    start,
    stop,
)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _layout(args: argparse.Namespace) -> Layout:
    return Layout(run_dir=Path(args.run_dir).resolve()) if args.run_dir else Layout()


def _options(args: argparse.Namespace) -> ServerOptions:
    return ServerOptions(
        auth=args.auth,
        heap_initial=args.heap_initial,
        heap=args.heap,
        pagecache=args.pagecache,
        port=args.port,
        startup_timeout=args.timeout,
    )


def _cmd_fetch(args: argparse.Namespace) -> int:
    layout = _layout(args)
    began = time.monotonic()
    ran = fetch_jars(layout)
    _say(f"neo4j jars {'fetched' if ran else 'already cached'} ({time.monotonic() - began:.1f}s)")
    began = time.monotonic()
    if build_class_archive(layout):
        _say(f"neo4j class archive recorded ({time.monotonic() - began:.1f}s)")
    return 0


def _start_like(args: argparse.Namespace, action: Callable[[Layout, ServerOptions], object]) -> int:
    layout = _layout(args)
    was_running = running_pid(layout) is not None and action is start
    began = time.monotonic()
    action(layout, _options(args))
    ready = connection(layout)
    assert ready is not None, "start returned but the server is gone"
    verb = "already running" if was_running else f"ready in {time.monotonic() - began:.1f}s"
    _say(
        f"neo4j {verb} on {ready.uri} (pid {running_pid(layout)}, auth {'on' if ready.auth else 'off'})"
    )
    return 0


def _cmd_start(args: argparse.Namespace) -> int:
    return _start_like(args, start)


def _cmd_reset(args: argparse.Namespace) -> int:
    return _start_like(args, reset)


def _cmd_stop(args: argparse.Namespace) -> int:
    began = time.monotonic()
    stopped = stop(_layout(args))
    _say(f"neo4j stopped ({time.monotonic() - began:.1f}s)" if stopped else "neo4j was not running")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    layout = _layout(args)
    current = connection(layout)
    if current is None:
        _say("neo4j is not running")
        return 1
    _say(f"neo4j is running on {current.uri} (pid {running_pid(layout)}, {MAIN_CLASS})")
    return 0


def _cmd_env(args: argparse.Namespace) -> int:
    current = connection(_layout(args))
    if current is None:
        _say("neo4j is not running: start it with `make neo4j-start`")
        return 1
    print("\n".join(current.env_lines()))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy.neo4j", description=__doc__)
    parser.add_argument("--run-dir", help="server state folder (default deploy/neo4j/run)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler, text in (
        ("fetch", _cmd_fetch, "download the jars (Maven), record the class archive"),
        ("start", _cmd_start, "start the server and wait until Bolt answers"),
        ("reset", _cmd_reset, "stop, delete all data, start again on the same port"),
        ("stop", _cmd_stop, "stop the server by PID"),
        ("status", _cmd_status, "exit 0 if running"),
        ("env", _cmd_env, "print export lines for CMDB_TEST_NEO4J_*"),
    ):
        command = commands.add_parser(name, help=text)
        command.set_defaults(handler=handler)
        if name in ("start", "reset"):
            _add_server_options(command)
    return parser


def _add_server_options(command: argparse.ArgumentParser) -> None:
    defaults = ServerOptions()
    command.add_argument(
        "--no-auth", dest="auth", action="store_false", help="disable authentication"
    )
    command.add_argument(
        "--port", type=int, help="Bolt port (default: the last one if free, else any free)"
    )
    command.add_argument("--heap", default=defaults.heap, help="maximum JVM heap (-Xmx)")
    command.add_argument(
        "--heap-initial", default=defaults.heap_initial, help="initial heap (-Xms)"
    )
    command.add_argument("--pagecache", default=defaults.pagecache, help="page cache size")
    command.add_argument("--timeout", type=float, default=defaults.startup_timeout, help="seconds")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except Neo4jServerError as error:
        _say(f"error: {error}")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
