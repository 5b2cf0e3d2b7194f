package vmengine_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

// W1 (docs/benchmarks.md): series k = m*1000 + h with labels __name__="cpu_usage_{m}",
// host="host-{h:04}", region="r{h%10}"; sample i at T0 + i*10 s with the i-th value of the
// xorshift random walk of series k; time-major ingestion in 10,000-row batches, one Write per
// batch; wall time until durable (Flush + Close).
var (
	w1Series  = flag.Int("w1.series", 10000, "W1 benchmark: number of series (<= 10000)")
	w1Samples = flag.Int("w1.samples", 1000, "W1 benchmark: samples per series")
)

type w1Gen struct {
	x uint64
	v float64
}

func newW1Gen(k uint64) w1Gen { return w1Gen{x: (k + 1) * 0x9E3779B97F4A7C15, v: 100} }

func (g *w1Gen) next() float64 {
	x := g.x
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	g.x = x
	step := float64(int64(x>>11)-(1<<52)) / 4503599627370496.0
	g.v = g.v + step
	return math.Round(g.v*100) / 100
}

func TestW1Generator(t *testing.T) {
	vec := map[uint64][]float64{
		0:    {100.72, 100.51, 100.47, 99.85, 99.2},
		1:    {100.44, 101.03, 101.94, 102.83, 102.41},
		9999: {99.64, 99.12, 99.11, 98.5, 98.38},
	}
	for k, want := range vec {
		g := newW1Gen(k)
		for i, w := range want {
			if v := g.next(); v != w {
				t.Fatalf("k=%d i=%d: %v, want %v", k, i, v, w)
			}
		}
	}
	var sum int64
	mn, mx := math.Inf(1), math.Inf(-1)
	for k := uint64(0); k < 10000; k++ {
		g := newW1Gen(k)
		for i := 0; i < 1000; i++ {
			v := g.next()
			if k == 0 && i == 999 && v != 92.23 {
				t.Fatalf("k=0 i=999: %v", v)
			}
			sum += int64(math.Round(100 * v))
			mn, mx = min(mn, v), max(mx, v)
		}
	}
	if sum != 99944557274 || mn != 31.22 || mx != 182.28 {
		t.Fatalf("checksum %d min %v max %v", sum, mn, mx)
	}
}

func w1Labels(n int) []vmengine.Labels {
	ls := make([]vmengine.Labels, n)
	for k := range ls {
		m, h := k/1000, k%1000
		ls[k] = vmengine.Labels{{"__name__", fmt.Sprintf("cpu_usage_%d", m)},
			{"host", fmt.Sprintf("host-%04d", h)}, {"region", fmt.Sprintf("r%d", h%10)}}
	}
	return ls
}

// runW1 ingests W1 into a new directory and returns the wall time until durable.
func runW1(b *testing.B, dir string, labels []vmengine.Labels, samples int, useRefs bool) time.Duration {
	const batchRows = 10000
	const t0 = int64(1767225600000)
	n := len(labels)
	gens := make([]w1Gen, n)
	for k := range gens {
		gens[k] = newW1Gen(uint64(k))
	}
	start := time.Now()
	db, err := vmengine.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	batch := vmengine.NewBatch(batchRows)
	refs := make([]vmengine.SeriesRef, n)
	if useRefs {
		for k, ls := range labels {
			if refs[k], err = batch.Ref(ls); err != nil {
				b.Fatal(err)
			}
		}
	}
	var total vmengine.AddResult
	flush := func() {
		res, err := db.Write(context.Background(), batch)
		if err != nil {
			b.Fatal(err)
		}
		total.Add(res) // a successful Write empties the batch
	}
	for i := 0; i < samples; i++ {
		ts := t0 + int64(i)*10000
		for k := 0; k < n; k++ {
			v := gens[k].next()
			if useRefs {
				batch.AddRef(refs[k], ts, v)
			} else if err := batch.Add(labels[k], ts, v); err != nil {
				b.Fatal(err)
			}
			if batch.Len() == batchRows {
				flush()
			}
		}
	}
	if batch.Len() > 0 {
		flush()
	}
	if err := db.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if total.RowsAdded != uint64(n*samples) {
		b.Fatalf("added %d of %d rows: %+v", total.RowsAdded, n*samples, total)
	}
	return elapsed
}

func benchW1(b *testing.B, useRefs bool) {
	n := *w1Series
	if n <= 0 || n > 10000 {
		b.Fatalf("-w1.series must be in 1..10000")
	}
	labels := w1Labels(n)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		total += runW1(b, b.TempDir(), labels, *w1Samples, useRefs)
	}
	rows := float64(n) * float64(*w1Samples) * float64(b.N)
	b.ReportMetric(rows/total.Seconds(), "rows/s")
}

// BenchmarkW1 runs the W1 ingest workload once per iteration (use -benchtime=1x), with the
// idiomatic Batch.Add(labels, ts, v) per row. Scale it with -w1.series / -w1.samples.
func BenchmarkW1(b *testing.B) { benchW1(b, false) }

// BenchmarkW1Refs is BenchmarkW1 with the series keys resolved once (Batch.Ref) and rows
// added with Batch.AddRef, as the C benchmark precomputes its keys.
func BenchmarkW1Refs(b *testing.B) { benchW1(b, true) }

// BenchmarkBatchAdd measures the Go-side cost of packing one row (no native call).
func BenchmarkBatchAdd(b *testing.B) {
	labels := w1Labels(10000)
	batch := vmengine.NewBatch(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % 10000
		if k == 0 {
			batch.Reset()
		}
		batch.Add(labels[k], int64(i), 1)
	}
}

// BenchmarkBatchAddRef is BenchmarkBatchAdd with precomputed SeriesRefs.
func BenchmarkBatchAddRef(b *testing.B) {
	labels := w1Labels(10000)
	batch := vmengine.NewBatch(10000)
	refs := make([]vmengine.SeriesRef, len(labels))
	for k := range labels {
		refs[k], _ = batch.Ref(labels[k])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % 10000
		if k == 0 {
			batch.Reset()
		}
		batch.AddRef(refs[k], int64(i), 1)
	}
}
