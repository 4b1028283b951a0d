"""The layout README "Architecture" promises: apps on floors, services and tasks without cycles.

The floors themselves are an import-linter contract (pyproject.toml, `lint-imports` in CI and
`make lint`); this test runs the same contract from the suite, so `make test` catches a lower
app importing a higher one, and adds what a layers contract cannot say: no service module and
task module import each other in a circle, even through other modules or inside functions.
"""

import itertools
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES = CONFIG["root_packages"]


@pytest.fixture(scope="module")
def graph():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    # Tests may drive the apps above the one they test (the contract's ignore_imports says so too).
    for module in list(graph.modules):
        if "tests" in module.split("."):
            graph.remove_module(module)
    return graph


def test_every_app_is_on_a_floor():
    from django.apps import apps

    layers = {
        name.strip()
        for contract in CONFIG["contracts"] if contract["type"] == "layers"
        for layer in contract["layers"] for name in layer.split("|")
    }
    ours = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    assert ours - layers == set(), "an app of this project is missing from the floors in pyproject.toml"


def test_no_lower_app_imports_a_higher_one(graph):
    for contract in CONFIG["contracts"]:
        if contract["type"] != "layers":
            continue
        floors = [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]
        for high_index, highs in enumerate(floors):
            for lows in floors[high_index + 1:]:
                for high, low in itertools.product(highs, lows):
                    chain = graph.find_shortest_chain(importer=low, imported=high, as_packages=True)
                    assert chain is None, f"{low} (lower) imports {high} (higher): {' -> '.join(chain)}"


def test_no_module_imports_a_tasks_module_that_imports_it(graph):
    """Tasks call services (and other modules); a module that hands work to the worker names the
    task (campaign.jobs.task_by_name) instead of importing the tasks module: no circle through
    a tasks module, at module level or inside a function."""
    tasks = sorted(m for m in graph.modules if m.split(".")[-1] == "tasks")
    assert tasks
    circles = []
    for task_module in tasks:
        for importer in sorted(graph.find_modules_that_directly_import(task_module)):
            back = graph.find_shortest_chain(importer=task_module, imported=importer)
            if back:
                circles.append(f"{importer} -> {' -> '.join(back)}")
    assert circles == []
