// Package harness is the phase driver of every bench/peers engine binary (w1, w2, w3, merge,
// query), written against the Engine interface below. Each engine is its own Go module (two
// VictoriaMetrics versions cannot share one) and calls Run from its main; the engine-specific
// code lives in the engine's engine.go.
package harness

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vmengine/vmengine/bench/peers/protocol"
	"github.com/vmengine/vmengine/bench/peers/workload"
)

// Engine is what the phase driver needs from a storage engine. B is the engine's native batch
// (the rows of one AddRows / Append+Commit), built by prepare and consumed by write.
type Engine[B any] interface {
	Name() string
	Version() string
	// open opens the storage at dir, creating it if missing.
	Open(dir string) error
	// close makes everything written durable and closes the storage.
	Close() error
	// setWorkload tells prepare how to name series: labels(series) gives a series' labels, and
	// at most `slots` distinct series appear within any `slots` consecutive series indexes of one
	// batch (the series handles can be kept in a ring of that size, indexed by series mod slots).
	SetWorkload(labels func(series int) []workload.Label, slots int)
	// prepare fills b from rows. Called by one goroutine only (the producer).
	Prepare(b *B, rows []workload.Row)
	// write stores b. Called by one or more writer goroutines at once.
	Write(b *B) error
	// seriesCount returns the number of series the storage holds.
	SeriesCount() (int64, error)
	// merge brings the storage into its merged state (one part/block per series).
	Merge() error
	// query runs q, reading every sample it returns, and returns the number of series with at
	// least one sample, the number of samples and the sum of their values.
	Query(q workload.Query) (series, samples int, sum float64, err error)
	// visit runs q and calls fn with the labels of a returned series and some of its samples
	// (a block, or all of them), until every returned sample was passed; fn's error stops it.
	Visit(q workload.Query, fn func(ls []workload.Label, ts []int64, vs []float64) error) error
	// classify maps a file path relative to the storage directory to "data", "index" or "other".
	Classify(rel string) string
}

// After an ingest, every sample is read back (untimed) when the workload has at most
// maxCheckedRows rows: W1, W2 and short W3 runs.
const maxCheckedRows = 10_000_000

// everything is a query for every sample of every workload: all series, from T0 for a week.
var everything = workload.Query{
	ID:       "all",
	Matchers: []workload.Matcher{{Name: "__name__", Value: ".+", Regex: true}},
	Start:    workload.T0,
	End:      workload.T0 + 7*24*3600*1000,
}

// ingestSpec is one of the ingest workloads, as a sequence of batches.
type ingestSpec struct {
	rows, series int64
	labels       func(series int) []workload.Label
	slots        int
	// next appends the rows of the next batch to dst[:0]; false when there are no more.
	next func(dst []workload.Row) ([]workload.Row, bool)
}

func w1Spec() ingestSpec {
	gens := make([]workload.Gen, workload.W1Series)
	for k := range gens {
		gens[k] = workload.NewGen(k)
	}
	i := 0
	return ingestSpec{
		rows:   workload.W1Series * workload.W1Samples,
		series: workload.W1Series,
		labels: workload.W1Labels,
		slots:  workload.W1Series,
		next: func(dst []workload.Row) ([]workload.Row, bool) {
			dst = dst[:0]
			if i == workload.W1Samples {
				return dst, false
			}
			ts := workload.W1Timestamp(i)
			for k := range gens {
				dst = append(dst, workload.Row{Series: k, TS: ts, V: gens[k].Next()})
			}
			i++
			return dst, true
		},
	}
}

func w2Spec() ingestSpec {
	const seriesPerBatch = workload.W2Batch / workload.W2Samples
	j0 := 0
	return ingestSpec{
		rows:   workload.W2Series * workload.W2Samples,
		series: workload.W2Series,
		labels: workload.W2Labels,
		slots:  seriesPerBatch,
		next: func(dst []workload.Row) ([]workload.Row, bool) {
			dst = dst[:0]
			if j0 >= workload.W2Series {
				return dst, false
			}
			for j := j0; j < j0+seriesPerBatch && j < workload.W2Series; j++ {
				for k := 0; k < workload.W2Samples; k++ {
					dst = append(dst, workload.Row{Series: j, TS: workload.W2Timestamp(k), V: workload.W2Value(j, k)})
				}
			}
			j0 += seriesPerBatch
			return dst, true
		},
	}
}

func w3Spec(scrapes int) ingestSpec {
	w := workload.NewW3(scrapes)
	return ingestSpec{
		rows:   int64(workload.W3Rows(scrapes)),
		series: int64(workload.W3DistinctSeries(scrapes)),
		labels: workload.W3Labels,
		slots:  workload.W3Active,
		next:   w.Next,
	}
}

// run executes the phase given on the command line and prints its Result.
func Run[B any](e Engine[B], f protocol.Flags) {
	r := protocol.Result{Engine: e.Name(), Version: e.Version(), Phase: f.Phase}
	switch f.Phase {
	case "w1":
		runIngest(e, f, w1Spec(), &r)
	case "w2":
		runIngest(e, f, w2Spec(), &r)
		r.NewSeriesPerSec = float64(r.Series) / r.Seconds
	case "w3":
		runIngest(e, f, w3Spec(f.W3Scrapes), &r)
		r.NewSeriesPerSec = float64(r.Series) / r.Seconds
		r.W3Scrapes = f.W3Scrapes
	case "merge":
		runMerge(e, f, &r)
	case "query":
		runQuery(e, f, &r)
	}
	if r.Disk == nil {
		r.Disk = diskUsage(e, f.Dir)
	}
	protocol.Emit(r)
}

func Must(err error, what string) {
	if err != nil {
		protocol.Fatalf("%s: %v", what, err)
	}
}

// maxRSSMiB returns the peak resident set size of this process so far.
func maxRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func diskUsage[B any](e Engine[B], dir string) *protocol.Disk {
	m, err := workload.DiskUsage(dir, e.Classify)
	Must(err, "disk usage of "+dir)
	return &protocol.Disk{Data: m["data"], Index: m["index"], Other: m["other"]}
}

func runIngest[B any](e Engine[B], f protocol.Flags, spec ingestSpec, r *protocol.Result) {
	if ents, err := os.ReadDir(f.Dir); err == nil && len(ents) > 0 {
		protocol.Fatalf("-dir %s is not empty", f.Dir)
	}
	Must(e.Open(f.Dir), "open "+f.Dir)
	e.SetWorkload(spec.labels, spec.slots)
	var latencies []float64
	start := time.Now()
	if f.Writers == 1 {
		var b B
		var rows []workload.Row
		for {
			var ok bool
			if rows, ok = spec.next(rows); !ok {
				break
			}
			e.Prepare(&b, rows)
			t := time.Now()
			Must(e.Write(&b), "write a batch")
			latencies = append(latencies, ms(time.Since(t)))
		}
	} else {
		latencies = ingestConcurrently(e, spec, f.Writers)
	}
	Must(e.Close(), "close after ingest")
	seconds := time.Since(start).Seconds()
	fmt.Fprintf(os.Stderr, "%s %s: peak RSS after ingest %.1f MiB\n", e.Name(), f.Phase, maxRSSMiB())
	r.Disk = diskUsage(e, f.Dir) // before the reopen below adds caches or log segments

	// The series count after reopen is outside the timing; give the memory of the ingest back
	// first, so that the reopen does not add to the ingest's peak RSS.
	runtime.GC()
	debug.FreeOSMemory()
	Must(e.Open(f.Dir), "reopen "+f.Dir)
	got, err := e.SeriesCount()
	Must(err, "count series after reopen")
	var notes []string
	if got != spec.series {
		notes = append(notes, fmt.Sprintf("the engine counts %d series after reopen, the workload has %d", got, spec.series))
	}
	if spec.rows <= maxCheckedRows {
		_, samples, _, err := e.Query(everything)
		Must(err, "read every sample after reopen")
		if int64(samples) != spec.rows {
			notes = append(notes, fmt.Sprintf("the engine returns %d samples after reopen, the workload wrote %d", samples, spec.rows))
		}
	}
	Must(e.Close(), "close after the checks")

	r.Writers = f.Writers
	r.Rows = spec.rows
	r.Series = spec.series
	r.Seconds = seconds
	r.RowsPerSec = float64(spec.rows) / seconds
	r.BatchP50Ms, r.BatchP99Ms, r.BatchMaxMs = protocol.LatencyStats(latencies)
	r.SeriesAfterReopen = got
	if len(notes) > 0 {
		r.Notes = strings.Join(notes, "; ")
		fmt.Fprintln(os.Stderr, r.Notes)
	}
}

// ingestConcurrently runs one producer (generation and prepare) and `writers` writer goroutines
// taking prepared batches from a channel; it returns the latency of every write in ms.
func ingestConcurrently[B any](e Engine[B], spec ingestSpec, writers int) []float64 {
	free := make(chan *B, 2*writers)
	for i := 0; i < 2*writers; i++ {
		free <- new(B)
	}
	work := make(chan *B, 2*writers)
	go func() {
		var rows []workload.Row
		for {
			var ok bool
			if rows, ok = spec.next(rows); !ok {
				break
			}
			b := <-free
			e.Prepare(b, rows)
			work <- b
		}
		close(work)
	}()
	var mu sync.Mutex
	var latencies []float64
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []float64
			for b := range work {
				t := time.Now()
				Must(e.Write(b), "write a batch")
				mine = append(mine, ms(time.Since(t)))
				free <- b
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return latencies
}

func runMerge[B any](e Engine[B], f protocol.Flags, r *protocol.Result) {
	t := time.Now()
	Must(e.Open(f.Dir), "open "+f.Dir)
	r.OpenMs = ms(time.Since(t))
	start := time.Now()
	Must(e.Merge(), "merge")
	Must(e.Close(), "close after merge")
	r.Seconds = time.Since(start).Seconds()
}

func runQuery[B any](e Engine[B], f protocol.Flags, r *protocol.Result) {
	t := time.Now()
	Must(e.Open(f.Dir), "open "+f.Dir)
	r.OpenMs = ms(time.Since(t))
	for _, q := range workload.Queries() {
		qr := protocol.QueryResult{ID: q.ID}
		for run := 0; run < 4; run++ {
			t := time.Now()
			series, samples, sum, err := e.Query(q)
			d := ms(time.Since(t))
			Must(err, "query "+q.ID)
			if series != q.WantSeries || samples != q.WantSamples || math.IsNaN(sum) {
				protocol.Fatalf("query %s returned %d series and %d samples (sum %g), want %d and %d",
					q.ID, series, samples, sum, q.WantSeries, q.WantSamples)
			}
			if run == 0 {
				qr.FirstMs = d
			} else {
				qr.WarmMs = append(qr.WarmMs, d)
			}
			qr.Series, qr.Samples = series, samples
		}
		r.Queries = append(r.Queries, qr)
	}
	Must(checkQ4(e), "q4 bit-exact check")
	r.Checked = "q4 bit-exact"
	Must(e.Close(), "close after queries")
}

// checkQ4 compares every sample q4 returns bit for bit with the generator, and checks that every
// W1 sample is returned exactly once.
func checkQ4[B any](e Engine[B]) error {
	qs := workload.Queries()
	q := qs[len(qs)-1]
	seen := make([]bool, workload.W1Series*workload.W1Samples)
	n := 0
	err := e.Visit(q, func(ls []workload.Label, ts []int64, vs []float64) error {
		k, err := workload.SeriesOfW1Labels(ls)
		if err != nil {
			return err
		}
		for j := range ts {
			if err := workload.CheckW1Sample(k, ts[j], vs[j]); err != nil {
				return err
			}
			i, _ := workload.W1SampleOfTimestamp(ts[j])
			if seen[k*workload.W1Samples+i] {
				return fmt.Errorf("series %d sample %d (ts %d) returned twice", k, i, ts[j])
			}
			seen[k*workload.W1Samples+i] = true
			n++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n != len(seen) {
		return fmt.Errorf("q4 returned %d distinct samples, want %d", n, len(seen))
	}
	return nil
}
