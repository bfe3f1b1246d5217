"""What the pytest plugin costs: nothing much when unused, little per test when used.

1. Collection of a generated 200-test suite, with the plugin loaded (as pytest11 does)
   and with `-p no:wsdoctor`; goal: at most 20 ms more. Median of RUNS runs each.
2. The per-test overhead of `deepgram_lab` (start and stop the lab): N tests that take
   the fixture against N that do not, timed by pytest's own --durations data; goal: under
   50 ms per test.

Run: .venv/bin/python benchmarks/pytest_plugin.py [RUNS] [N]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN_TESTS = 200


def write_suite(folder: Path, n_lab: int) -> None:
    plain = "\n".join(f"def test_plain_{i}():\n    assert True\n" for i in range(PLAIN_TESTS))
    (folder / "test_plain.py").write_text(plain)
    with_lab = "\n".join(
        f"def test_lab_{i}(deepgram_lab):\n    assert deepgram_lab.url\n" for i in range(n_lab)
    )
    (folder / "test_lab.py").write_text(with_lab)
    (folder / "pytest.ini").write_text("[pytest]\n")  # keep the project's config out


# Bytecode is cached as in a user's environment: with PYTHONDONTWRITEBYTECODE (set on some
# CI machines) every run would also pay for compiling the plugin, which says nothing of it.
CACHED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=CACHED)
    return time.perf_counter() - started


def collection_ms(folder: Path, runs: int) -> tuple[float, float, float]:
    """(median with, median without, median of paired differences), runs interleaved so a
    busy machine slows both alike."""
    argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "test_plain.py"]
    with_plugin, without = [], []
    timed(argv, folder)  # warm: bytecode written, files in the page cache
    for _ in range(runs):
        with_plugin.append(timed(argv, folder) * 1000)
        without.append(timed([*argv, "-p", "no:wsdoctor"], folder) * 1000)
    differences = [a - b for a, b in zip(with_plugin, without, strict=True)]
    return (
        statistics.median(with_plugin),
        statistics.median(without),
        statistics.median(differences),
    )


def plugin_import_ms() -> float:
    """The plugin module's own import time, pytest excluded (python -X importtime)."""
    argv = [sys.executable, "-X", "importtime", "-c", "import pytest, wsdoctor.pytest_plugin"]
    lines = subprocess.run(argv, capture_output=True, text=True, check=True).stderr.splitlines()
    own = [line for line in lines if line.rstrip().endswith("wsdoctor.pytest_plugin")]
    return int(own[-1].split("|")[1]) / 1000 if own else float("nan")


def fixture_overhead_ms(folder: Path) -> tuple[float, int]:
    argv = [sys.executable, "-m", "pytest", "-q", "test_lab.py", "--durations=0",
            "--durations-min=0", "-p", "no:cacheprovider"]  # fmt: skip
    out = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=True).stdout
    setups = [float(s) for s in re.findall(r"([\d.]+)s setup", out)]
    teardowns = [float(s) for s in re.findall(r"([\d.]+)s teardown", out)]
    per_test = (sum(setups) + sum(teardowns)) / max(len(setups), 1) * 1000
    return per_test, len(setups)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    n_lab = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_suite(folder, n_lab)
        with_plugin, without, extra = collection_ms(folder, runs)
        print(f"collecting {PLAIN_TESTS} tests: {with_plugin:.1f} ms with the plugin, "
              f"{without:.1f} ms without; paired median {extra:+.1f} ms (goal <= 20)")  # fmt: skip
        print(
            f"the plugin module's own import (pytest already loaded): {plugin_import_ms():.1f} ms"
        )
        overhead, count = fixture_overhead_ms(folder)
        print(f"deepgram_lab setup + teardown: {overhead:.1f} ms per test over {count} tests "
              "(goal < 50)")  # fmt: skip


if __name__ == "__main__":
    main()
