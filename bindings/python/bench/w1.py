#!/usr/bin/env python3
"""W1 ingest benchmark through the Python binding, the bulk path (docs/benchmarks.md, "W1").

10,000 series x 1,000 samples of the xorshift random-walk generator, time-major: batch i holds
sample i of every series (10,000 rows, one timestamp), added with one ``Db.add_rows`` call
(``vme_add_rows_ref``) after the series were resolved once with ``Db.series_refs``
(``vme_series_refs_resolve``, timed with the ingest). Generation runs inline, vectorised with
NumPy across the series, and is included in the wall time. Wall time runs until the data are
durable (flush + close), as in the C program ``build/bench/w1_bench DIR --refs``, which makes the
same C calls with the same batches.

After the ingest the db is reopened and checked: the series count, and every sample of series
k=0 and of the last series against the generator, plus the checksum of the generated values
(docs/benchmarks.md) for the full-size run.

Usage: w1.py DIR [--series N] [--samples M] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

import vmengine

T0 = 1767225600000
STEP_MS = 10_000
GOLDEN = 0x9E3779B97F4A7C15
TWO52 = float(2**52)


class Generator:
    """The W1 generator for series 0..n-1 at once (one NumPy element per series)."""

    def __init__(self, ks: np.ndarray) -> None:
        self.x = np.array([((int(k) + 1) * GOLDEN) % 2**64 for k in ks], dtype=np.uint64)
        self.v = np.full(len(ks), 100.0)

    def next(self) -> np.ndarray:
        x = self.x
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
        step = ((x >> np.uint64(11)).astype(np.int64) - (1 << 52)).astype(np.float64) / TWO52
        self.v = self.v + step
        # C round(): half away from zero (the values are positive; y + 0.5 is exact here).
        y = self.v * 100.0
        return np.where(y >= 0, np.floor(y + 0.5), np.ceil(y - 0.5)) / 100.0


def check_vectors() -> None:
    want = {
        0: [100.72, 100.51, 100.47, 99.85, 99.2],
        1: [100.44, 101.03, 101.94, 102.83, 102.41],
        9999: [99.64, 99.12, 99.11, 98.5, 98.38],
    }
    g = Generator(np.array(list(want)))
    got = np.array([g.next() for _ in range(5)]).T
    for row, (k, vals) in zip(got, want.items()):
        if row.tolist() != vals:
            sys.exit(f"generator: k={k} gives {row.tolist()}, want {vals}")


def series_labels(n: int) -> list[dict[str, str]]:
    return [
        {"__name__": f"cpu_usage_{k // 1000}", "host": f"host-{k % 1000:04d}", "region": f"r{k % 10}"}
        for k in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=1_000)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    a = ap.parse_args()
    if not 0 < a.series <= 10_000 or a.samples <= 0:
        sys.exit("--series must be 1..10000 and --samples positive")
    if os.path.exists(a.dir) and os.listdir(a.dir):
        sys.exit(f"{a.dir} exists and is not empty")
    options = dict(kv.split("=", 1) for kv in a.set)
    check_vectors()
    labels = series_labels(a.series)
    total = a.series * a.samples

    t_open = time.perf_counter()
    db = vmengine.open(a.dir, **options)
    t_start = time.perf_counter()
    cpu_start = time.process_time()
    refs = db.series_refs(labels)
    gen = Generator(np.arange(a.series))
    checksum = 0
    added = vmengine.AddResult()
    latencies = np.empty(a.samples)
    for i in range(a.samples):
        values = gen.next()
        if a.series == 10_000 and a.samples == 1_000:
            checksum += int(np.rint(values * 100).astype(np.int64).sum())
        t = time.perf_counter()
        added += db.add_rows(refs, T0 + i * STEP_MS, values)
        latencies[i] = time.perf_counter() - t
    t_added = time.perf_counter()
    db.flush()
    db.close()
    t_end = time.perf_counter()
    cpu = time.process_time() - cpu_start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if added.rows_added != total:
        sys.exit(f"only {added.rows_added} of {total} rows were added: {added}")
    if a.series == 10_000 and a.samples == 1_000 and checksum != 99_944_557_274:
        sys.exit(f"generator checksum {checksum}, want 99944557274")

    with vmengine.open(a.dir, **options) as db:
        count = db.series_count()
        if count != a.series:
            sys.exit(f"series_count {count}, want {a.series}")
        for k in (0, a.series - 1):
            (s,) = db.search(labels[k])
            g = Generator(np.array([k]))
            want = np.array([g.next()[0] for _ in range(a.samples)])
            if not (
                np.array_equal(s.values, want)
                and np.array_equal(s.timestamps, T0 + np.arange(a.samples) * STEP_MS)
            ):
                sys.exit(f"series {k} differs from the generator")

    lat = np.sort(latencies) * 1e3
    print(
        f"W1 (Python {sys.version.split()[0]}, vmengine {vmengine.__version__}): {a.series} series x "
        f"{a.samples} samples = {total} rows, {a.samples} batches of {a.series} rows, "
        "series refs (Db.series_refs + Db.add_rows), generation inline"
    )
    print(f"{'open (new dir), s':44} {t_start - t_open:14.3f}")
    print(f"{'ingest wall until durable, s':44} {t_end - t_start:14.3f}")
    print(f"{'  add_rows phase, s':44} {t_added - t_start:14.3f}")
    print(f"{'  flush + close, s':44} {t_end - t_added:14.3f}")
    print(f"{'ingest CPU (user + system), s':44} {cpu:14.3f}")
    print(f"{'rows/s until durable, M':44} {total / (t_end - t_start) / 1e6:14.3f}")
    print(f"{'rows/s add_rows phase, M':44} {total / (t_added - t_start) / 1e6:14.3f}")
    print(f"{'batch latency p50, ms':44} {np.percentile(lat, 50):14.3f}")
    print(f"{'batch latency p99, ms':44} {np.percentile(lat, 99):14.3f}")
    print(f"{'peak RSS, MiB':44} {rss:14.1f}")
    print("check after reopen: series count, series 0 and last bit-exact, generator checksum: OK")


if __name__ == "__main__":
    main()
