"""Background jobs: an RQ queue on Redis when ``REDIS_URL`` is set, a thread otherwise.

Jobs are plain importable functions taking plain arguments (ids), so that an RQ
worker in another process can run them. ``flask --app consultation jobs worker``
starts such a worker inside an application context.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from consultation.extensions import db

log = logging.getLogger(__name__)
QUEUE_NAME = "consultation"
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="consultation-job")


def _redis():
    from redis import Redis

    return Redis.from_url(current_app.config["REDIS_URL"])


def uses_redis() -> bool:
    return bool(current_app.config.get("REDIS_URL")) and not current_app.config.get(
        "JOBS_IN_PROCESS"
    )


def enqueue(function, *args) -> Future | object:
    """Run ``function(*args)`` in the background; returns the RQ job or a Future."""
    if uses_redis():
        from rq import Queue

        queue = Queue(QUEUE_NAME, connection=_redis())
        return queue.enqueue(function, *args, job_timeout=3600)
    app = current_app._get_current_object()
    return _executor.submit(_run_in_app, app, function, *args)


def _run_in_app(app, function, *args):
    with app.app_context():
        try:
            return function(*args)
        except Exception:
            log.exception("Background job %s%r failed", function.__name__, args)
            raise
        finally:
            db.session.remove()


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst):
    """Run an RQ worker for the jobs queue (needs REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run inside the web process.")
    from rq import SimpleWorker

    # SimpleWorker runs jobs in this process, inside the application context.
    SimpleWorker([QUEUE_NAME], connection=_redis()).work(burst=burst)


def init_app(app) -> None:
    app.cli.add_command(jobs_cli)
