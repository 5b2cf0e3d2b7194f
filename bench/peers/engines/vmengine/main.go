// Command vmengine is the vmengine engine of bench/peers: it runs one phase of the peer
// benchmark (see package protocol) through the Go binding, with the library's default options.
//
// Ingest fills one vmengine.Batch per writer with cached SeriesRefs (Batch.Ref once per series,
// Batch.AddRef per row) and writes it with DB.Write, one call per 10k-row batch; DB.Close makes
// the rows durable. Disk classes: data/ is "data", indexdb/ is "index", the rest "other".
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vmengine/vmengine/bench/peers/protocol"
	"github.com/vmengine/vmengine/bench/peers/workload"
	vme "github.com/vmengine/vmengine/bindings/go"
)

const engineName = "vmengine"

func main() {
	f := protocol.ParseFlags()
	var r protocol.Result
	switch f.Phase {
	case "w1", "w2", "w3":
		r = ingest(f)
	case "merge":
		r = merge(f.Dir)
	case "query":
		r = query(f.Dir)
	}
	r.Engine = engineName
	r.Version = vme.Version()
	r.Phase = f.Phase
	r.Disk = diskUsage(f.Dir)
	protocol.Emit(r)
}

func classify(rel string) string {
	switch {
	case strings.HasPrefix(rel, "data/"):
		return "data"
	case strings.HasPrefix(rel, "indexdb/"):
		return "index"
	}
	return "other"
}

func diskUsage(dir string) *protocol.Disk {
	m, err := workload.DiskUsage(dir, classify)
	if err != nil {
		protocol.Fatalf("disk usage of %s: %v", dir, err)
	}
	return &protocol.Disk{Data: m["data"], Index: m["index"], Other: m["other"]}
}

func open(dir string) *vme.DB {
	db, err := vme.Open(dir, nil)
	if err != nil {
		protocol.Fatalf("open %s: %v", dir, err)
	}
	return db
}

// merge force-merges every partition into one part, and the indexdb, then closes.
func merge(dir string) protocol.Result {
	start := time.Now()
	db := open(dir)
	if err := db.ForceMerge(""); err != nil {
		protocol.Fatalf("ForceMerge: %v", err)
	}
	if err := db.Close(); err != nil {
		protocol.Fatalf("Close: %v", err)
	}
	return protocol.Result{Seconds: time.Since(start).Seconds()}
}

func toMatchers(ms []workload.Matcher) []vme.Matcher {
	out := make([]vme.Matcher, len(ms))
	for i, m := range ms {
		if m.Regex {
			out[i] = vme.Re(m.Name, m.Value)
		} else {
			out[i] = vme.Eq(m.Name, m.Value)
		}
	}
	return out
}

// runQuery runs q once, reading every sample of every series (the values are summed so that
// nothing is optimised away), and returns the counts and the elapsed time.
func runQuery(db *vme.DB, q workload.Query) (series, samples int, ms float64, sum float64) {
	ms0 := toMatchers(q.Matchers)
	start := time.Now()
	it, err := db.Search(context.Background(), ms0, q.Start, q.End)
	if err != nil {
		protocol.Fatalf("%s: Search: %v", q.ID, err)
	}
	for it.Next() {
		s := it.Series()
		series++
		samples += len(s.Values)
		for _, v := range s.Values {
			sum += v
		}
	}
	if err := it.Err(); err != nil {
		protocol.Fatalf("%s: iteration: %v", q.ID, err)
	}
	it.Close()
	ms = float64(time.Since(start).Nanoseconds()) / 1e6
	if series != q.WantSeries || samples != q.WantSamples {
		protocol.Fatalf("%s: %d series %d samples, want %d %d", q.ID, series, samples, q.WantSeries, q.WantSamples)
	}
	return series, samples, ms, sum
}

func query(dir string) protocol.Result {
	start := time.Now()
	db := open(dir)
	r := protocol.Result{OpenMs: float64(time.Since(start).Nanoseconds()) / 1e6}
	var sink float64
	for _, q := range workload.Queries() {
		series, samples, first, sum := runQuery(db, q)
		sink += sum
		qr := protocol.QueryResult{ID: q.ID, FirstMs: first, Series: series, Samples: samples}
		for i := 0; i < 3; i++ {
			_, _, ms, sum := runQuery(db, q)
			sink += sum
			qr.WarmMs = append(qr.WarmMs, ms)
		}
		r.Queries = append(r.Queries, qr)
	}
	if math.IsNaN(sink) {
		fmt.Fprintln(os.Stderr, "sum of values is NaN")
	}
	checkQ4(db)
	r.Checked = "counts; q4 bit-exact"
	if err := db.Close(); err != nil {
		protocol.Fatalf("Close: %v", err)
	}
	return r
}

// checkQ4 compares every sample of q4 bit for bit with the generator, and checks that every W1
// series comes exactly once.
func checkQ4(db *vme.DB) {
	q := workload.Queries()[3]
	it, err := db.Search(context.Background(), toMatchers(q.Matchers), q.Start, q.End)
	if err != nil {
		protocol.Fatalf("q4 check: Search: %v", err)
	}
	defer it.Close()
	seen := make([]bool, workload.W1Series)
	ls := make([]workload.Label, 0, 4)
	n := 0
	for it.Next() {
		s := it.Series()
		ls = ls[:0]
		for _, l := range s.Labels {
			ls = append(ls, workload.Label{Name: l.Name, Value: l.Value})
		}
		k, err := workload.SeriesOfW1Labels(ls)
		if err != nil {
			protocol.Fatalf("q4 check: %v", err)
		}
		if seen[k] {
			protocol.Fatalf("q4 check: series %d (%v) returned twice", k, s.Labels)
		}
		seen[k] = true
		if len(s.Values) != workload.W1Samples {
			protocol.Fatalf("q4 check: series %d has %d samples, want %d", k, len(s.Values), workload.W1Samples)
		}
		for i, v := range s.Values {
			if err := workload.CheckW1Sample(k, s.Timestamps[i], v); err != nil {
				protocol.Fatalf("q4 check: %v", err)
			}
			if s.Timestamps[i] != workload.W1Timestamp(i) {
				protocol.Fatalf("q4 check: series %d sample %d has timestamp %d, want %d", k, i, s.Timestamps[i], workload.W1Timestamp(i))
			}
		}
		n++
	}
	if err := it.Err(); err != nil {
		protocol.Fatalf("q4 check: iteration: %v", err)
	}
	if n != workload.W1Series {
		protocol.Fatalf("q4 check: %d series, want %d", n, workload.W1Series)
	}
}

// seriesRefs caches the SeriesRef of each series in slot series%len(slots) of one writer's
// Batch. When the Batch's key cache holds more than maxCached label sets (churning workloads),
// it is cleared and every slot becomes stale.
type seriesRefs struct {
	b         *vme.Batch
	labels    func(series int) []workload.Label
	slots     []refSlot
	epoch     uint32
	maxCached int
	scratch   vme.Labels
}

type refSlot struct {
	series int
	epoch  uint32
	ref    vme.SeriesRef
}

func newSeriesRefs(b *vme.Batch, labels func(int) []workload.Label, slots int) *seriesRefs {
	return &seriesRefs{b: b, labels: labels, slots: make([]refSlot, slots), epoch: 1, maxCached: 4 * slots}
}

func (s *seriesRefs) ref(series int) vme.SeriesRef {
	sl := &s.slots[series%len(s.slots)]
	if sl.epoch == s.epoch && sl.series == series {
		return sl.ref
	}
	s.scratch = s.scratch[:0]
	for _, l := range s.labels(series) {
		s.scratch = append(s.scratch, vme.Label{Name: l.Name, Value: l.Value})
	}
	ref, err := s.b.Ref(s.scratch)
	if err != nil {
		protocol.Fatalf("Batch.Ref(%v): %v", s.scratch, err)
	}
	*sl = refSlot{series: series, epoch: s.epoch, ref: ref}
	return ref
}

// beforeBatch clears the key cache of a churning workload when it has grown too large. Called
// only when the Batch is empty.
func (s *seriesRefs) beforeBatch() {
	if s.b.CachedSeries() > s.maxCached {
		s.b.ClearCache()
		s.epoch++
	}
}

// workloadSpec describes one ingest workload: its labels, its batches (produce calls emit once
// per batch, in order; the []Row passed to emit may be reused afterwards) and its expected size.
type workloadSpec struct {
	labels  func(int) []workload.Label
	slots   int
	produce func(emit func([]workload.Row))
	rows    int64
	series  int64
}

func specOf(f protocol.Flags) workloadSpec {
	switch f.Phase {
	case "w1":
		return workloadSpec{
			labels: workload.W1Labels,
			slots:  workload.W1Series,
			produce: func(emit func([]workload.Row)) {
				gens := make([]workload.Gen, workload.W1Series)
				for k := range gens {
					gens[k] = workload.NewGen(k)
				}
				rows := make([]workload.Row, workload.W1Batch)
				for i := 0; i < workload.W1Samples; i++ {
					ts := workload.W1Timestamp(i)
					for k := range rows {
						rows[k] = workload.Row{Series: k, TS: ts, V: gens[k].Next()}
					}
					emit(rows)
				}
			},
			rows:   workload.W1Series * workload.W1Samples,
			series: workload.W1Series,
		}
	case "w2":
		return workloadSpec{
			labels: workload.W2Labels,
			slots:  workload.W1Series,
			produce: func(emit func([]workload.Row)) {
				rows := make([]workload.Row, 0, workload.W2Batch)
				for j := 0; j < workload.W2Series; j++ {
					for k := 0; k < workload.W2Samples; k++ {
						rows = append(rows, workload.Row{Series: j, TS: workload.W2Timestamp(k), V: workload.W2Value(j, k)})
					}
					if len(rows) == workload.W2Batch {
						emit(rows)
						rows = rows[:0]
					}
				}
				if len(rows) > 0 {
					emit(rows)
				}
			},
			rows:   workload.W2Series * workload.W2Samples,
			series: workload.W2Series,
		}
	default: // w3
		return workloadSpec{
			labels: workload.W3Labels,
			slots:  workload.W3Active,
			produce: func(emit func([]workload.Row)) {
				w := workload.NewW3(f.W3Scrapes)
				var rows []workload.Row
				for {
					var ok bool
					if rows, ok = w.Next(rows); !ok {
						return
					}
					emit(rows)
				}
			},
			rows:   int64(workload.W3Rows(f.W3Scrapes)),
			series: int64(workload.W3DistinctSeries(f.W3Scrapes)),
		}
	}
}

// writer turns rows into its Batch and writes it; it records the latency of each batch (filling
// the Batch and the DB.Write call) and accumulates the ingest counters.
type writer struct {
	db   *vme.DB
	b    *vme.Batch
	refs *seriesRefs
	lat  []float64
	res  vme.AddResult
}

func newWriter(db *vme.DB, spec workloadSpec) *writer {
	b := vme.NewBatch(workload.W1Batch)
	return &writer{db: db, b: b, refs: newSeriesRefs(b, spec.labels, spec.slots)}
}

func (w *writer) write(rows []workload.Row) {
	t := time.Now()
	w.b.Reset()
	w.refs.beforeBatch()
	for _, r := range rows {
		w.b.AddRef(w.refs.ref(r.Series), r.TS, r.V)
	}
	res, err := w.db.Write(w.b)
	if err != nil {
		protocol.Fatalf("Write: %v", err)
	}
	w.lat = append(w.lat, float64(time.Since(t).Nanoseconds())/1e6)
	w.res.Add(res)
}

func ingest(f protocol.Flags) protocol.Result {
	if ents, err := os.ReadDir(f.Dir); err == nil && len(ents) > 0 {
		protocol.Fatalf("-dir %s is not empty", f.Dir)
	}
	spec := specOf(f)
	db := open(f.Dir)

	start := time.Now()
	var writers []*writer
	if f.Writers == 1 {
		w := newWriter(db, spec)
		writers = append(writers, w)
		spec.produce(w.write)
	} else {
		// One producer, f.Writers writers taking batches from a channel; row buffers are
		// recycled through a second channel.
		work := make(chan []workload.Row, f.Writers)
		free := make(chan []workload.Row, 2*f.Writers+1)
		var wg sync.WaitGroup
		for i := 0; i < f.Writers; i++ {
			w := newWriter(db, spec)
			writers = append(writers, w)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rows := range work {
					w.write(rows)
					free <- rows
				}
			}()
		}
		spec.produce(func(rows []workload.Row) {
			var buf []workload.Row
			select {
			case buf = <-free:
			default:
			}
			work <- append(buf[:0], rows...)
		})
		close(work)
		wg.Wait()
	}
	if err := db.Close(); err != nil {
		protocol.Fatalf("Close: %v", err)
	}
	secs := time.Since(start).Seconds()

	var lat []float64
	var res vme.AddResult
	for _, w := range writers {
		lat = append(lat, w.lat...)
		res.Add(w.res)
	}
	if int64(res.RowsAdded) != spec.rows || res.Rejected() != 0 {
		protocol.Fatalf("%s: %d rows added, %d rejected (%+v); want %d added", f.Phase, res.RowsAdded, res.Rejected(), res, spec.rows)
	}

	// Outside the timing: the series count after reopening.
	db = open(f.Dir)
	n, err := db.SeriesCount(nil)
	if err != nil {
		protocol.Fatalf("SeriesCount: %v", err)
	}
	if err := db.Close(); err != nil {
		protocol.Fatalf("Close: %v", err)
	}
	if int64(n) != spec.series {
		protocol.Fatalf("%s: %d series after reopen, want %d", f.Phase, n, spec.series)
	}

	p50, p99, max := protocol.LatencyStats(lat)
	r := protocol.Result{
		Writers: f.Writers, Rows: spec.rows, Series: spec.series, Seconds: secs,
		RowsPerSec: float64(spec.rows) / secs,
		BatchP50Ms: p50, BatchP99Ms: p99, BatchMaxMs: max, SeriesAfterReopen: int64(n),
		Checked: "rows added; series after reopen",
	}
	if f.Phase != "w1" {
		r.NewSeriesPerSec = float64(spec.series) / secs
	}
	if f.Phase == "w3" {
		r.W3Scrapes = f.W3Scrapes
	}
	return r
}
