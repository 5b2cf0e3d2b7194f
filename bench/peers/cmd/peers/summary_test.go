package main

import (
	"strings"
	"testing"

	"github.com/vmengine/vmengine/bench/peers/protocol"
)

func w2Run(round int, engine string, seriesPerSec float64, rss int64) Run {
	return Run{Round: round, Engine: engine, Step: "w2", MaxRSS: rss,
		Result: &protocol.Result{Engine: engine, Phase: "w2", Rows: 2000000, RowsPerSec: 10 * seriesPerSec,
			NewSeriesPerSec: seriesPerSec, Disk: &protocol.Disk{Index: 8000000}}}
}

func figure(t *testing.T, figs []FigureSummary, key string) FigureSummary {
	for _, f := range figs {
		if f.Key == key {
			return f
		}
	}
	t.Fatalf("no figure %s", key)
	return FigureSummary{}
}

func TestSummarizeRatiosAndTargets(t *testing.T) {
	rep := &Report{Rounds: 3, Engines: []string{"vmengine", "prometheus", "vm173"}}
	// Per-round ratios to Prometheus: 2, 1, 3 (median 2); to VM 1.73: 4, 4, 2 (median 4). The
	// ratio of the medians (200/100 = 2 and 200/50 = 4) would agree here, the best-peer ratio
	// (2, 1, 2 -> 2) shows that it is taken per round.
	for r, v := range [][3]float64{{200, 100, 50}, {100, 100, 25}, {300, 100, 150}} {
		rep.Runs = append(rep.Runs, w2Run(r+1, "vmengine", v[0], 300*mib), w2Run(r+1, "prometheus", v[1], 200*mib),
			w2Run(r+1, "vm173", v[2], 400*mib))
	}
	// A failed phase is left out.
	rep.Runs = append(rep.Runs, Run{Round: 3, Engine: "vm173", Step: "w1", Error: "exit status 1"})
	rep.Failures = 1
	figs := summarize(rep)
	rep.Figures = figs

	f := figure(t, figs, "w2_new_series_per_sec")
	if f.Engines["vmengine"].Median != 200 || f.Engines["vm173"].Min != 25 || f.Engines["vm173"].Max != 150 {
		t.Fatalf("engine stats %+v", f.Engines)
	}
	if f.Ratios["prometheus"].Median != 2 || f.Ratios["vm173"].Median != 4 || f.Ratios["best"].Median != 2 {
		t.Fatalf("ratios %+v", f.Ratios)
	}
	// >= 1.5x Prometheus holds, >= 3x VM 1.73 holds, VM current was not run.
	if f.Verdict != "PASS (not every peer ran)" {
		t.Fatalf("verdict %q, conditions %+v", f.Verdict, f.Conditions)
	}

	rss := figure(t, figs, "w2_rss_mib")
	if rss.Ratios["prometheus"].Median != 1.5 || rss.Verdict != "FAIL" {
		t.Fatalf("RSS ratio %+v verdict %q", rss.Ratios, rss.Verdict)
	}
	// Lower is better: the best peer is the smallest RSS of each round (Prometheus).
	if rss.Ratios["best"].Median != 1.5 {
		t.Fatalf("best-peer RSS ratio %+v", rss.Ratios["best"])
	}
	if len(figure(t, figs, "w1_rows_per_sec").Engines) != 0 {
		t.Fatal("a figure without runs has engine stats")
	}

	md := markdown(rep)
	for _, want := range []string{"| W2 new series/s until durable | higher | 2.00× | 4.00× | 2.00× |", "**FAIL**", "round 3, vm173, w1"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestFormatRatioNearOne(t *testing.T) {
	if got := format(1.0001, "×"); got != "1.0001×" {
		t.Fatalf("format(1.0001) = %q", got)
	}
	if got := format(0.5, "×"); got != "0.50×" {
		t.Fatalf("format(0.5) = %q", got)
	}
}
