"""`zhanggui worker`: the background work that runs without a person (docs/adr/0002-background-work.md).

Two parts in one process: APScheduler's cron triggers enqueue the periodic tasks (every installed app's
`tasks.PERIODIC_TASKS`: the review sweep every minute, the SLA check every 5 minutes), and django-tasks-db's
worker runs whatever is queued. With a distributed backend (RQ, …) its own workers run the tasks and this
command only keeps the schedule. SIGTERM or Ctrl+C stops both after the task in progress.

`--once` enqueues every periodic task once and runs the queue until it is empty (tests, or a system crontab
instead of a long-running worker). Run one scheduler per database: more worker processes take `--no-scheduler`.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

#: Finished task rows of the database backend are deleted after these many days (failed ones kept longer).
KEEP_RESULTS_DAYS, KEEP_FAILED_DAYS = 7, 30
PRUNE_CRON = "30 4 * * *"


def periodic_tasks() -> list[tuple[str, Task]]:
    """(cron expression, task) of every installed app that has `tasks.PERIODIC_TASKS`."""
    found: list[tuple[str, Task]] = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, "tasks"):
            found += getattr(import_module(f"{app.name}.tasks"), "PERIODIC_TASKS", ())
    return found


def enqueue_periodic(task: Task) -> None:
    """A cron trigger fired: queue the task (the worker, maybe on another machine, runs it)."""
    try:
        task.enqueue()
    finally:
        _done_with_connections()


def _done_with_connections() -> None:
    """APScheduler runs jobs in threads of its own, each with its own database connection: close it when the
    job is done. Called in the main thread (a test, `--once`) it leaves the caller's connection alone."""
    if threading.current_thread() is not threading.main_thread():
        close_old_connections()


def prune_results() -> None:
    try:
        call_command(
            "prune_db_task_results",
            queue_name="*",
            min_age_days=KEEP_RESULTS_DAYS,
            failed_min_age_days=KEEP_FAILED_DAYS,
            verbosity=0,
        )
    finally:
        _done_with_connections()


def uses_database_backend() -> bool:
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def build_scheduler(scheduler_class: type[BaseScheduler] = BackgroundScheduler) -> BaseScheduler:
    """The cron schedule, not started. One thread runs the jobs: each only enqueues, a millisecond's work;
    a trigger missed while the machine slept fires once (coalesce) if under 30 s late, else waits its next turn."""
    scheduler = scheduler_class(
        timezone=settings.TIME_ZONE,
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    for cron, task in periodic_tasks():
        trigger = CronTrigger.from_crontab(cron, timezone=settings.TIME_ZONE)
        scheduler.add_job(enqueue_periodic, trigger, args=[task], id=task.module_path, name=task.module_path)
    if uses_database_backend():
        trigger = CronTrigger.from_crontab(PRUNE_CRON, timezone=settings.TIME_ZONE)
        scheduler.add_job(prune_results, trigger, id="prune_db_task_results", name="prune_db_task_results")
    return scheduler


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, translated once the language is known
        return _("Run the background work: the periodic schedule and the task queue (docs/adr/0002).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every periodic task once, run the queue until empty, exit."
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run queued tasks (extra workers: one scheduler per database is enough).",
        )
        parser.add_argument(
            "--queue-name", default="*", help="Queues to run, comma-separated; * for all (default: %(default)s)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue (default: 1)."
        )

    def handle(self, *args: Any, once: bool, no_scheduler: bool, queue_name: str, interval: float, **options: Any):
        database = uses_database_backend()
        if once:
            self._once(database=database, schedule=not no_scheduler, queue_name=queue_name)
            return
        scheduler = None if no_scheduler else build_scheduler(BackgroundScheduler if database else BlockingScheduler)
        if not database:
            self._schedule_only(scheduler)
            return
        worker = self._worker(queue_name=queue_name, interval=interval, batch=False)
        if scheduler is not None:
            scheduler.start()
            self._started(scheduler.get_jobs())
        self.stdout.write(
            _("worker %(id)s: running the queue %(queues)s (SIGTERM or Ctrl+C stops it)")
            % {"id": worker.worker_id, "queues": queue_name}
        )
        worker.configure_signals()
        try:
            worker.run()  # returns, or raises SystemExit from its signal handler, once stopped
        finally:
            worker.reset_signals()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            self.stdout.write(_("worker stopped"))

    def _once(self, *, database: bool, schedule: bool, queue_name: str) -> None:
        if schedule:
            for _cron, task in periodic_tasks():
                task.enqueue()
                self.stdout.write(_("enqueued %(task)s") % {"task": task.module_path})
        if database:
            self._worker(queue_name=queue_name, interval=0, batch=True).run()
            self.stdout.write(_("queue empty"))
        else:
            self.stdout.write(_("the task backend's own workers run the queue"))

    def _schedule_only(self, scheduler: BaseScheduler | None) -> None:
        if scheduler is None:
            self.stdout.write(_("nothing to do: the task backend's own workers run the queue, and --no-scheduler"))
            return
        self._started(scheduler.get_jobs())
        self.stdout.write(_("the task backend's own workers run the queue; this process keeps the schedule"))

        def stop(signum: int, frame: Any) -> None:
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        scheduler.start()  # BlockingScheduler: returns once stop() shut it down
        self.stdout.write(_("worker stopped"))

    def _worker(self, *, queue_name: str, interval: float, batch: bool) -> Worker:
        queues = [name.strip() for name in queue_name.split(",") if name.strip()] or ["*"]
        return Worker(
            queue_names=queues,
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[-64:],
            excluded_queue_names=[],
        )

    def _started(self, jobs: Iterable[Any]) -> None:
        for job in jobs:
            self.stdout.write(_("scheduled %(job)s: %(trigger)s") % {"job": job.name, "trigger": job.trigger})
