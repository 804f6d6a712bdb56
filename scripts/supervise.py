"""``python -m scripts.supervise [options] NAME=COMMAND ...``: keep a set of services running.

One crashed service must not take the whole stack down (`wait -n` did), nor be
restarted in a tight loop: a service that exits is started again after 1 s, then
2, 4, … up to 30 s while it keeps failing; once it has stayed up for a minute the
delay starts from 1 s again. Every exit and restart is logged. SIGINT/SIGTERM
(Ctrl-C) stops every service (SIGTERM, then SIGKILL after a grace period) and exits.

COMMAND is split like a shell would (shlex) but not run by a shell. With --log-dir
each service writes to <dir>/<NAME>.log (appended across restarts), otherwise to
the supervisor's own stdout/stderr. --give-up-after N stops everything when a
service fails N times in a row without staying up (the test harness uses it to
fail fast instead of waiting for a timeout; `make run` retries forever).
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("supervise")

POLL_SECONDS = 0.2


@dataclass
class Service:
    name: str
    argv: list[str]
    log_path: Path | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    delay: float = 0.0
    restarts: int = 0
    failures_in_row: int = 0
    _log_file: object | None = field(default=None, repr=False)

    def start(self) -> None:
        out = None
        if self.log_path is not None:
            self._log_file = self.log_path.open("ab", buffering=0)
            out = self._log_file
        # Same process group as the supervisor: killing the group (Ctrl-C, the test
        # harness) reaches every service even if the supervisor itself is killed.
        self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT if out else None)
        self.started_at = time.monotonic()
        self.restart_at = None
        log.info("started %s (pid %d)", self.name, self.proc.pid)

    def close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class Supervisor:
    def __init__(
        self,
        services: list[Service],
        min_delay: float = 1.0,
        max_delay: float = 30.0,
        reset_after: float = 60.0,
        give_up_after: int = 0,
        grace: float = 20.0,
    ) -> None:
        self.services = services
        self.min_delay, self.max_delay = min_delay, max_delay
        self.reset_after, self.give_up_after, self.grace = reset_after, give_up_after, grace
        self.stopping = False

    def request_stop(self, signum: int, _frame=None) -> None:
        if not self.stopping:
            log.info("received %s: stopping every service", signal.Signals(signum).name)
        self.stopping = True

    def _on_exit(self, service: Service, now: float) -> bool:
        """Schedule the restart of a service that exited; False when it is time to give up."""
        status = service.proc.returncode
        service.close_log()
        service.proc = None
        if now - service.started_at >= self.reset_after:
            service.delay, service.failures_in_row = 0.0, 0
        service.failures_in_row += 1
        service.delay = min(self.max_delay, service.delay * 2 if service.delay else self.min_delay)
        if self.give_up_after and service.failures_in_row >= self.give_up_after:
            log.error(
                "%s exited with status %s, %d times in a row: giving up", service.name, status, service.failures_in_row
            )
            return False
        service.restarts += 1
        service.restart_at = now + service.delay
        log.warning(
            "%s exited with status %s; restart %d in %g s", service.name, status, service.restarts, service.delay
        )
        return True

    def run(self) -> int:
        for service in self.services:
            service.start()
        exit_code = 0
        while not self.stopping:
            now = time.monotonic()
            for service in self.services:
                if service.proc is not None and service.proc.poll() is not None:
                    if not self._on_exit(service, now):
                        self.stopping, exit_code = True, 1
                        break
                elif service.proc is None and service.restart_at is not None and now >= service.restart_at:
                    service.start()
            time.sleep(POLL_SECONDS)
        self.stop_all()
        return exit_code

    def stop_all(self) -> None:
        running = [s for s in self.services if s.proc is not None and s.proc.poll() is None]
        for service in running:
            service.proc.terminate()
        deadline = time.monotonic() + self.grace
        for service in running:
            try:
                service.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s: killing it", service.name, self.grace)
                service.proc.kill()
                service.proc.wait()
        for service in self.services:
            service.close_log()
        log.info("all services stopped")


def parse_services(specs: list[str], log_dir: Path | None) -> list[Service]:
    services: dict[str, Service] = {}
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name.isidentifier() or not command.strip():
            raise ValueError(f"expected NAME=COMMAND, got {spec!r}")
        if name in services:
            raise ValueError(f"service {name!r} given twice")
        services[name] = Service(name, shlex.split(command), log_dir / f"{name}.log" if log_dir else None)
    if not services:
        raise ValueError("no service to supervise")
    return list(services.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="supervise", description=__doc__.split("\n\n")[1])
    parser.add_argument("services", nargs="+", metavar="NAME=COMMAND")
    parser.add_argument("--log-dir", type=Path)
    parser.add_argument("--min-delay", type=float, default=1.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    parser.add_argument("--reset-after", type=float, default=60.0)
    parser.add_argument("--give-up-after", type=int, default=0, help="0 = retry forever")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s supervise: %(message)s", stream=sys.stderr)
    try:
        services = parse_services(args.services, args.log_dir)
    except ValueError as exc:
        parser.error(str(exc))
    supervisor = Supervisor(services, args.min_delay, args.max_delay, args.reset_after, args.give_up_after)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
