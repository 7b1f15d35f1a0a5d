"""``despatch serve``: the production web server, one command on any machine."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error as DatabaseError
from django.db import connections

WSGI_TARGET = "despatch.wsgi:application"
# Keep-alive connections each worker holds open (granian's own default with a
# 1,024-connection backlog and two workers).
CONNECTIONS_PER_WORKER = 512
# Django holds the GIL while it renders, so threads in one worker take turns on its
# core: two let one render while the other waits on the database. More interleave
# renders and lengthen the slowest answers: under 32 connections, four threads
# gave a p99 about a quarter longer than two, for no more requests a second.
DEFAULT_THREADS = 2


def default_workers() -> int:
    """One worker process per core, at most four: Django holds the GIL while rendering."""
    return max(1, min(os.cpu_count() or 1, 4))


def describe_database(alias: str = "default") -> str:
    """Name the database without its password, for messages a person reads."""
    database = settings.DATABASES[alias]
    engine = str(database.get("ENGINE", "")).rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"SQLite file {database.get('NAME')}"
    host = database.get("HOST") or "local socket"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{engine} database {database.get('NAME')!r} on {host}{port}"


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on ``host``:``port``.

    Granian listens with ``SO_REUSEPORT``, so a second server started on a busy
    port shares it with the first without a word: readers would be split between
    two sites (an older release, another database) and nobody would know.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # A server stopped a moment ago leaves connections in TIME_WAIT: not a listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}.") from error
    return False


class Command(BaseCommand):
    help = (
        "Serve Despatch with the granian WSGI server: check the database, collect static "
        "files (served compressed by WhiteNoise), start the task worker, then listen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Worker processes (default: one per core, at most four).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=(
                "Requests each worker handles at once, one thread and one database "
                f"connection each (default {DEFAULT_THREADS}; keep workers times threads "
                "under PostgreSQL's max_connections)."
            ),
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log one line for every request."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start `despatch worker` alongside (run one elsewhere instead).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        if port_in_use(options["host"], options["port"]):
            raise CommandError(
                f"Port {options['port']} on {options['host']} is already in use, perhaps by "
                "another `despatch serve`. Stop it, or choose another port with --port."
            )
        self.check_database()
        self.check_migrations()
        self.collect_static_files()
        # Workers are forked from this process: a connection opened here must not be
        # shared with them, or two processes would talk over one socket.
        connections.close_all()
        # Background work (scheduled posts, renditions, e-mails) runs beside the server.
        worker = None if options["no_worker"] else self.start_task_worker()
        try:
            self.serve(
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                threads=options["threads"],
                access_log=options["access_log"],
            )
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def start_task_worker(self) -> subprocess.Popen[bytes] | None:
        """Start ``despatch worker`` beside the web server, when an app provides one.

        The app that owns background work (the studio) ships the ``worker`` command
        and, beside it, ``start_alongside()``, which decides from its settings
        whether a worker is wanted. Core looks it up by the command's name, so
        dependencies keep pointing from the apps to core.
        """
        app_name = get_commands().get("worker")
        if app_name is None:
            return None
        module = import_module(f"{app_name}.management.commands.worker")
        start_alongside = getattr(module, "start_alongside", None)
        if start_alongside is None:
            return None
        worker: subprocess.Popen[bytes] | None = start_alongside()
        if worker is not None:
            self.stdout.write(f"Background tasks run in `despatch worker` (PID {worker.pid}).")
        return worker

    def collect_static_files(self) -> None:
        """Run ``collectstatic`` in a child process.

        Compressing every file takes tens of megabytes that Python keeps once freed;
        done here, every worker forked from this process would start with them.
        """
        command = [sys.executable, "-m", "despatch.cli", "collectstatic", "--noinput", "-v", "0"]
        result = subprocess.run(command, env=os.environ.copy(), check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError("Collecting static files failed; see the messages above.")

    def check_database(self) -> None:
        """Fail in one readable line, not a traceback, when the database is out of reach."""
        connection = connections["default"]
        try:
            connection.ensure_connection()
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            hint = "Check DATABASE_URL."
            if not os.environ.get("DATABASE_URL"):
                hint = "Check DATABASE_URL (unset, so SQLite under DESPATCH_VAR_DIR is used)."
            raise CommandError(
                f"Cannot reach the {describe_database()} ({reason.rstrip('.')}). {hint}"
            ) from error

    def serve(self, *, host: str, port: int, workers: int, threads: int, access_log: bool) -> None:
        """Hand the WSGI application to granian; returns when the server is stopped."""
        # Imported here so that every other command starts without loading the server.
        from granian import Granian
        from granian.constants import Interfaces

        scheme_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            self.style.SUCCESS(f"Despatch is serving on http://{scheme_host}:{port}/")
            + f" ({workers} worker(s), {threads} threads each; Ctrl+C stops it)"
        )
        Granian(
            target=WSGI_TARGET,
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=threads,
            # Granian's backpressure counts open connections, not requests: each
            # worker holds this many keep-alive connections, and their requests
            # wait for a free thread in granian's queue. At the number of threads,
            # the connections beyond them waited unaccepted until a reader gave up.
            backpressure=CONNECTIONS_PER_WORKER,
            log_access=access_log,
        ).serve()
