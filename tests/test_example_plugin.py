"""The shipped plugin example, examples/wsdoctor-clock-skew, passes its own tests as its
author runs them: installed (`.ci/run` installs it, editable), from its own folder, so
the lab fixture, the public HTTP helper and the CLI are what a third party gets."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

from wsdoctor.registry import AUTOLOAD_OFF_ENV

EXAMPLE = Path(__file__).parent.parent / "examples" / "wsdoctor-clock-skew"
INSTALL = "pip install -e examples/wsdoctor-clock-skew (bash .ci/run does)"


def installed_from_this_checkout() -> None:
    try:
        distribution("wsdoctor-clock-skew")
    except PackageNotFoundError:
        pytest.fail(f"the example plugin is not installed: {INSTALL}")
    import wsdoctor_clock_skew

    where = Path(wsdoctor_clock_skew.__file__).resolve()
    if not where.is_relative_to(EXAMPLE.resolve()):
        pytest.fail(f"the example plugin is installed from {where}, not this checkout: {INSTALL}")


def test_the_example_plugin_passes_its_own_tests():
    installed_from_this_checkout()
    env = {name: value for name, value in os.environ.items() if name != AUTOLOAD_OFF_ENV}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(argv, cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
