"""``python -m freighttracker.devproc CMD…``: run the Celery worker of ``make run`` so Ctrl-C stops it cleanly.

honcho stops its processes by sending SIGTERM to each one's whole process group. A Celery prefork
worker's pool children are in that group, so they were killed mid-shutdown ("ForkPoolWorker exited
with signal 15"), the worker missed honcho's 5 s grace and got SIGKILL. This wrapper is the group
honcho signals; the command runs in a session of its own and gets one SIGTERM on its main process
only, so Celery performs its warm shutdown (finishing or handing back tasks) and exits 0. A command
stopped by that signal counts as a clean stop (exit 0). Development only: production runs the
worker under docker-compose (see docker-compose.yml).

With ``--restart`` a command that exits on its own (killed, out of memory, an unrecoverable broker
error) is started again after :data:`RESTART_DELAY` seconds, as compose's ``restart: unless-stopped``
does; a stop asked for by the signal ends the loop. The loop lives here, not in the Procfile's shell,
because honcho signals the whole group: a ``while true`` shell there died of SIGTERM itself.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from types import FrameType

#: Seconds before a command that exited on its own is started again (``--restart``).
RESTART_DELAY = 2.0


def run(argv: list[str]) -> int:
    restart = bool(argv) and argv[0] == "--restart"
    if restart:
        argv = argv[1:]
    if not argv:
        print("usage: python -m freighttracker.devproc [--restart] COMMAND [ARG…]", file=sys.stderr)
        return 2
    stopping = threading.Event()
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set() and child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)
        stopping.set()

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while True:
        child = subprocess.Popen(argv, start_new_session=True)  # noqa: S603 - our own Procfile line
        if stopping.is_set():  # the signal came while it was being started
            child.send_signal(signal.SIGTERM)
        rc = child.wait()
        if stopping.is_set():
            return 0 if rc in (0, -signal.SIGTERM, 128 + signal.SIGTERM) else rc
        if not restart:
            return rc
        print(f"devproc: {argv[0]} exited ({rc}); restarting in {RESTART_DELAY:g} s", file=sys.stderr, flush=True)
        if stopping.wait(RESTART_DELAY):
            return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
