package vmengine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

// The real node_exporter capture of the repository loads with one call.
func TestImportPrometheusFileCapture(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	ctx := context.Background()
	capture := filepath.Join("..", "..", "..", "examples", "data", "node_exporter_1s_1200.prom.zst")
	res, err := db.ImportPrometheusFile(ctx, capture, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows.RowsAdded != 608400 || res.Rows.Rejected() != 0 || res.LinesSkipped != 0 || res.LinesRead < 608400 {
		t.Fatalf("import: %+v", res)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := db.SeriesCount(ctx, vmengine.Match()); err != nil || n != 507 {
		t.Fatalf("series: %d, %v", n, err)
	}
	if n := countSamples(t, db, vmengine.Select("node_load1")); n != 1200 {
		t.Fatalf("node_load1 samples: %d", n)
	}
}

func TestImportPrometheusText(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	ctx := context.Background()
	text := []byte("# HELP m a metric\n# TYPE m gauge\n" +
		"m{host=\"a\"} 1 1767225600000\n" +
		"m{host=\"b\" 2 1767225600000\n" + // malformed: line 4
		"m{host=\"c\"} 3\n") // no timestamp: DefaultTime
	def := time.UnixMilli(t0 + 5000)
	res, err := db.ImportPrometheus(ctx, text, &vmengine.ImportOptions{DefaultTime: def})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows.RowsAdded != 2 || res.LinesSkipped != 1 || res.FirstSkippedLine != 4 || res.LinesRead != 5 {
		t.Fatalf("lenient import: %+v", res)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for s, err := range db.SearchSeq(ctx, vmengine.Select(`m{host="c"}`)) {
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Timestamps) != 1 || s.Timestamps[0] != t0+5000 || s.Values[0] != 3 {
			t.Fatalf("line without timestamp stored as %v %v", s.Timestamps, s.Values)
		}
	}
	// Strict: the first malformed line fails the call and is named.
	_, err = db.ImportPrometheus(ctx, text, &vmengine.ImportOptions{Strict: true})
	if !errors.Is(err, vmengine.ErrInvalidArgument) || !strings.Contains(err.Error(), "4") {
		t.Fatalf("strict import: %v", err)
	}
	// A missing file is an error naming it.
	missing := filepath.Join(t.TempDir(), "missing.prom")
	if _, err := db.ImportPrometheusFile(ctx, missing, nil); err == nil || !strings.Contains(err.Error(), "missing.prom") {
		t.Fatalf("missing file: %v", err)
	}
	// A cancelled ctx stops the call before it starts.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.ImportPrometheus(cctx, []byte("late 1 1767225600000\n"), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	if n := countSamples(t, db, vmengine.Select("late")); n != 0 {
		t.Fatalf("cancelled import stored %d samples", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportPrometheusFile(ctx, missing, nil); !errors.Is(err, vmengine.ErrClosed) {
		t.Fatalf("import after Close: %v", err)
	}
}
