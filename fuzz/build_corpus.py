#!/usr/bin/env python3
"""Builds the seed corpora fuzz/corpus/<target>/ from the repository's real test data.

Sources: the VictoriaMetrics 1.72 directories in tests/data/vm172 (data parts and indexdb
parts: whole parts, and the metaindex rows, index blocks, block headers, payloads and mergeset
blocks inside them), the labels and values of their input.csv files, the node_exporter capture
in examples/data (Prometheus text), and the selector and Prometheus lines of the unit tests.
Each seed uses the input framing its target documents (fuzz/fuzz_input.h, fuzz/part_dir.h and
the comment at the top of fuzz/targets/<name>_fuzz.cc). Seed files are named by the SHA-1 of
their content, as libFuzzer names the inputs it finds.

Usage: python3 fuzz/build_corpus.py    (replaces every fuzz/corpus/<target>/ it builds; needs
the zstd command). Afterwards, shrink with `scripts/fuzz.sh` built targets and -merge=1 (see
docs/fuzzing.md).
"""
import csv
import glob
import hashlib
import os
import re
import shutil
import struct
import subprocess
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")
VM172 = os.path.join(ROOT, "tests", "data", "vm172")

seeds = defaultdict(dict)


def add(target, data):
    data = bytes(data)
    seeds[target][hashlib.sha1(data).hexdigest()] = data


def u8(v):
    return struct.pack(">B", v & 0xFF)


def u16(v):
    return struct.pack(">H", v & 0xFFFF)


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def i64(v):
    return struct.pack(">q", v)


def chunk(b):
    return u32(len(b)) + b


def unzigzag(u):
    return (u >> 1) ^ -(u & 1)


def zstd_d(b):
    return subprocess.run(["zstd", "-d", "-c", "-q"], input=b, capture_output=True,
                          check=True).stdout


def zstd_c(b):
    return subprocess.run(["zstd", "-c", "-q", "-1"], input=b, capture_output=True,
                          check=True).stdout


def read(path):
    with open(path, "rb") as f:
        return f.read()


def varuint(b, off):
    x, shift = 0, 0
    while True:
        c = b[off]
        off += 1
        x |= (c & 0x7F) << shift
        if c < 0x80:
            return x, off
        shift += 7


def live_dirs(pattern):
    return sorted(d for d in glob.glob(os.path.join(VM172, "*", "storage", pattern))
                  if "snapshots" not in d)


def data_parts():
    for d in live_dirs("data/small/*/*_*_*_*_*"):
        files = [read(os.path.join(d, f)) for f in
                 ("metaindex.bin", "index.bin", "timestamps.bin", "values.bin")]
        mdi = os.path.join(d, "min_dedup_interval")
        if os.path.exists(mdi):
            files.append(read(mdi))
        add("data_part", os.path.basename(d).encode() + b"\n" + b"".join(chunk(f) for f in files))
        metaindex, index, timestamps, values = files[:4]
        raw = zstd_d(metaindex)
        add("metaindex_row", b"\x00" + raw)
        add("zstd", u32(len(raw)) + metaindex)
        for r in range(0, len(raw), 64):
            count, = struct.unpack_from(">I", raw, r + 32)
            off, size = struct.unpack_from(">QI", raw, r + 52)
            packed = index[off:off + size]
            add("zstd", u32(1 << 20) + packed)
            block = zstd_d(packed)
            add("index_block", b"\x00" + u32(count) + block)
            for h in range(0, len(block), 89):
                bh = block[h:h + 89]
                add("block_header", b"\x00" + bh)
                block_payloads(bh, timestamps, values)


def block_payloads(bh, timestamps, values):
    min_ts = unzigzag(struct.unpack_from(">Q", bh, 32)[0])
    first_value = unzigzag(struct.unpack_from(">Q", bh, 48)[0])
    ts_off, v_off, ts_size, v_size, rows = struct.unpack_from(">QQIII", bh, 56)
    ts_type, v_type = bh[86], bh[87]
    for typ, first, payload in ((ts_type, min_ts, timestamps[ts_off:ts_off + ts_size]),
                                (v_type, first_value, values[v_off:v_off + v_size])):
        add("int64_array", u8(typ) + u16(rows) + i64(first) + payload)
        plain = payload
        if typ in (1, 4):
            add("zstd", u32(rows * 10 + 16) + payload)
            plain = zstd_d(payload)
        if typ in (1, 4, 5, 6):
            mode = 1 if typ in (1, 5) else 0
            add("nearest_delta", u8(mode) + u16(rows) + i64(first) + plain)
            add("varint", b"\x01" + plain)


def mergeset_parts():
    for d in live_dirs("indexdb/*/*_*_*"):
        names = ("metadata.json", "metaindex.bin", "index.bin", "items.bin", "lens.bin")
        metadata, metaindex, index, items, lens = (read(os.path.join(d, f)) for f in names)
        name = os.path.basename(d).encode()
        files = b"".join(chunk(f) for f in (metadata, metaindex, index, items, lens))
        add("mergeset_part", name + b"\n" + files)
        add("metaindex_row", b"\x01" + metaindex)
        raw = zstd_d(metaindex)
        add("zstd", u32(len(raw)) + metaindex)
        off = 0
        while off < len(raw):
            n, off = varuint(raw, off)
            first = raw[off:off + n]
            off += n
            count, ib_off, ib_size = struct.unpack_from(">IQI", raw, off)
            off += 16
            add("mergeset_part", name + b"\n" + files + chunk(first[:len(first) // 2]))
            packed = index[ib_off:ib_off + ib_size]
            add("zstd", u32(1 << 20) + packed)
            block = zstd_d(packed)
            add("index_block", b"\x01" + u32(count) + block)
            mergeset_headers(block, items, lens)


def mergeset_headers(block, items, lens):
    off = 0
    while off < len(block):
        start = off
        for _ in range(2):  # commonPrefix, firstItem
            n, off = varuint(block, off)
            off += n
        typ = block[off]
        _, it_off, ln_off, it_size, ln_size = struct.unpack_from(">IQQII", block, off + 1)
        off += 1 + 28
        header = block[start:off]
        add("block_header", b"\x01" + header)
        it, ln = items[it_off:it_off + it_size], lens[ln_off:ln_off + ln_size]
        add("mergeset_block", chunk(header) + chunk(it) + ln)
        if typ == 1:
            add("zstd", u32(1 << 20) + it)
            add("zstd", u32(1 << 20) + ln)
            add("varint", b"\x00" + zstd_d(ln))


def escape_tag(b):
    return b.replace(b"\x00", b"\x000").replace(b"\x01", b"\x001").replace(b"\x02", b"\x002")


def csv_inputs():
    for path in sorted(glob.glob(os.path.join(VM172, "*", "input.csv"))):
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        seen = set()
        floats = []
        for row in rows:
            floats.append(struct.pack(">Q", int(row["value_bits"], 16)))
            m = re.fullmatch(r'([^{]*)\{(.*)\}', row["metric"])
            if not m or row["metric"] in seen:
                continue
            seen.add(row["metric"])
            name = m.group(1).encode()
            labels = [(k.encode(), v.encode()) for k, v in re.findall(r'(\w+)="([^"]*)"',
                                                                      m.group(2))]
            key = u16(8) + b"__name__" + u16(len(name)) + name
            for k, v in labels:
                key += u16(len(k)) + k + u16(len(v)) + v
            if len(seen) <= 8:
                add("series_key", b"\x00" + key)
                canonical = u32(7) + u32(9) + escape_tag(name) + b"\x01"
                for k, v in sorted(labels):
                    canonical += escape_tag(k) + b"\x01" + escape_tag(v) + b"\x01"
                add("series_key", b"\x01" + canonical)
                add("prom_parser", row["metric"].encode() + b" " + row["value"].encode() +
                    b" " + row["timestamp_ms"].encode() + b"\n")
        for i in range(0, min(len(floats), 256), 64):
            add("decimal", b"\x00" + b"".join(floats[i:i + 64]))
        mantissas = b"".join(i64(v) for v in (0, 1, -1, 100, 12345, 2**63 - 1, -2**63, 2**63 - 2))
        add("decimal", b"\x01" + u16(0xFFFE) + mantissas)
        add("decimal", b"\x02" + u16(4) + u16(0xFFFF) + u16(3) + mantissas)


def c_literals(path, call):
    """First string-literal argument of `call(` in a C++ test file, C escapes decoded."""
    text = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(re.escape(call) + r'\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
        lit = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        out.append(lit.encode("latin-1", "backslashreplace").decode("unicode_escape")
                   .encode("latin-1", "replace"))
    return out


def text_inputs():
    unit = os.path.join(ROOT, "tests", "unit")
    for f in ("selector_parser_test.cc", "selector_rules_test.cc", "selector_limits_test.cc"):
        for call in ("CheckParsed", "CheckError", "Parsed", "ParseSelector"):
            for sel in c_literals(os.path.join(unit, f), call):
                if len(sel) < 512:
                    add("selector", sel)
    prom_test = os.path.join(ROOT, "tests", "unit", "prom_parser_test.cc")
    lines = [s for s in c_literals(prom_test, "ExpectSample") + c_literals(prom_test, "ExpectError")
             if len(s) < 512]
    add("prom_parser", b"\n".join(lines) + b"\n")
    capture = os.path.join(ROOT, "examples", "data", "node_exporter_1s_1200.prom.zst")
    text = subprocess.run(["zstd", "-d", "-c", "-q", capture], capture_output=True,
                          check=True).stdout
    scrape = text[:text.find(b"\n# HELP", 200_000) + 1] if b"\n# HELP" in text else text
    pos = 0
    for _ in range(6):
        end = scrape.find(b"\n", pos + 3000)
        if end < 0:
            break
        add("prom_parser", scrape[pos:end + 1])
        pos = end + 1


def txn_inputs():
    small, big, tmp = b"/vme/data/small/2026_01", b"/vme/data/big/2026_01", b"/tmp/"
    part = b"500_20_20260101000000.000_20260101000600.758_18E9F66078B091E5"
    merged = b"2000_80_20260101000000.000_20260101002445.920_18E9F66078B091E9"
    add("txn", b"\x00" + small + b"/" + part + b"\n" + small + tmp + merged + b" -> " + small +
        b"/" + merged + b"\n")
    add("txn", b"\x00" + small + b"/" + part + b"\n" + small + b"/../2026_01/./x\n" + big + tmp +
        merged + b" -> " + big + b"/" + merged + b"\n")
    add("txn", b"\x00" + small + tmp + merged + b" -> \n")
    table = b"/vme/indexdb/18E9F660777BD558"
    add("txn", b"\x01" + table + b"/181_1_18E9F6607867E51D\n" + table + b"/1_1_1\n" + table +
        b"/tmp/182_2_18E9F6607867E51E -> " + table + b"/182_2_18E9F6607867E51E\n")
    add("txn", b"\x01" + b"relative/path -> x\n")


def selected_samples():
    # A few hand-made cases per target for the paths the real data does not reach.
    add("varint", b"\x00\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\x7f\xff\x01")
    add("varint", b"\x02\x03abc\x00\x05hello")
    add("varint", b"\x03" + u32(0xFFFFFFFF) + u32(0xFFFFFFFE) + i64(-1))
    add("int64_array", u8(3) + u16(5) + i64(42))
    add("int64_array", u8(2) + u16(5) + i64(1000) + b"\x14")
    add("nearest_delta", b"\x02\x40" + b"".join(i64(v) for v in (1, 5, 2, 2**62, -2**62, 7)))
    add("nearest_delta", b"\x03\x10" + b"".join(i64(v * 1000) for v in range(40)))
    add("zstd", u32(100) + zstd_c(b"vmengine " * 20))
    add("series_key", b"\x00" + u16(0) + u16(2) + b"up" + u16(3) + b"job" + u16(1) + b"a")


def main():
    data_parts()
    mergeset_parts()
    csv_inputs()
    text_inputs()
    txn_inputs()
    selected_samples()
    for target, items in sorted(seeds.items()):
        d = os.path.join(OUT, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in items.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target:16} {len(items):5} seeds {sum(map(len, items.values())):9} bytes")


if __name__ == "__main__":
    main()
