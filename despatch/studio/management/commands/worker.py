"""``despatch worker``: run background tasks from the database, and the periodic ones.

It wraps django-tasks-db's worker (``db_worker``) and adds a small clock: every
few seconds it enqueues each task of ``DESPATCH_PERIODIC_TASKS`` whose interval
has passed since it was last enqueued. The clock reads the task table itself,
so a restarted worker (or a second one) neither forgets nor doubles a run;
the tasks are idempotent in any case (an announcement is claimed before it is
made), which is what keeps their side effects to exactly once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("despatch.worker")

CLOCK_SECONDS = 5


def enqueue_due_periodic_tasks(now: Any = None) -> list[str]:
    """Enqueue each periodic task not enqueued within its interval; return their paths."""
    now = now or timezone.now()
    enqueued = []
    for path, seconds in settings.DESPATCH_PERIODIC_TASKS.items():
        recent = DBTaskResult.objects.filter(
            task_path=path, enqueued_at__gt=now - timedelta(seconds=seconds)
        ).exists()
        if recent:
            continue
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued


class Clock(threading.Thread):
    """A daemon thread that enqueues periodic tasks until the worker stops."""

    def __init__(self, interval: float = CLOCK_SECONDS) -> None:
        super().__init__(name="despatch-worker-clock", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                for path in enqueue_due_periodic_tasks():
                    logger.info("Enqueued periodic task %s", path)
            except Exception:
                logger.exception("Could not enqueue periodic tasks; trying again shortly")
            finally:
                connections.close_all()
            self.stopping.wait(self.interval)


class Command(DatabaseWorkerCommand):
    help = (
        "Run Despatch's background worker: publication side effects, image renditions, "
        "e-mails, and the periodic tasks (scheduled posts, inactive staff). Ctrl+C stops it "
        "after the task in hand."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-clock",
            action="store_true",
            help="Do not enqueue periodic tasks from this worker (another one does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.backend import DatabaseBackend

        if not isinstance(task_backends["default"], DatabaseBackend):
            raise CommandError(
                "The task backend is not the database one, so there is nothing to work on: "
                "tasks run as they are enqueued. Unset DESPATCH_TASK_BACKEND to use the worker."
            )
        options["queue_name"] = ",".join(task_backends["default"].queues) or "default"
        if not options.pop("no_clock") and not options.get("batch"):
            Clock().start()
        elif options.get("batch"):
            enqueue_due_periodic_tasks()
        super().handle(*args, **options)


def start_alongside(*, stdout: Any = None) -> subprocess.Popen[bytes] | None:
    """Start ``despatch worker`` as a child process, for ``despatch serve``.

    Returns ``None`` when the worker is switched off by setting or when tasks
    run in the request anyway (a non-database backend).
    """
    from django_tasks_db.backend import DatabaseBackend

    if not settings.DESPATCH_SERVE_WITH_WORKER or not isinstance(
        task_backends["default"], DatabaseBackend
    ):
        return None
    command = [sys.executable, "-m", "despatch.cli", "worker", "--no-reload"]
    return subprocess.Popen(command, env=os.environ.copy(), stdout=stdout)  # noqa: S603
