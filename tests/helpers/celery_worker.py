"""A real Celery worker process (``celery -A ecommerce worker``) against the test broker and the
test database, that a test can start, kill (SIGKILL) and start again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class CeleryWorker:
    def __init__(self, *, broker_url: str, database_url: str, env: dict[str, str], log_dir: Path) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.helpers.worker_settings",
            "CELERY_BROKER_URL": broker_url,
            "DATABASE_URL": database_url,
            **env,
        }
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, *, beat: bool = False) -> CeleryWorker:
        """Start the worker; with ``beat``, with beat inside it (``-B``, as a small deployment
        runs it): the schedule of settings.CELERY_BEAT_SCHEDULE, the outbox relay included."""
        self.starts += 1
        log = open(self.log_dir / f"worker-{self.starts}.log", "wb")  # noqa: SIM115 - closed with the process
        beat_args = ["-B", f"--schedule={self.log_dir / 'beat-schedule'}"] if beat else []
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "celery", "-A", "ecommerce", "worker", "--pool=solo", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
             f"--hostname=test{self.starts}@%h", *beat_args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, in the middle of whatever it runs."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("worker-*.log")))
