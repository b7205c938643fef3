"""The simulated Telegram writes its world file from inside the archiver's process, but real
Telegram's disk is not ours: a file-size limit (RLIMIT_FSIZE) that a test sets to make the
archiver's own disk "full" must not fail the simulated server. Its writes lift the soft limit
to the hard one for their duration; a limit set hard (soft == hard) applies to both."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def server_disk() -> Iterator[None]:
    """Run a block of the simulated server's own writes outside the process's soft file limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft == hard:
        yield
        return
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
