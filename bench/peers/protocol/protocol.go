// Package protocol is the contract between the bench/peers driver and the engine binaries: the
// command line every engine accepts, and the one line of JSON (a Result) that it prints on stdout
// at the end of a phase. Everything else an engine prints goes to stderr.
//
// Engine command line (every engine alike):
//
//	ENGINE -phase w1|w2|w3|merge|query -dir DIR [-writers N] [-w3-scrapes N]
//
// Phases: w1, w2 and w3 ingest a workload into an empty DIR and time it until the data are durable;
// merge force-merges DIR into one part/block per series; query opens DIR and runs q1..q4 once
// ("first") and 3 more times ("warm"), then checks q4 bit for bit against the generator.
package protocol

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
)

// Disk is the size in bytes of an engine's directory after a phase, by class: the samples
// ("data"), the inverted index / series catalogue ("index") and everything else ("other": WALs,
// caches, metadata). Each engine states how it classifies its files.
type Disk struct {
	Data  int64 `json:"data"`
	Index int64 `json:"index"`
	Other int64 `json:"other"`
}

// QueryResult is the timing and result of one query of the set q1..q4.
type QueryResult struct {
	ID      string    `json:"id"`
	FirstMs float64   `json:"first_ms"`
	WarmMs  []float64 `json:"warm_ms"`
	Series  int       `json:"series"`
	Samples int       `json:"samples"`
}

// Result is what an engine reports for one phase. Fields that do not apply are omitted.
type Result struct {
	Engine  string `json:"engine"`
	Version string `json:"version,omitempty"`
	Phase   string `json:"phase"`
	Writers int    `json:"writers,omitempty"`

	// Ingest phases (w1, w2, w3): rows written, distinct series, wall time from the first batch
	// until the data are durable, and the latency of one batch (one AddRows / Append+Commit).
	Rows            int64   `json:"rows,omitempty"`
	Series          int64   `json:"series,omitempty"`
	Seconds         float64 `json:"seconds,omitempty"`
	RowsPerSec      float64 `json:"rows_per_sec,omitempty"`
	NewSeriesPerSec float64 `json:"new_series_per_sec,omitempty"`
	BatchP50Ms      float64 `json:"batch_p50_ms,omitempty"`
	BatchP99Ms      float64 `json:"batch_p99_ms,omitempty"`
	BatchMaxMs      float64 `json:"batch_max_ms,omitempty"`
	// SeriesAfterReopen is the number of series the engine finds after reopening the directory
	// (outside the timing); must equal Series.
	SeriesAfterReopen int64 `json:"series_after_reopen,omitempty"`
	W3Scrapes         int   `json:"w3_scrapes,omitempty"`

	// Disk after the phase (every phase).
	Disk *Disk `json:"disk,omitempty"`

	// Query phase: time to open the directory, and q1..q4.
	OpenMs  float64       `json:"open_ms,omitempty"`
	Queries []QueryResult `json:"queries,omitempty"`
	Checked string        `json:"checked,omitempty"`

	// Notes is free text for anything the figures need to be read correctly.
	Notes string `json:"notes,omitempty"`
}

// Emit writes r as one line of JSON on stdout.
func Emit(r Result) {
	b, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintf(os.Stderr, "protocol: cannot marshal the result: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(append(b, '\n'))
}

// Parse reads the Result from an engine's stdout: the last line that is a JSON object.
func Parse(stdout []byte) (Result, error) {
	var r Result
	end := len(stdout)
	for end > 0 {
		start := end - 1
		for start > 0 && stdout[start-1] != '\n' {
			start--
		}
		line := trimSpace(stdout[start:end])
		if len(line) > 0 && line[0] == '{' {
			if err := json.Unmarshal(line, &r); err != nil {
				return r, fmt.Errorf("engine result %q: %w", line, err)
			}
			return r, nil
		}
		end = start
		if end > 0 {
			end-- // the '\n'
		}
	}
	return r, fmt.Errorf("engine printed no JSON result on stdout (%d bytes)", len(stdout))
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// Percentile returns the p-th percentile (0 <= p <= 100) of sorted values by linear
// interpolation between the closest ranks; NaN for an empty slice.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	pos := p / 100 * float64(n-1)
	lo := int(math.Floor(pos))
	hi := lo + 1
	if hi >= n {
		return sorted[n-1]
	}
	f := pos - float64(lo)
	return sorted[lo] + f*(sorted[hi]-sorted[lo])
}

// Median returns the median of values (not necessarily sorted; the slice is not modified);
// NaN for an empty slice.
func Median(values []float64) float64 {
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	return Percentile(s, 50)
}

// Flags are the command-line flags of an engine binary.
type Flags struct {
	Phase     string
	Dir       string
	Writers   int
	W3Scrapes int
}

// Phases are the valid values of -phase.
var Phases = []string{"w1", "w2", "w3", "merge", "query"}

// ParseFlags parses the engine command line (os.Args[1:]) and checks it: -phase is one of Phases,
// -dir is given, -writers >= 1, -w3-scrapes >= 1. On a bad command line it prints the reason and
// the usage on stderr and exits with status 2.
func ParseFlags() Flags {
	var f Flags
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	fs.StringVar(&f.Phase, "phase", "", "w1, w2, w3, merge or query")
	fs.StringVar(&f.Dir, "dir", "", "the engine's data directory")
	fs.IntVar(&f.Writers, "writers", 1, "writer goroutines for w1 (1: generation inline)")
	fs.IntVar(&f.W3Scrapes, "w3-scrapes", 1440, "scrapes of W3 (1440 = 6 h at 15 s)")
	_ = fs.Parse(os.Args[1:])
	bad := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "%s: "+format+"\n", append([]any{os.Args[0]}, a...)...)
		fs.Usage()
		os.Exit(2)
	}
	ok := false
	for _, p := range Phases {
		ok = ok || p == f.Phase
	}
	switch {
	case !ok:
		bad("-phase %q is not one of %v", f.Phase, Phases)
	case f.Dir == "":
		bad("-dir is required")
	case f.Writers < 1:
		bad("-writers %d must be >= 1", f.Writers)
	case f.W3Scrapes < 1:
		bad("-w3-scrapes %d must be >= 1", f.W3Scrapes)
	case fs.NArg() != 0:
		bad("unexpected arguments %v", fs.Args())
	}
	return f
}

// Fatalf prints a message on stderr and exits with status 1: the driver records the phase as
// failed.
func Fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	os.Exit(1)
}

// LatencyStats returns the p50, p99 and maximum of latencies (any order; not modified); NaN for
// none.
func LatencyStats(latencies []float64) (p50, p99, max float64) {
	s := append([]float64(nil), latencies...)
	sort.Float64s(s)
	return Percentile(s, 50), Percentile(s, 99), Percentile(s, 100)
}
