"""Merging 1,000 reports: `wsdoctor merge` end to end, as a CI fan-in step runs it.

Goal: under 2 s for 1,000 reports (terminal view, fleet JSON and HTML all written).
The reports are real: one lab run per fault (healthy, a rejected key, a drop on
close), each copied to many vantage names with its timings jittered, so the fleet
view has failures to rank and differences to find. Only loopback is contacted.
Run: python benchmarks/merge.py [REPORTS]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAULTS = ("", "auth", "drop-on-close")


def lab_report(folder: Path, faults: str) -> dict[str, object]:
    out = folder / f"seed-{faults or 'healthy'}.json"
    argv = [sys.executable, "-m", "wsdoctor", "check", "--lab", faults, "--quick", "--no-save",
            "-q", "--json", str(out)]  # fmt: skip
    subprocess.run(argv, check=False, capture_output=True, timeout=120)
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def jittered(seed: dict[str, object], name: str, rng: random.Random) -> dict[str, object]:
    report = json.loads(json.dumps(seed))
    report["vantage"] = name
    for check in report["checks"]:  # type: ignore[attr-defined]
        for phase in check.get("phases", []):
            phase["ms"] = round(phase["ms"] * rng.uniform(0.5, 3.0), 2)
    return report


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeds = [lab_report(folder, faults) for faults in FAULTS]
        paths = []
        for index in range(count):
            path = folder / f"r{index:04d}.json"
            report = jittered(seeds[index % len(seeds)], f"node-{index:04d}", rng)
            path.write_text(json.dumps(report, indent=2))
            paths.append(str(path))
        size = sum(Path(p).stat().st_size for p in paths)
        outputs = ["--json", str(folder / "fleet.json"), "--html", str(folder / "fleet.html")]
        argv = [sys.executable, "-m", "wsdoctor", "merge", *paths, *outputs]
        started = time.perf_counter()
        done = subprocess.run(argv, check=False, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise SystemExit(f"merge failed ({done.returncode}): {done.stderr.strip()}")
    print(f"reports merged: {count} ({size / 2**20:.1f} MiB of JSON)")
    print(f"wsdoctor merge (whole process; terminal, JSON, HTML): {elapsed:.2f} s (goal < 2 s)")


if __name__ == "__main__":
    main()
