"""Progress of a long-running upload task, written where the page can see it at once.

Creating the jobs happens in one transaction (all or nothing), so progress written through the
task's own connection would stay invisible until the very end. These updates go through a second,
autocommitting connection to the same database instead. They touch only the progress columns of
the upload row, which the commit transaction does not lock until its final update.
"""

from __future__ import annotations

import logging
import time

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import DatabaseError

from uploads.models import Upload

logger = logging.getLogger(__name__)
MIN_INTERVAL = 0.25  # seconds between writes: enough for a live bar, cheap for the database


class ProgressWriter:
    def __init__(self, upload_id: int, *, side_connection: bool) -> None:
        self.upload_id = upload_id
        self.side_connection = side_connection
        self._conn: BaseDatabaseWrapper | None = None
        self._last = 0.0

    def __call__(self, *, done: int, percent: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < MIN_INTERVAL:
            return
        self._last = now
        percent = max(0, min(percent, 100))
        if not self.side_connection:
            Upload.objects.filter(pk=self.upload_id).update(progress_done=done, progress_percent=percent)
            return
        try:
            if self._conn is None:
                self._conn = connections.create_connection("default")
            with self._conn.cursor() as cursor:
                cursor.execute(
                    "UPDATE uploads_upload SET progress_done = %s, progress_percent = %s WHERE id = %s",
                    [done, percent, self.upload_id],
                )
        except DatabaseError:
            # Progress is a courtesy; never let it break the commit.
            logger.warning("upload %s: progress update failed", self.upload_id, exc_info=True)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
