"""The demo's later steps, registered by the apps above the city.

``manage.py seed_demo`` (campaign) builds the demo city, then runs every registered step in
order: the ledger's twelve weeks, then the inspections, then whatever higher apps add. The
campaign app cannot import those apps (it is the ground floor), so each registers its step from
its ``AppConfig.ready()``. A step is idempotent: run again, it adds nothing that is there.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoReport:
    """What a step tells the operator: a headline (styled as success when something was
    written) and detail lines."""

    headline: str
    wrote: bool = True
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    # Runs with the full demo (the ledger and its history).
    build: Callable[[], DemoReport]
    # Runs instead with --without-ledger (the city's own tests); None: nothing to do then.
    build_city_only: Callable[[], DemoReport | None] | None = None


_steps: dict[str, DemoStep] = {}


def demo_step_register(step: DemoStep) -> None:
    _steps[step.name] = step


def demo_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
