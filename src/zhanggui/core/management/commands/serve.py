"""`zhanggui serve`: the desk over HTTP with gunicorn (WSGI, 2 workers by default), or runserver with --dev.

WSGI under gunicorn because it measured ~5× the plain-request throughput of ASGI under uvicorn on our kind
of machine (docs: ARCHITECTURE.md). Static files come from WhiteNoise inside the app, so no web server or
`collectstatic` is needed for the desk on one machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from zhanggui.core.middleware import RequestTimeout


class DeskServer(BaseApplication):
    """gunicorn run from Python: our options instead of gunicorn's command line and config files."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the oldest gunicorn we allow are skipped there
                self.cfg.set(key, value)

    def load(self):
        from zhanggui.wsgi import application

        return application


def abort_request(worker: Any) -> None:
    """gunicorn's worker_abort hook, run by the worker's SIGABRT handler when the arbiter stops it past --timeout.

    gunicorn would exit the worker and answer a bare HTML 500; raising instead unwinds the request in progress
    (its transaction rolls back) so that it answers like any other error: 503 `timeout` JSON under /api/. The
    heartbeat gives the answer one more timeout period before the arbiter's SIGKILL (else it comes within a
    second); the worker is already marked as stopping, so it exits right after the answer.
    """
    if worker is not None:
        worker.notify()
    raise RequestTimeout(_("The request took too long and was stopped; nothing of it was saved."))


def gunicorn_options(*, host: str, port: int, workers: int, timeout: int = 60) -> dict[str, Any]:
    bind_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return {
        "bind": f"{bind_host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": timeout,
        "worker_abort": abort_request,
        "graceful_timeout": 10,
        "errorlog": "-",
        "proc_name": "zhanggui",
        # gunicorn ≥ 24 opens a control socket in ~/.gunicorn; two desks on one machine would fight over it.
        "control_socket_disable": True,
    }


def unapplied_migrations() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, translated once the language is known
        return _("Serve the desk over HTTP (gunicorn with WSGI workers; --dev: Django's runserver).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on."))
        parser.add_argument("--workers", type=int, default=2, help=_("gunicorn worker processes (one per core)."))
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help=_("Seconds a request may take before its worker is stopped (the API then answers 503 timeout)."),
        )
        parser.add_argument(
            "--dev",
            action="store_true",
            help=_("Use Django's runserver, which reloads on code changes (development only)."),
        )

    def handle(self, *args, **options) -> None:
        host, port, workers = options["host"], options["port"], options["workers"]
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1:
            raise CommandError(_("At least one worker is needed."))
        if options["timeout"] < 1:
            raise CommandError(_("The timeout must be at least 1 second."))
        pending = unapplied_migrations()
        if pending:
            self.stderr.write(
                _("%(count)s database migrations are not applied: run `zhanggui demo` or `zhanggui migrate`.")
                % {"count": pending}
            )
        shown = f"[{host}]" if ":" in host else host
        if options["dev"]:
            call_command("runserver", f"{shown}:{port}")
            return
        self.stdout.write(
            _("Zhanggui desk at http://%(address)s/ (gunicorn, %(workers)s workers). Ctrl-C stops it.")
            % {"address": f"{shown}:{port}", "workers": workers}
        )
        self.stdout.flush()
        # WhiteNoise warns on every worker start when STATIC_ROOT is missing, though it serves from the apps.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        # The workers are forked from this process: they must not share its database connection.
        connections.close_all()
        DeskServer(gunicorn_options(host=host, port=port, workers=workers, timeout=options["timeout"])).run()
