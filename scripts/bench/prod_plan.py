"""What the production benchmark runs: which stacks, which levels, how long, and the time bound."""

from __future__ import annotations

from dataclasses import dataclass

from scripts.bench.prod_load import Level

THINK_SECONDS = (2.0, 6.0)  # a resident reading the answer and typing the next message
NO_PAUSE = (0.0, 0.0)


@dataclass(frozen=True)
class StackSpec:
    name: str  # as the report shows it
    kind: str  # "one-process" or "prod"
    replicas: int


STACKS = {
    "prod-2": StackSpec("run-prod, 2 replicas", "prod", 2),
    "prod-1": StackSpec("run-prod, 1 replica", "prod", 1),
    "one-process": StackSpec("make run (one process, SQLite)", "one-process", 1),
}


@dataclass(frozen=True)
class Plan:
    stacks: tuple[str, ...]
    levels: tuple[Level, ...]
    budget_minutes: float  # the whole run, stack starts included: levels that would end later are skipped


def _levels(users: tuple[int, ...], paced_seconds: float, b2b_seconds: float, think: tuple[float, float]):
    return tuple(Level("paced", u, think, paced_seconds) for u in users) + tuple(
        Level("back-to-back", u, NO_PAUSE, b2b_seconds) for u in users
    )


# Two replicas first: the 1-vs-2 comparison is the figure the profile exists for, and the
# one-process stack starts fastest if the budget runs short. Back-to-back levels reach their
# steady state within seconds, so they are shorter than the paced ones.
FULL = Plan(
    stacks=("prod-2", "prod-1", "one-process"),
    levels=_levels((50, 100, 200), paced_seconds=60.0, b2b_seconds=30.0, think=THINK_SECONDS),
    budget_minutes=35.0,
)
QUICK = Plan(
    stacks=("prod-2", "prod-1", "one-process"),
    levels=_levels((4, 8), paced_seconds=12.0, b2b_seconds=8.0, think=(0.5, 1.5)),
    budget_minutes=25.0,
)

# The targets of issue 13, item 4.
TARGET_P95_USERS, TARGET_P95_MS = 50, 300.0  # paced
TARGET_DEADLINE_USERS = 100  # paced: zero missed 5 s deadlines
TARGET_SCALE = 1.6  # two replicas' back-to-back throughput over one replica's
