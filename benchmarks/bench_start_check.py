"""What the start-of-run database check costs, before and after: SQLite's full check against the
page authentication that now runs at every start.

Run: ``TERMLENS_HOME=DIR TERMLENS_PASSPHRASE=... .venv/bin/python benchmarks/bench_start_check.py [--repeat 3]``
on a data folder with a large glossary (e.g. after ``main.py glossary load-icd10cm``).

Printed: the database size, then the median seconds of ``db.is_sound`` (the check every command
ran at start before: ``cipher_integrity_check`` and ``integrity_check``, the baseline) and of
``backup.examine(full=False)`` (the start check now: every page's HMAC authenticated), and their
ratio, measured in the same run. The full check still runs on each daily backup's copy (in the
background in the window), on ``security check`` and after a copy failed. A script, not a test:
it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median_seconds(work, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from desktop import paths
    from desktop.storage import appdata, backup, db

    path = paths.db_path()
    if not path.is_file():
        raise SystemExit(f"No database at {path}: set TERMLENS_HOME to a data folder with a glossary.")
    key = appdata.data_key()
    before = _median_seconds(lambda: db.is_sound(path, key), args.repeat)
    after = _median_seconds(lambda: backup.examine(path, key, full=False), args.repeat)
    print(f"database                 {path.stat().st_size / 1e6:.0f} MB")
    print(f"full check (before)      {before:.2f} s")
    print(f"start check (now)        {after:.2f} s")
    print(f"ratio                    {before / after:.1f}x faster")


if __name__ == "__main__":
    main()
