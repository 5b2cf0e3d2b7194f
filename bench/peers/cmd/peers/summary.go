package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vmengine/vmengine/bench/peers/protocol"
	"github.com/vmengine/vmengine/bench/peers/workload"
)

// Stat is the median and range of one figure over the rounds.
type Stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

// Condition is one part of a target from issue 8, section 2: vmengine's value against a peer's
// ("prometheus", "vm173", "vmcurrent", "best" = the best peer of each round), as the median of
// per-round ratios; or, with Peer "self", vmengine's own median value.
type Condition struct {
	Peer  string  `json:"peer"`
	Op    string  `json:"op"` // ">=" or "<="
	Value float64 `json:"value"`
	// Filled in by summarize: the measured ratio (or value) and whether it holds; Evaluated is
	// false when the peer was not run.
	Measured  float64 `json:"measured,omitempty"`
	Evaluated bool    `json:"evaluated"`
	Holds     bool    `json:"holds"`
}

// FigureSummary is one row of the report.
type FigureSummary struct {
	Key          string          `json:"key"`
	Label        string          `json:"label"`
	Unit         string          `json:"unit"`
	HigherBetter bool            `json:"higher_is_better"`
	Engines      map[string]Stat `json:"engines"`
	Ratios       map[string]Stat `json:"ratios,omitempty"` // vmengine ÷ peer, per round; key "best" = best peer of the round
	Target       string          `json:"target,omitempty"`
	Conditions   []Condition     `json:"conditions,omitempty"`
	Verdict      string          `json:"verdict,omitempty"` // PASS, FAIL, or "" (no target / peers not run)
}

// roundRuns are the successful runs of one round: engine -> step -> result.
type roundRuns map[string]map[string]*Run

type figureDef struct {
	key, label, unit string
	higher           bool
	get              func(rr roundRuns, engine string) (float64, bool)
	target           string
	conds            []Condition
}

func result(rr roundRuns, e, step string) *Run {
	if m := rr[e]; m != nil {
		return m[step]
	}
	return nil
}

func ingestFig(step string, f func(r *Run) float64) func(roundRuns, string) (float64, bool) {
	return func(rr roundRuns, e string) (float64, bool) {
		r := result(rr, e, step)
		if r == nil {
			return 0, false
		}
		v := f(r)
		return v, !math.IsNaN(v) && v > 0
	}
}

func queryFig(step, id string, warm bool) func(roundRuns, string) (float64, bool) {
	return func(rr roundRuns, e string) (float64, bool) {
		r := result(rr, e, step)
		if r == nil {
			return 0, false
		}
		for _, q := range r.Result.Queries {
			if q.ID != id {
				continue
			}
			if warm {
				if len(q.WarmMs) == 0 {
					return 0, false
				}
				return protocol.Median(q.WarmMs), true
			}
			return q.FirstMs, true
		}
		return 0, false
	}
}

const mib = 1 << 20

func figureDefs() []figureDef {
	rss := func(r *Run) float64 { return float64(r.MaxRSS) / mib }
	vm := func(op string, v float64) []Condition {
		return []Condition{{Peer: "vm173", Op: op, Value: v}, {Peer: "vmcurrent", Op: op, Value: v}}
	}
	w1Samples := float64(workload.W1Series * workload.W1Samples)
	defs := []figureDef{
		{key: "w1_rows_per_sec", label: "W1 rows/s until durable, 1 writer", unit: "rows/s", higher: true,
			get:    ingestFig("w1", func(r *Run) float64 { return r.Result.RowsPerSec }),
			target: "≥ 2× Prometheus, ≥ 3× VM",
			conds:  append([]Condition{{Peer: "prometheus", Op: ">=", Value: 2}}, vm(">=", 3)...)},
		{key: "w1_batch_p50_ms", label: "W1 batch p50", unit: "ms",
			get: ingestFig("w1", func(r *Run) float64 { return r.Result.BatchP50Ms })},
		{key: "w1_batch_p99_ms", label: "W1 batch p99", unit: "ms",
			get:    ingestFig("w1", func(r *Run) float64 { return r.Result.BatchP99Ms }),
			target: "≤ best peer", conds: []Condition{{Peer: "best", Op: "<=", Value: 1}}},
		{key: "w1_batch_max_ms", label: "W1 batch max", unit: "ms",
			get: ingestFig("w1", func(r *Run) float64 { return r.Result.BatchMaxMs })},
		{key: "w1_rss_mib", label: "W1 peak RSS", unit: "MiB",
			get:    ingestFig("w1", rss),
			target: "≤ 0.8× Prometheus", conds: []Condition{{Peer: "prometheus", Op: "<=", Value: 0.8}}},
		{key: "w1_cpu_sec", label: "W1 CPU time (user+sys)", unit: "s",
			get: ingestFig("w1", func(r *Run) float64 { return r.UserSec + r.SysSec })},
		{key: "w1w4_rows_per_sec", label: "W1 rows/s, N writers", unit: "rows/s", higher: true,
			get: ingestFig("w1w4", func(r *Run) float64 { return r.Result.RowsPerSec })},
		{key: "w1w4_scaling", label: "W1 N writers ÷ 1 writer (own rate)", unit: "×", higher: true,
			get: func(rr roundRuns, e string) (float64, bool) {
				a, b := result(rr, e, "w1w4"), result(rr, e, "w1")
				if a == nil || b == nil || b.Result.RowsPerSec <= 0 {
					return 0, false
				}
				return a.Result.RowsPerSec / b.Result.RowsPerSec, true
			},
			target: "vmengine ≥ 1.6× (with exactly 10,000 series)", conds: []Condition{{Peer: "self", Op: ">=", Value: 1.6}}},
		{key: "w1w4_rss_mib", label: "W1 N writers peak RSS", unit: "MiB", get: ingestFig("w1w4", rss)},
		{key: "w2_new_series_per_sec", label: "W2 new series/s until durable", unit: "series/s", higher: true,
			get:    ingestFig("w2", func(r *Run) float64 { return r.Result.NewSeriesPerSec }),
			target: "≥ 1.5× Prometheus, ≥ 3× VM",
			conds:  append([]Condition{{Peer: "prometheus", Op: ">=", Value: 1.5}}, vm(">=", 3)...)},
		{key: "w2_batch_p99_ms", label: "W2 batch p99", unit: "ms",
			get: ingestFig("w2", func(r *Run) float64 { return r.Result.BatchP99Ms })},
		{key: "w2_rss_mib", label: "W2 peak RSS", unit: "MiB", get: ingestFig("w2", rss),
			target: "≤ 0.8× Prometheus", conds: []Condition{{Peer: "prometheus", Op: "<=", Value: 0.8}}},
		{key: "w2_index_bytes_per_series", label: "W2 index bytes/series after ingest", unit: "B/series",
			get: ingestFig("w2", func(r *Run) float64 {
				return float64(r.Result.Disk.Index) / float64(workload.W2Series)
			})},
		{key: "w3_rows_per_sec", label: "W3 rows/s until durable", unit: "rows/s", higher: true,
			get: ingestFig("w3", func(r *Run) float64 { return r.Result.RowsPerSec })},
		{key: "w3_new_series_per_sec", label: "W3 new series/s", unit: "series/s", higher: true,
			get: ingestFig("w3", func(r *Run) float64 { return r.Result.NewSeriesPerSec })},
		{key: "w3_batch_p99_ms", label: "W3 batch (scrape) p99", unit: "ms",
			get: ingestFig("w3", func(r *Run) float64 { return r.Result.BatchP99Ms })},
		{key: "w3_rss_mib", label: "W3 peak RSS", unit: "MiB", get: ingestFig("w3", rss)},
		{key: "w3_disk_bytes_per_sample", label: "W3 disk bytes/sample (all files)", unit: "B/sample",
			get: ingestFig("w3", func(r *Run) float64 {
				d := r.Result.Disk
				return float64(d.Data+d.Index+d.Other) / float64(r.Result.Rows)
			})},
		{key: "w1_data_bytes_per_sample", label: "W1 data bytes/sample after ingest", unit: "B/sample",
			get: ingestFig("w1", func(r *Run) float64 { return float64(r.Result.Disk.Data) / w1Samples })},
		{key: "merge_sec", label: "W1 force merge", unit: "s",
			get: ingestFig("merge", func(r *Run) float64 { return r.Result.Seconds })},
		{key: "merged_data_bytes_per_sample", label: "data bytes/sample after merge", unit: "B/sample",
			get:    ingestFig("merge", func(r *Run) float64 { return float64(r.Result.Disk.Data) / w1Samples }),
			target: "≤ VM", conds: vm("<=", 1)},
		{key: "merged_index_bytes_per_series", label: "index bytes/series after merge", unit: "B/series",
			get: ingestFig("merge", func(r *Run) float64 {
				return float64(r.Result.Disk.Index) / float64(workload.W1Series)
			}),
			target: "≤ VM", conds: vm("<=", 1)},
	}
	for _, st := range []struct{ step, name string }{{"query_flushed", "flushed"}, {"query_merged", "merged"}} {
		step := st.step
		defs = append(defs, figureDef{key: "open_ms_" + st.name, label: "open, " + st.name, unit: "ms",
			get: ingestFig(step, func(r *Run) float64 { return r.Result.OpenMs })})
		for _, warm := range []bool{true, false} {
			kind := "first"
			if warm {
				kind = "warm"
			}
			for _, q := range workload.Queries() {
				defs = append(defs, figureDef{key: q.ID + "_" + kind + "_" + st.name,
					label: q.ID + " " + kind + ", " + st.name, unit: "ms", get: queryFig(step, q.ID, warm),
					target: "≤ 0.7× best peer", conds: []Condition{{Peer: "best", Op: "<=", Value: 0.7}}})
			}
		}
		defs = append(defs, figureDef{key: "query_rss_mib_" + st.name, label: "query process peak RSS, " + st.name,
			unit: "MiB", get: ingestFig(step, rss)})
	}
	return defs
}

func statOf(v []float64) Stat {
	if len(v) == 0 {
		return Stat{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return Stat{Median: protocol.Percentile(s, 50), Min: s[0], Max: s[len(s)-1], N: len(s)}
}

func summarize(rep *Report) []FigureSummary {
	rounds := make([]roundRuns, rep.Rounds+1)
	for i := range rep.Runs {
		r := &rep.Runs[i]
		if r.Result == nil || r.Error != "" {
			continue
		}
		if rounds[r.Round] == nil {
			rounds[r.Round] = roundRuns{}
		}
		if rounds[r.Round][r.Engine] == nil {
			rounds[r.Round][r.Engine] = map[string]*Run{}
		}
		rounds[r.Round][r.Engine][r.Step] = r
	}
	var peers []string
	for _, e := range rep.Engines {
		if e != "vmengine" {
			peers = append(peers, e)
		}
	}
	var out []FigureSummary
	for _, d := range figureDefs() {
		fs := FigureSummary{Key: d.key, Label: d.label, Unit: d.unit, HigherBetter: d.higher,
			Engines: map[string]Stat{}, Ratios: map[string]Stat{}, Target: d.target}
		vals := map[string][]float64{}
		ratios := map[string][]float64{}
		for _, rr := range rounds {
			if rr == nil {
				continue
			}
			got := map[string]float64{}
			for _, e := range rep.Engines {
				if v, ok := d.get(rr, e); ok {
					got[e] = v
					vals[e] = append(vals[e], v)
				}
			}
			me, ok := got["vmengine"]
			if !ok {
				continue
			}
			best, haveBest := 0.0, false
			for _, p := range peers {
				pv, ok := got[p]
				if !ok || pv <= 0 {
					continue
				}
				ratios[p] = append(ratios[p], me/pv)
				if !haveBest || (d.higher && pv > best) || (!d.higher && pv < best) {
					best, haveBest = pv, true
				}
			}
			if haveBest {
				ratios["best"] = append(ratios["best"], me/best)
			}
		}
		for e, v := range vals {
			fs.Engines[e] = statOf(v)
		}
		for p, v := range ratios {
			fs.Ratios[p] = statOf(v)
		}
		if len(d.conds) > 0 {
			verdict := ""
			for _, c := range d.conds {
				var m Stat
				var ok bool
				if c.Peer == "self" {
					m, ok = fs.Engines["vmengine"]
				} else {
					m, ok = fs.Ratios[c.Peer]
				}
				if ok && m.N > 0 {
					c.Evaluated = true
					c.Measured = m.Median
					c.Holds = (c.Op == ">=" && m.Median >= c.Value) || (c.Op == "<=" && m.Median <= c.Value)
					if !c.Holds {
						verdict = "FAIL"
					} else if verdict == "" {
						verdict = "PASS"
					}
				}
				fs.Conditions = append(fs.Conditions, c)
			}
			for _, c := range fs.Conditions {
				if !c.Evaluated && verdict != "" {
					verdict += " (not every peer ran)"
					break
				}
			}
			fs.Verdict = verdict
		}
		out = append(out, fs)
	}
	return out
}

// format renders a value of a unit for the table.
func format(v float64, unit string) string {
	switch unit {
	case "rows/s":
		return fmt.Sprintf("%.2f M", v/1e6)
	case "series/s":
		return fmt.Sprintf("%.0f k", v/1e3)
	case "MiB":
		return fmt.Sprintf("%.0f", v)
	case "ms":
		switch {
		case v < 1:
			return fmt.Sprintf("%.3f", v)
		case v < 10:
			return fmt.Sprintf("%.2f", v)
		case v < 100:
			return fmt.Sprintf("%.1f", v)
		}
		return fmt.Sprintf("%.0f", v)
	case "×":
		if math.Abs(v-1) < 0.005 && v != 1 {
			return fmt.Sprintf("%.4f×", v) // so that 1.0001× does not print as a failing 1.00×
		}
		return fmt.Sprintf("%.2f×", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func formatStat(s Stat, unit string, withRange bool) string {
	if s.N == 0 {
		return "–"
	}
	if !withRange || s.N == 1 {
		return format(s.Median, unit)
	}
	return fmt.Sprintf("%s (%s–%s)", format(s.Median, unit), format(s.Min, unit), format(s.Max, unit))
}

func peerName(p string) string {
	if p == "best" {
		return "best peer"
	}
	if n := displayName[p]; n != "" {
		return n
	}
	return p
}

func markdown(rep *Report) string {
	var b strings.Builder
	var peers []string
	for _, e := range rep.Engines {
		if e != "vmengine" {
			peers = append(peers, e)
		}
	}
	m := rep.Machine
	fmt.Fprintf(&b, "## bench/peers, %s\n\n", rep.Started.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Machine: %s, %d cores, %.0f GiB RAM, %s, %s; load average %s before, %s after.\n",
		m.CPU, m.Cores, float64(m.RAMBytes)/(1<<30), m.Kernel, m.GoVersion, m.LoadBefore, m.LoadAfter)
	fmt.Fprintf(&b, "Rounds: %d, interleaved (order rotated every round). Workloads: %s; N writers = %d; W3 scrapes = %d (%d rows, %d series).\n",
		rep.Rounds, strings.Join(rep.Workloads, ", "), rep.W1Writers, rep.W3Scrapes,
		workload.W3Rows(rep.W3Scrapes), workload.W3DistinctSeries(rep.W3Scrapes))
	var eng []string
	for _, e := range rep.Engines {
		v := rep.Versions[e]
		if v == "" {
			v = "?"
		}
		eng = append(eng, fmt.Sprintf("%s %s (GOGC %s)", displayName[e], v, rep.GOGC[e]))
	}
	fmt.Fprintf(&b, "Engines: %s.", strings.Join(eng, ", "))
	if rep.GitCommit != "" {
		fmt.Fprintf(&b, " vmengine commit %s.", rep.GitCommit)
	}
	b.WriteString("\n")
	for e, why := range rep.Skipped {
		fmt.Fprintf(&b, "Skipped %s: %s.\n", e, why)
	}
	if rep.Failures > 0 {
		fmt.Fprintf(&b, "\n**%d phase(s) failed** (see `error` in latest.json):\n", rep.Failures)
		for _, r := range rep.Runs {
			if r.Error != "" {
				fmt.Fprintf(&b, "- round %d, %s, %s: %s\n", r.Round, r.Engine, r.Step, firstLine(r.Error))
			}
		}
	}

	var notes []string
	for _, r := range rep.Runs {
		if r.Result != nil && r.Result.Notes != "" {
			notes = append(notes, fmt.Sprintf("- round %d, %s, %s: %s\n", r.Round, displayName[r.Engine], r.Step, r.Result.Notes))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nEngine notes (the checks after ingest):\n")
		for _, n := range notes {
			b.WriteString(n)
		}
	}
	{
		b.WriteString("\n### vmengine ÷ peer (median of per-round ratios)\n\n")
		if len(peers) == 0 {
			b.WriteString("No peer was run: only vmengine's own targets are evaluated.\n\n")
		}
		b.WriteString("For rows/s, series/s and the N-writer scaling higher is better; for everything else lower is better.\n\n")
		b.WriteString("| figure | better |")
		for _, p := range append(append([]string(nil), peers...), "best") {
			fmt.Fprintf(&b, " ÷ %s |", peerName(p))
		}
		b.WriteString(" target | |\n|---|---|")
		for range len(peers) + 1 {
			b.WriteString("---|")
		}
		b.WriteString("---|---|\n")
		for _, f := range rep.Figures {
			if len(f.Ratios) == 0 && f.Target == "" {
				continue
			}
			dir := "lower"
			if f.HigherBetter {
				dir = "higher"
			}
			fmt.Fprintf(&b, "| %s | %s |", f.Label, dir)
			for _, p := range append(append([]string(nil), peers...), "best") {
				s, ok := f.Ratios[p]
				if !ok || s.N == 0 {
					b.WriteString(" – |")
					continue
				}
				fmt.Fprintf(&b, " %s |", format(s.Median, "×"))
			}
			mark := f.Verdict
			if strings.HasPrefix(mark, "FAIL") {
				mark = "**" + mark + "**"
			}
			fmt.Fprintf(&b, " %s | %s |\n", f.Target, mark)
		}
	}

	b.WriteString("\n### Absolute figures: median (min–max) over rounds\n\n| figure | unit |")
	for _, e := range rep.Engines {
		fmt.Fprintf(&b, " %s |", displayName[e])
	}
	b.WriteString("\n|---|---|")
	for range rep.Engines {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, f := range rep.Figures {
		if len(f.Engines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s |", f.Label, f.Unit)
		for _, e := range rep.Engines {
			fmt.Fprintf(&b, " %s |", formatStat(f.Engines[e], f.Unit, rep.Rounds > 1))
		}
		b.WriteString("\n")
	}
	b.WriteString("\nData bytes count the sample files (vmengine and VictoriaMetrics: `data/`; Prometheus: chunks),\n" +
		"index bytes the inverted index (`indexdb/`; Prometheus: the block `index` files); WAL, caches and metadata are neither.\n" +
		"Peak RSS is the child process's `ru_maxrss`. Query times include reading and summing every returned sample; \"warm\" is\n" +
		"the median of 3 repeats after the first run in the same process; every result's series and sample counts are checked,\n" +
		"and q4 is compared bit for bit with the generator.\n")
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
