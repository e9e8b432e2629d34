"""``python -m freighttracker.devrun start …``: honcho for ``make run``, with time for a clean stop.

On Ctrl-C honcho sends SIGTERM to every process and SIGKILLs what still runs after ``KILL_WAIT``
(5 s). A Celery worker's warm shutdown (stop consuming, let running tasks finish or go back to the
queue, close the pool) takes longer than that on a busy laptop, so it was killed half-way. Twenty
seconds is enough for an idle worker and short enough for a person waiting at the prompt.
"""

from __future__ import annotations

import sys

import honcho.manager
from honcho.command import main

GRACE_SECONDS = 20

if __name__ == "__main__":
    honcho.manager.KILL_WAIT = GRACE_SECONDS  # type: ignore[attr-defined]
    sys.argv[0] = "honcho"
    sys.exit(main())
