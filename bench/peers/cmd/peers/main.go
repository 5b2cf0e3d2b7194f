// Command peers is the driver of the peer benchmark: it runs every engine binary of
// bench/peers/.bin phase by phase, each phase in its own process, for several interleaved
// rounds, and reports medians, min–max and vmengine ÷ peer ratios as JSON
// (results/latest.json) and as a markdown table (stdout and results/latest.md).
//
// Usage (from bench/peers/run.sh):
//
//	peers [-rounds 3] [-engines vmengine,prometheus,vm173,vmcurrent]
//	      [-workloads w1,w1w4,w2,w3,query] [-w3-scrapes 1440] [-bin DIR] [-results DIR]
//
// A round runs, for each engine in an order rotated by one per round: w1 (1 writer) → query
// (flushed) → merge → query (merged); then, engine after engine in the same order, w1 with
// -w1-writers writers, w2 and w3. Every phase gets a fresh directory under $TMPDIR, removed
// afterwards. An engine whose binary is missing is skipped with a message.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/vmengine/vmengine/bench/peers/protocol"
	"github.com/vmengine/vmengine/bench/peers/workload"
)

// allEngines in report order; vmengine is the subject, the rest are its peers.
var allEngines = []string{"vmengine", "prometheus", "vm173", "vmcurrent"}

// displayName is an engine's column title.
var displayName = map[string]string{
	"vmengine":   "vmengine",
	"prometheus": "Prometheus TSDB",
	"vm173":      "VM 1.73",
	"vmcurrent":  "VM current",
}

// gogcOf is the GOGC the driver sets for an engine ("" = unset, Go's default of 100):
// VictoriaMetrics sets 50 itself in its binaries, so its library runs at 50 here too.
var gogcOf = map[string]string{"vm173": "50", "vmcurrent": "50"}

// Run is one engine phase as the driver saw it.
type Run struct {
	Round     int              `json:"round"`
	Engine    string           `json:"engine"`
	Step      string           `json:"step"` // w1, query_flushed, merge, query_merged, w1w4, w2, w3
	Args      []string         `json:"args"`
	GOGC      string           `json:"gogc"`
	WallSec   float64          `json:"wall_sec"`
	UserSec   float64          `json:"user_sec"`
	SysSec    float64          `json:"sys_sec"`
	MaxRSS    int64            `json:"max_rss_bytes"`
	Load1     float64          `json:"load1_before"`
	Result    *protocol.Result `json:"result,omitempty"`
	Error     string           `json:"error,omitempty"`
	StderrEnd string           `json:"stderr_tail,omitempty"`
}

// Machine describes the computer the benchmark ran on.
type Machine struct {
	CPU         string  `json:"cpu"`
	Cores       int     `json:"cores"`
	RAMBytes    int64   `json:"ram_bytes"`
	Kernel      string  `json:"kernel"`
	GoVersion   string  `json:"go_version"`
	LoadBefore  string  `json:"loadavg_before"`
	LoadAfter   string  `json:"loadavg_after"`
	Load1Before float64 `json:"-"`
}

// Report is the content of results/latest.json.
type Report struct {
	Started    time.Time         `json:"started"`
	Finished   time.Time         `json:"finished"`
	GitCommit  string            `json:"git_commit,omitempty"`
	Machine    Machine           `json:"machine"`
	Rounds     int               `json:"rounds"`
	Engines    []string          `json:"engines"`
	Skipped    map[string]string `json:"skipped,omitempty"`
	Versions   map[string]string `json:"versions"`
	GOGC       map[string]string `json:"gogc"`
	Workloads  []string          `json:"workloads"`
	W1Writers  int               `json:"w1_writers"`
	W3Scrapes  int               `json:"w3_scrapes"`
	Runs       []Run             `json:"runs"`
	Figures    []FigureSummary   `json:"figures"`
	Failures   int               `json:"failures"`
	TableNotes []string          `json:"notes,omitempty"`
}

type config struct {
	rounds     int
	engines    []string
	workloads  map[string]bool
	w1Writers  int
	w3Scrapes  int
	binDir     string
	resultsDir string
	timeout    time.Duration
}

func main() {
	var (
		rounds     = flag.Int("rounds", 3, "interleaved rounds")
		engines    = flag.String("engines", strings.Join(allEngines, ","), "engines to run, comma-separated")
		workloads  = flag.String("workloads", "w1,w1w4,w2,w3,query", "workloads: w1 (1 writer, then merge), w1w4 (w1 with -w1-writers), w2, w3, query (flushed and merged, needs w1)")
		w1Writers  = flag.Int("w1-writers", 4, "writers of the w1w4 workload")
		w3Scrapes  = flag.Int("w3-scrapes", workload.W3Scrapes, "scrapes of W3 (1440 = 6 h at 15 s)")
		binDir     = flag.String("bin", "bench/peers/.bin", "directory of the engine binaries")
		resultsDir = flag.String("results", "bench/peers/results", "directory for latest.json and latest.md")
		timeout    = flag.Duration("phase-timeout", 60*time.Minute, "kill a phase that runs longer")
		from       = flag.String("from", "", "run nothing: recompute the figures and the table of this JSON report (e.g. results/latest.json) and print the table")
	)
	flag.Parse()
	if *from != "" {
		b, err := os.ReadFile(*from)
		if err != nil {
			fmt.Fprintf(os.Stderr, "peers: -from: %v\n", err)
			os.Exit(1)
		}
		var rep Report
		if err := json.Unmarshal(b, &rep); err != nil {
			fmt.Fprintf(os.Stderr, "peers: -from %s: %v\n", *from, err)
			os.Exit(1)
		}
		rep.Figures = summarize(&rep)
		fmt.Print(markdown(&rep))
		return
	}
	if flag.NArg() != 0 || *rounds < 1 || *w1Writers < 1 || *w3Scrapes < 1 {
		fmt.Fprintf(os.Stderr, "peers: bad arguments %v (need -rounds >= 1, -w1-writers >= 1, -w3-scrapes >= 1, no positional arguments)\n", os.Args[1:])
		flag.Usage()
		os.Exit(2)
	}
	cfg := config{rounds: *rounds, w1Writers: *w1Writers, w3Scrapes: *w3Scrapes, binDir: *binDir,
		resultsDir: *resultsDir, timeout: *timeout, workloads: map[string]bool{}}
	for _, w := range splitList(*workloads) {
		switch w {
		case "w1", "w1w4", "w2", "w3", "query":
			cfg.workloads[w] = true
		default:
			fmt.Fprintf(os.Stderr, "peers: -workloads: unknown workload %q (w1, w1w4, w2, w3, query)\n", w)
			os.Exit(2)
		}
	}
	if cfg.workloads["query"] && !cfg.workloads["w1"] {
		fmt.Fprintln(os.Stderr, "peers: -workloads: query needs w1 (it queries the W1 directory)")
		os.Exit(2)
	}
	for _, e := range splitList(*engines) {
		known := false
		for _, a := range allEngines {
			known = known || a == e
		}
		if !known {
			fmt.Fprintf(os.Stderr, "peers: -engines: unknown engine %q (%s)\n", e, strings.Join(allEngines, ", "))
			os.Exit(2)
		}
		cfg.engines = append(cfg.engines, e)
	}
	if err := workload.CheckVectors(); err != nil {
		fmt.Fprintf(os.Stderr, "peers: %v\n", err)
		os.Exit(1)
	}
	rep := run(cfg)
	if err := writeReport(cfg, rep); err != nil {
		fmt.Fprintf(os.Stderr, "peers: %v\n", err)
		os.Exit(1)
	}
	if rep.Failures > 0 {
		fmt.Fprintf(os.Stderr, "peers: %d phase(s) failed; see \"error\" in %s\n", rep.Failures, filepath.Join(cfg.resultsDir, "latest.json"))
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(cfg config) *Report {
	rep := &Report{Started: time.Now().UTC(), Rounds: cfg.rounds, Skipped: map[string]string{},
		Versions: map[string]string{}, GOGC: map[string]string{}, W1Writers: cfg.w1Writers, W3Scrapes: cfg.w3Scrapes}
	for _, w := range []string{"w1", "w1w4", "w2", "w3", "query"} {
		if cfg.workloads[w] {
			rep.Workloads = append(rep.Workloads, w)
		}
	}
	var engines []string
	for _, e := range cfg.engines {
		bin := filepath.Join(cfg.binDir, e)
		if st, err := os.Stat(bin); err != nil || st.IsDir() {
			msg := fmt.Sprintf("no binary %s in the -bin directory (not built)", e)
			fmt.Fprintf(os.Stderr, "peers: skipping %s: %s\n", e, msg)
			rep.Skipped[e] = msg
			continue
		}
		engines = append(engines, e)
		g := gogcOf[e]
		if g == "" {
			g = "unset (100)"
		}
		rep.GOGC[e] = g
	}
	rep.Engines = engines
	rep.Machine = machineInfo()
	rep.GitCommit = gitCommit()
	if len(engines) == 0 {
		fmt.Fprintln(os.Stderr, "peers: no engine binary to run")
		os.Exit(1)
	}

	for r := 1; r <= cfg.rounds; r++ {
		order := rotate(engines, r-1)
		fmt.Fprintf(os.Stderr, "peers: round %d/%d, order %s\n", r, cfg.rounds, strings.Join(order, " "))
		if cfg.workloads["w1"] {
			for _, e := range order {
				dir, cleanup := freshDir(e)
				ok := rep.runPhase(cfg, r, e, "w1", dir, "-phase", "w1", "-writers", "1")
				if ok && cfg.workloads["query"] {
					rep.runPhase(cfg, r, e, "query_flushed", dir, "-phase", "query")
				}
				if ok {
					ok = rep.runPhase(cfg, r, e, "merge", dir, "-phase", "merge")
				}
				if ok && cfg.workloads["query"] {
					rep.runPhase(cfg, r, e, "query_merged", dir, "-phase", "query")
				}
				cleanup()
			}
		}
		for _, step := range []string{"w1w4", "w2", "w3"} {
			if !cfg.workloads[step] {
				continue
			}
			for _, e := range order {
				dir, cleanup := freshDir(e)
				switch step {
				case "w1w4":
					rep.runPhase(cfg, r, e, step, dir, "-phase", "w1", "-writers", fmt.Sprint(cfg.w1Writers))
				case "w2":
					rep.runPhase(cfg, r, e, step, dir, "-phase", "w2")
				case "w3":
					rep.runPhase(cfg, r, e, step, dir, "-phase", "w3", "-w3-scrapes", fmt.Sprint(cfg.w3Scrapes))
				}
				cleanup()
			}
		}
	}
	rep.Machine.LoadAfter = loadavg()
	rep.Finished = time.Now().UTC()
	rep.Figures = summarize(rep)
	return rep
}

func rotate(s []string, n int) []string {
	out := make([]string, 0, len(s))
	for i := range s {
		out = append(out, s[(i+n)%len(s)])
	}
	return out
}

// freshDir returns DIR (missing) inside a new temporary directory, and a function removing it.
func freshDir(engine string) (string, func()) {
	parent, err := os.MkdirTemp("", "peers-"+engine+"-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: %v\n", err)
		os.Exit(1)
	}
	return filepath.Join(parent, "db"), func() {
		if err := os.RemoveAll(parent); err != nil {
			fmt.Fprintf(os.Stderr, "peers: removing %s: %v\n", parent, err)
		}
	}
}

// runPhase runs one engine phase in a child process and records it; false if it failed.
func (rep *Report) runPhase(cfg config, round int, engine, step, dir string, args ...string) bool {
	args = append(args, "-dir", dir)
	bin, _ := filepath.Abs(filepath.Join(cfg.binDir, engine))
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv(gogcOf[engine])
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 8192}
	cmd.Stdout = &stdout
	cmd.Stderr = stderr
	// The recorded arguments name the temporary directory as $DIR.
	recorded := append(append([]string(nil), args[:len(args)-1]...), "$DIR")
	r := Run{Round: round, Engine: engine, Step: step, Args: recorded, GOGC: rep.GOGC[engine], Load1: load1()}
	start := time.Now()
	err := cmd.Run()
	r.WallSec = time.Since(start).Seconds()
	if ps := cmd.ProcessState; ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
			r.UserSec = tvSec(ru.Utime)
			r.SysSec = tvSec(ru.Stime)
		}
	}
	if err == nil {
		res, perr := protocol.Parse(stdout.Bytes())
		if perr != nil {
			err = perr
		} else {
			r.Result = &res
			if res.Version != "" {
				rep.Versions[engine] = res.Version
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("killed after %v: %w", cfg.timeout, err)
		}
		r.Error = err.Error()
		r.StderrEnd = stderr.String()
		rep.Failures++
		fmt.Fprintf(os.Stderr, "peers: round %d %s %s FAILED: %v\n%s\n", round, engine, step, err, indent(r.StderrEnd))
	} else {
		fmt.Fprintf(os.Stderr, "peers: round %d %-10s %-13s %s\n", round, engine, step, brief(r))
	}
	rep.Runs = append(rep.Runs, r)
	return err == nil
}

func tvSec(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }

// childEnv is the driver's environment without GOGC and GOMAXPROCS, plus GOGC=gogc if given.
func childEnv(gogc string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMAXPROCS=") {
			continue
		}
		env = append(env, kv)
	}
	if gogc != "" {
		env = append(env, "GOGC="+gogc)
	}
	return env
}

func brief(r Run) string {
	res := r.Result
	s := fmt.Sprintf("%6.2f s wall, RSS %4.0f MiB", r.WallSec, float64(r.MaxRSS)/(1<<20))
	switch {
	case res.RowsPerSec > 0:
		s += fmt.Sprintf(", %.3f M rows/s, p99 %.1f ms", res.RowsPerSec/1e6, res.BatchP99Ms)
		if res.NewSeriesPerSec > 0 {
			s += fmt.Sprintf(", %.1f k new series/s", res.NewSeriesPerSec/1e3)
		}
	case len(res.Queries) > 0:
		for _, q := range res.Queries {
			s += fmt.Sprintf(", %s %.2f/%.2f ms", q.ID, q.FirstMs, protocol.Median(q.WarmMs))
		}
	case res.Seconds > 0:
		s += fmt.Sprintf(", %.2f s", res.Seconds)
	}
	return s
}

func indent(s string) string {
	if s == "" {
		return "    (no stderr)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

var _ io.Writer = (*tailBuffer)(nil)

func machineInfo() Machine {
	m := Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), LoadBefore: loadavg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
				m.RAMBytes = kb * 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	return m
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func load1() float64 {
	var l float64
	fmt.Sscanf(loadavg(), "%g", &l)
	return l
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		s += "+dirty"
	}
	return s
}

func writeReport(cfg config, rep *Report) error {
	if err := os.MkdirAll(cfg.resultsDir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	stamp := rep.Started.Format("20060102-150405")
	for _, name := range []string{"latest.json", "run-" + stamp + ".json"} {
		if err := os.WriteFile(filepath.Join(cfg.resultsDir, name), b, 0o644); err != nil {
			return err
		}
	}
	md := markdown(rep)
	fmt.Print(md)
	return os.WriteFile(filepath.Join(cfg.resultsDir, "latest.md"), []byte(md), 0o644)
}
