#!/usr/bin/env python3
"""Builds the seed corpus fuzz/corpus/wal_record/ from real write-ahead log segments.

The segments are written by the library itself (ctypes over libvmengine.so, wal_mode=sync,
background work off): series from the node_exporter capture's metric names, several batches,
so a segment holds series definitions and rows records. Each seed is the target's framing
(fuzz/targets/wal_record_fuzz.cc): one mode byte (even: strict, odd: skip_corrupt), then the
segment bytes. Seeds: the whole segment in both modes, and the segment with a torn last record.

Usage: python3 fuzz/build_wal_corpus.py build/libvmengine.so
"""
import ctypes
import glob
import hashlib
import os
import shutil
import struct
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus", "wal_record")
T0 = 1767225600000  # 2026-01-01T00:00:00Z, ms


def series_key(labels):
    out = b""
    for name, value in labels:
        for s in (name.encode(), value.encode()):
            out += struct.pack(">H", len(s)) + s
    return out


def check(lib, status, what):
    if status != 0:
        raise SystemExit("%s failed: %s" % (what, lib.vme_last_error_message().decode()))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    lib = ctypes.CDLL(sys.argv[1])
    lib.vme_last_error_message.restype = ctypes.c_char_p
    lib.vme_options_create.restype = ctypes.c_void_p
    opts = ctypes.c_void_p(lib.vme_options_create())
    for k, v in ((b"wal_mode", b"sync"), (b"background", b"0")):
        check(lib, lib.vme_options_set(opts, k, v, None), "vme_options_set " + k.decode())
    work = tempfile.mkdtemp(prefix="walcorpus.")
    try:
        db = ctypes.c_void_p()
        check(lib, lib.vme_open(os.path.join(work, "db").encode(), opts, ctypes.byref(db), None),
              "vme_open")
        names = ["node_cpu_seconds_total", "node_load1", "node_memory_MemFree_bytes",
                 "node_network_receive_bytes_total", "node_filesystem_avail_bytes"]
        for batch in range(4):
            keys, offsets, ts, vals = b"", [0], [], []
            for i, name in enumerate(names[: 2 + batch]):
                for cpu in range(3):
                    keys += series_key([("__name__", name), ("instance", "host:9100"),
                                        ("cpu", str(cpu))])
                    offsets.append(len(keys))
                    ts.append(T0 + batch * 15000 + i)
                    vals.append(batch * 1.5 + i * 0.25 + cpu)
            n = len(ts)
            check(lib, lib.vme_add_rows(db, keys, ctypes.c_size_t(len(keys)),
                                        (ctypes.c_uint32 * (n + 1))(*offsets),
                                        (ctypes.c_int64 * n)(*ts), (ctypes.c_double * n)(*vals),
                                        ctypes.c_size_t(n), None, None), "vme_add_rows")
        segments = sorted(p for p in glob.glob(os.path.join(work, "db", "wal", "*"))
                          if os.path.basename(p) != "checkpoint")
        data = open(segments[-1], "rb").read()
        check(lib, lib.vme_close(db, None), "vme_close")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        lib.vme_options_destroy(opts)
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    for seed in (b"\x00" + data, b"\x01" + data, b"\x00" + data[:-5]):
        with open(os.path.join(OUT, hashlib.sha1(seed).hexdigest()), "wb") as f:
            f.write(seed)
    print("wal_record: 3 seeds, segment of %d bytes" % len(data))


if __name__ == "__main__":
    main()
