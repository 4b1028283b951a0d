"""Defect 10: the production image collects its static files with production settings (a
manifest), and CI replays exactly the Dockerfile's build steps (scripts/check_image.py)."""

import importlib.util

from tests.helpers import ROOT


def check_image():
    spec = importlib.util.spec_from_file_location("check_image", ROOT / "scripts" / "check_image.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_build_step_of_the_dockerfile_is_one_that_ci_replays():
    checker = check_image()
    instructions = checker.dockerfile_instructions()
    steps = checker.check_run_steps(instructions)  # refuses any other RUN
    assert steps == [f"sh {checker.BUILD_SCRIPT} dependencies", f"sh {checker.BUILD_SCRIPT} application"]
    assert any(instruction == "CMD" and "gunicorn" in arguments for instruction, arguments in instructions)


def test_a_build_step_outside_the_build_script_fails_the_check(tmp_path):
    checker = check_image()
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        (ROOT / "Dockerfile").read_text()
        + "RUN DEBUG=1 python manage.py collectstatic --noinput \\\n    && useradd x\n"
    )
    try:
        checker.check_run_steps(checker.dockerfile_instructions(dockerfile))
    except SystemExit as refusal:
        assert "collectstatic" in str(refusal)
    else:
        raise AssertionError("a RUN step CI does not replay was accepted")


def test_the_image_collects_static_files_with_production_settings():
    script = (ROOT / "scripts" / "image_build.sh").read_text()
    assert "env -u DEBUG" in script and "collectstatic" in script
    assert "DEBUG=1" not in script
    assert "DEBUG=1" not in (ROOT / "Dockerfile").read_text()

