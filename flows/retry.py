"""Which failures are worth a retry: transient ones only.

A batch task is retried (with exponential backoff) when it failed because of something that
may pass by itself: a full file-descriptor table, a dropped store connection, a Neo4j
transient error, a locked SQLite file. A bug, a bad configuration or rejected credentials
fail the same way every time, so retrying them only delays the report.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

from prefect.client.schemas.objects import TaskRun
from prefect.states import State

# errno values that describe a momentary shortage or a dropped connection.
_TRANSIENT_ERRNOS = frozenset(
    {
        errno.EMFILE,
        errno.ENFILE,
        errno.ENOBUFS,
        errno.ENOMEM,
        errno.EAGAIN,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
    }
)


def _neo4j_transient(exc: BaseException) -> bool:
    try:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
    except ImportError:  # pragma: no cover - the driver is a dependency
        return False
    return isinstance(exc, ServiceUnavailable | SessionExpired | TransientError)


def is_transient(exc: BaseException) -> bool:
    """True for failures that may succeed when tried again a little later."""
    if isinstance(exc, TimeoutError | ConnectionError):
        return True
    if isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS:
        return True
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return True
    if _neo4j_transient(exc):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and is_transient(cause)


def retry_if_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect ``retry_condition_fn``: retry the task only if it failed transiently."""
    data = state.data
    if not isinstance(data, BaseException):
        data = state.result(raise_on_failure=False)
    return isinstance(data, BaseException) and is_transient(data)
