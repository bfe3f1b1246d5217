"""Start-up cost: `wsdoctor --help` and `wsdoctor explain 1006` against `python -c "import click"`.

Goal: ratio <= 1.5, i.e. heavy libraries are imported only by the commands that use them.
Run: python benchmarks/startup.py [RUNS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_wall_s(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    python = sys.executable
    baseline = median_wall_s([python, "-c", "import click"], runs)
    print(f"runs per command: {runs}")
    print(f"python -c 'import click'     median {baseline * 1000:7.1f} ms")
    for label, args in (
        ("wsdoctor --help", ["--help"]),
        ("wsdoctor explain 1006", ["explain", "1006"]),
    ):
        wall = median_wall_s([python, "-m", "wsdoctor", *args], runs)
        print(
            f"{label:<28} median {wall * 1000:7.1f} ms   ratio {wall / baseline:.2f} (goal <= 1.5)"
        )


if __name__ == "__main__":
    main()
