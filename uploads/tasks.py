"""Celery tasks of the uploads app: thin, an id in and a service call."""

from __future__ import annotations

from celery import shared_task

from uploads.commit import upload_commit
from uploads.services import upload_check


@shared_task(name="uploads.check", ignore_result=True)
def upload_check_task(upload_id: int) -> None:
    upload_check(upload_id=upload_id)


@shared_task(name="uploads.commit", ignore_result=True)
def upload_commit_task(upload_id: int) -> None:
    upload_commit(upload_id=upload_id)
