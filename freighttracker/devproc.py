"""``python -m freighttracker.devproc CMD…``: run the Celery worker of ``make run`` so Ctrl-C stops it cleanly.

honcho stops its processes by sending SIGTERM to each one's whole process group. A Celery prefork
worker's pool children are in that group, so they were killed mid-shutdown ("ForkPoolWorker exited
with signal 15"), the worker missed honcho's 5 s grace and got SIGKILL. This wrapper is the group
honcho signals; the command runs in a session of its own and gets one SIGTERM on its main process
only, so Celery performs its warm shutdown (finishing or handing back tasks) and exits 0. A command
stopped by that signal counts as a clean stop (exit 0). Development only: production runs the
worker under docker-compose (see docker-compose.yml).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType


def run(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m freighttracker.devproc COMMAND [ARG…]", file=sys.stderr)
        return 2
    child = subprocess.Popen(argv, start_new_session=True)  # noqa: S603 - our own Procfile line
    stopping = False

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping and child.poll() is None:
            child.send_signal(signal.SIGTERM)
        stopping = True

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    rc = child.wait()
    if stopping and rc in (0, -signal.SIGTERM, 128 + signal.SIGTERM):
        return 0
    return rc


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
