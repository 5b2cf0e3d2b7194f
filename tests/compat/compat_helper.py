#!/usr/bin/env python3
"""Data-set generation, ingest, export and CSV normalisation for compat_test.sh.

Subcommands:
  gen-w1 --series-per-metric H --samples N OUT.prom OUT.csv
      The W1 workload of docs/benchmarks.md at small scale: metrics m = 0..9, hosts
      h = 0..H-1, series k = m*1000 + h (the same generator streams as full W1), samples
      i = 0..N-1 at T0 + i*10000. OUT.prom is Prometheus text with explicit timestamps
      (time-major); OUT.csv is the input in the golden-set format batch,metric,ts,value,bits
      (one batch per timestamp, as W1 ingests).
  ingest LIB INPUT.csv DIR
      Opens DIR with libvmengine (ctypes) and adds each batch of INPUT.csv (columns batch,
      metric,timestamp_ms,value,value_bits; value_bits exact) with one vme_add_rows call
      followed by vme_flush, then closes. Fails if any row is rejected unless
      --allow-rejects.
  export LIB DIR OUT.csv
      Writes every sample of DIR in the CLI's export CSV format, through the C API.
  norm [--plain] IN.csv OUT
      Normalises an RFC 4180 CSV with a metric, timestamp_ms and value_bits column (any
      other columns are dropped) to sorted lines metric,timestamp_ms,value_bits. --plain
      reads vmread's output instead (the same three fields, no header, metric unquoted).
"""
import argparse
import csv
import ctypes
import math
import re
import struct
import sys

T0 = 1767225600000
MASK = (1 << 64) - 1


def round_half_away(r):
    a = abs(r)
    f = math.floor(a)
    f = f + 1 if a - f >= 0.5 else f
    return float(f) if r >= 0 else -float(f)


def w1_values(k, n):
    x = ((k + 1) * 0x9E3779B97F4A7C15) & MASK
    v = 100.0
    out = []
    for _ in range(n):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        v = v + float((x >> 11) - (1 << 52)) / float(1 << 52)
        out.append(round_half_away(v * 100) / 100)
    return out


def go_quote(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\t':
            out.append('\\t')
        elif ch == '\r':
            out.append('\\r')
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append('\\x%02x' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def bits_of(v):
    return '%016x' % struct.unpack('<Q', struct.pack('<d', v))[0]


def go_format(v):
    if math.isnan(v):
        return 'NaN'
    if math.isinf(v):
        return '+Inf' if v > 0 else '-Inf'
    return repr(v)


def cmd_gen_w1(a):
    series = []
    for m in range(10):
        for h in range(a.series_per_metric):
            labels = [('__name__', 'cpu_usage_%d' % m), ('host', 'host-%04d' % h),
                      ('region', 'r%d' % (h % 10))]
            series.append((labels, w1_values(m * 1000 + h, a.samples)))
    with open(a.prom, 'w') as prom, open(a.csv, 'w', newline='') as out:
        w = csv.writer(out, lineterminator='\n')
        w.writerow(['batch', 'metric', 'timestamp_ms', 'value', 'value_bits'])
        for i in range(a.samples):
            ts = T0 + i * 10000
            for labels, values in series:
                v = values[i]
                body = ','.join('%s=%s' % (k, go_quote(val)) for k, val in labels[1:])
                name = '%s{%s}' % (labels[0][1], body)
                prom.write('%s %s %d\n' % (name, go_format(v), ts))
                w.writerow([i, name, ts, go_format(v), bits_of(v)])


def load_lib(path):
    lib = ctypes.CDLL(path)
    lib.vme_error_message.restype = ctypes.c_char_p
    lib.vme_error_message.argtypes = [ctypes.c_void_p]
    lib.vme_error_free.argtypes = [ctypes.c_void_p]
    lib.vme_query_create.restype = ctypes.c_void_p
    lib.vme_query_create.argtypes = [ctypes.c_int64, ctypes.c_int64]
    lib.vme_query_destroy.argtypes = [ctypes.c_void_p]
    lib.vme_series_iter_name.restype = ctypes.c_char_p
    lib.vme_series_iter_name.argtypes = [ctypes.c_void_p]
    lib.vme_series_iter_samples.restype = ctypes.c_size_t
    lib.vme_series_iter_samples.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_int64)),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_double))]
    lib.vme_series_iter_close.argtypes = [ctypes.c_void_p]
    return lib


def check(lib, what, rc, err):
    if rc != 0:
        msg = lib.vme_error_message(err).decode(errors='replace') if err else ''
        sys.exit('compat_helper: %s failed: rc=%d %s' % (what, rc, msg))


def parse_metric(text):
    m = re.match(r'^([^{]*)\{(.*)\}$', text, re.S)
    if not m:
        return [('__name__', text)]
    labels = [('__name__', m.group(1))]
    body = m.group(2)
    pos = 0
    pat = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)', re.S)
    while pos < len(body):
        lm = pat.match(body, pos)
        if not lm:
            sys.exit('compat_helper: cannot parse labels of %r at %d' % (text, pos))
        value = lm.group(2).encode('latin-1', 'backslashreplace').decode('unicode_escape')
        labels.append((lm.group(1), value.encode('latin-1').decode('utf-8')))
        pos = lm.end()
    return labels


def series_key(labels):
    out = b''
    for k, v in labels:
        kb, vb = k.encode(), v.encode()
        out += struct.pack('>H', len(kb)) + kb + struct.pack('>H', len(vb)) + vb
    return out


def open_db(lib, path):
    db, err = ctypes.c_void_p(), ctypes.c_void_p()
    check(lib, 'vme_open(%s)' % path,
          lib.vme_open(path.encode(), None, ctypes.byref(db), ctypes.byref(err)), err)
    return db


def close_db(lib, db):
    err = ctypes.c_void_p()
    check(lib, 'vme_close', lib.vme_close(db, ctypes.byref(err)), err)


def cmd_ingest(a):
    lib = load_lib(a.lib)
    batches = {}
    with open(a.input, newline='') as f:
        r = csv.reader(f)
        next(r)
        for b, metric, ts, _, bits in r:
            v = struct.unpack('<d', struct.pack('<Q', int(bits, 16)))[0]
            batches.setdefault(int(b), []).append((series_key(parse_metric(metric)), int(ts), v))
    db = open_db(lib, a.dir)
    err = ctypes.c_void_p()
    for b in sorted(batches):
        rows = batches[b]
        n = len(rows)
        keys = b''.join(k for k, _, _ in rows)
        offs = [0]
        for k, _, _ in rows:
            offs.append(offs[-1] + len(k))
        res = (ctypes.c_uint64 * 6)()
        check(lib, 'vme_add_rows(batch %d)' % b, lib.vme_add_rows(
            db, ctypes.create_string_buffer(keys, len(keys)), ctypes.c_size_t(len(keys)),
            (ctypes.c_uint32 * (n + 1))(*offs), (ctypes.c_int64 * n)(*[t for _, t, _ in rows]),
            (ctypes.c_double * n)(*[v for _, _, v in rows]), ctypes.c_size_t(n), res,
            ctypes.byref(err)), err)
        rejected = sum(res[1:])
        if res[0] + rejected != n or (rejected and not a.allow_rejects):
            sys.exit('compat_helper: batch %d: %d rows, counters %s' % (b, n, list(res)))
        check(lib, 'vme_flush', lib.vme_flush(db, ctypes.byref(err)), err)
    close_db(lib, db)


def cmd_export(a):
    lib = load_lib(a.lib)
    db = open_db(lib, a.dir)
    q = lib.vme_query_create(0, (1 << 63) - 1)
    it, err = ctypes.c_void_p(), ctypes.c_void_p()
    check(lib, 'vme_search', lib.vme_search(db, ctypes.c_void_p(q), ctypes.byref(it),
                                            ctypes.byref(err)), err)
    with open(a.out, 'w', newline='') as out:
        w = csv.writer(out, lineterminator='\n')
        w.writerow(['metric', 'timestamp_ms', 'value', 'value_bits'])
        while True:
            rc = lib.vme_series_iter_next(it, ctypes.byref(err))
            if rc == 1:
                break
            check(lib, 'vme_series_iter_next', rc, err)
            name = lib.vme_series_iter_name(it).decode()
            ts = ctypes.POINTER(ctypes.c_int64)()
            vs = ctypes.POINTER(ctypes.c_double)()
            n = lib.vme_series_iter_samples(it, ctypes.byref(ts), ctypes.byref(vs))
            for i in range(n):
                w.writerow([name, ts[i], go_format(vs[i]), bits_of(vs[i])])
    lib.vme_series_iter_close(it)
    lib.vme_query_destroy(q)
    close_db(lib, db)


def cmd_force_merge(a):
    lib = load_lib(a.lib)
    db = open_db(lib, a.dir)
    err = ctypes.c_void_p()
    check(lib, 'vme_force_merge', lib.vme_force_merge(db, None, ctypes.byref(err)), err)
    close_db(lib, db)


def cmd_norm(a):
    rows = []
    if a.plain:
        with open(a.input, 'rb') as f:
            for line in f:
                m, t, b = line.rstrip(b'\n').rsplit(b',', 2)
                rows.append((m, int(t), b.decode().lower()))
    else:
        rows = read_csv_rows(a.input)
    rows.sort()
    with open(a.out, 'wb') as out:
        for m, t, b in rows:
            out.write(b'%s,%d,%s\n' % (m, t, b.encode()))


def read_csv_rows(path):
    rows = []
    with open(path, newline='') as f:
        r = csv.reader(f)
        header = next(r)
        try:
            im, it, ib = (header.index(c) for c in ('metric', 'timestamp_ms', 'value_bits'))
        except ValueError:
            sys.exit('compat_helper: %s: header %r lacks metric/timestamp_ms/value_bits'
                     % (path, header))
        for rec in r:
            rows.append((rec[im].encode(), int(rec[it]), rec[ib].lower()))
    return rows


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('gen-w1')
    g.add_argument('--series-per-metric', type=int, default=10)
    g.add_argument('--samples', type=int, default=100)
    g.add_argument('prom')
    g.add_argument('csv')
    g.set_defaults(fn=cmd_gen_w1)
    i = sub.add_parser('ingest')
    i.add_argument('--allow-rejects', action='store_true')
    i.add_argument('lib')
    i.add_argument('input')
    i.add_argument('dir')
    i.set_defaults(fn=cmd_ingest)
    e = sub.add_parser('export')
    e.add_argument('lib')
    e.add_argument('dir')
    e.add_argument('out')
    e.set_defaults(fn=cmd_export)
    fm = sub.add_parser('force-merge')
    fm.add_argument('lib')
    fm.add_argument('dir')
    fm.set_defaults(fn=cmd_force_merge)
    n = sub.add_parser('norm')
    n.add_argument('--plain', action='store_true',
                   help='input is vmread output: metric,timestamp_ms,value_bits, no header')
    n.add_argument('input')
    n.add_argument('out')
    n.set_defaults(fn=cmd_norm)
    a = p.parse_args()
    a.fn(a)


if __name__ == '__main__':
    main()
