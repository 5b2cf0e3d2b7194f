package vmprom_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/vmengine/vmengine/bindings/go/vmengine"
	"github.com/vmengine/vmengine/bindings/go/vmprom"
)

const t0 = int64(1767225600000) // 2026-01-01T00:00:00Z

func TestLabelsRoundTrip(t *testing.T) {
	pl := labels.FromStrings("__name__", "up", "job", "node", "instance", "h1")
	vl := vmprom.FromLabels(pl)
	want := vmengine.Labels{{Name: "__name__", Value: "up"}, {Name: "instance", Value: "h1"}, {Name: "job", Value: "node"}}
	if !vl.Equal(want) {
		t.Fatalf("FromLabels = %v, want %v", vl, want)
	}
	// vmengine order (metric name first, any order) comes back sorted; empty values drop.
	back := vmprom.ToLabels(vmengine.Labels{{Name: "job", Value: "node"}, {Name: "__name__", Value: "up"}, {Name: "instance", Value: "h1"}, {Name: "empty", Value: ""}})
	if !labels.Equal(back, pl) {
		t.Fatalf("ToLabels = %v, want %v", back, pl)
	}
}

func TestMatchersRoundTrip(t *testing.T) {
	for _, pm := range []*labels.Matcher{
		labels.MustNewMatcher(labels.MatchEqual, "job", "node"),
		labels.MustNewMatcher(labels.MatchNotEqual, "job", "node"),
		labels.MustNewMatcher(labels.MatchRegexp, "host", "h[0-9]+"),
		labels.MustNewMatcher(labels.MatchNotRegexp, "host", "h1|h2"),
	} {
		vm, err := vmprom.FromMatcher(pm)
		if err != nil {
			t.Fatal(err)
		}
		if vm.Name != pm.Name || vm.Value != pm.Value || vm.String() != pm.String() {
			t.Fatalf("FromMatcher(%s) = %s", pm, vm)
		}
		back, err := vmprom.ToMatcher(vm)
		if err != nil || back.Type != pm.Type || back.Name != pm.Name || back.Value != pm.Value {
			t.Fatalf("ToMatcher(%s) = %v, %v", vm, back, err)
		}
	}
	if _, err := vmprom.ToMatcher(vmengine.Re("host", "h[")); err == nil {
		t.Fatal("ToMatcher accepted a bad regex")
	}
	if _, err := vmprom.FromMatchers(labels.MustNewMatcher(labels.MatchEqual, "a", "b"), nil); err == nil {
		t.Fatal("FromMatchers accepted a nil matcher")
	}
}

func openDB(t *testing.T) *vmengine.DB {
	t.Helper()
	db, err := vmengine.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

type sample struct {
	t int64
	v float64
}

// readAll drains a SeriesSet into label strings and samples.
func readAll(t *testing.T, ss storage.SeriesSet) ([]string, [][]sample) {
	t.Helper()
	var names []string
	var samples [][]sample
	var it chunkenc.Iterator
	for ss.Next() {
		s := ss.At()
		names = append(names, s.Labels().String())
		it = s.Iterator(it)
		var got []sample
		for it.Next() == chunkenc.ValFloat {
			ts, v := it.At()
			got = append(got, sample{ts, v})
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, got)
	}
	if err := ss.Err(); err != nil {
		t.Fatal(err)
	}
	return names, samples
}

// Prometheus-shaped code: append through storage.Appendable, read through storage.Queryable.
func TestAppenderQuerier(t *testing.T) {
	db := openDB(t)
	var st interface {
		storage.Appendable
		storage.Queryable
	} = vmprom.New(db)
	ctx := context.Background()

	app := st.Appender(ctx)
	for i := int64(0); i < 5; i++ {
		for _, h := range []string{"h2", "h1", "h3"} {
			if _, err := app.Append(0, labels.FromStrings("__name__", "up", "job", "node", "instance", h), t0+i*1000, float64(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := app.Append(0, labels.FromStrings("__name__", "other"), t0, 7); err != nil {
		t.Fatal(err)
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Append(0, labels.FromStrings("__name__", "up"), t0, 1); !errors.Is(err, vmprom.ErrAppenderDone) {
		t.Fatalf("Append after Commit: %v", err)
	}
	// Rolled back samples are not stored.
	app = st.Appender(ctx)
	if _, err := app.Append(0, labels.FromStrings("__name__", "rolled_back"), t0, 1); err != nil {
		t.Fatal(err)
	}
	if err := app.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := app.AppendHistogram(0, labels.FromStrings("__name__", "h"), t0, &histogram.Histogram{}, nil); !errors.Is(err, vmprom.ErrUnsupported) {
		t.Fatalf("AppendHistogram: %v", err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	q, err := st.Querier(t0+1000, t0+3000)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ss := q.Select(ctx, true, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "up"),
		labels.MustNewMatcher(labels.MatchRegexp, "instance", "h[12]"))
	names, samples := readAll(t, ss)
	wantNames := []string{`{__name__="up", instance="h1", job="node"}`, `{__name__="up", instance="h2", job="node"}`}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("Select names = %q, want %q", names, wantNames)
	}
	for _, got := range samples {
		if want := []sample{{t0 + 1000, 1}, {t0 + 2000, 2}, {t0 + 3000, 3}}; !slices.Equal(got, want) {
			t.Fatalf("samples = %v, want %v", got, want)
		}
	}
	// Unsorted, with hints narrowing the range and a limit of 2 series.
	ss = q.Select(ctx, false, &storage.SelectHints{Start: t0 + 3000, End: t0 + 9000, Limit: 2},
		labels.MustNewMatcher(labels.MatchEqual, "job", "node"))
	names, samples = readAll(t, ss)
	if len(names) != 2 || len(samples[0]) != 1 || samples[0][0].t != t0+3000 {
		t.Fatalf("hinted Select = %v %v", names, samples)
	}
	ln, _, err := q.LabelNames(ctx, nil)
	if err != nil || !slices.Equal(ln, []string{"__name__", "instance", "job"}) {
		t.Fatalf("LabelNames = %v, %v", ln, err)
	}
	lv, _, err := q.LabelValues(ctx, "__name__", nil)
	if err != nil || !slices.Equal(lv, []string{"other", "up"}) {
		t.Fatalf("LabelValues(__name__) = %v, %v (a rolled back sample is stored?)", lv, err)
	}
	lv, _, err = q.LabelValues(ctx, "instance", &storage.LabelHints{Limit: 2}, labels.MustNewMatcher(labels.MatchNotEqual, "instance", "h1"))
	if err != nil || !slices.Equal(lv, []string{"h2", "h3"}) {
		t.Fatalf("LabelValues(instance!=h1) = %v, %v", lv, err)
	}
	// A bad regex comes out of the SeriesSet's Err.
	ss = q.Select(ctx, false, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "up"), &labels.Matcher{Type: labels.MatchRegexp, Name: "x", Value: "("})
	if ss.Next() || !errors.Is(ss.Err(), vmengine.ErrInvalidArgument) {
		t.Fatalf("bad regex: %v", ss.Err())
	}
}

func TestCommitRejected(t *testing.T) {
	db := openDB(t)
	app := vmprom.New(db).Appender(context.Background())
	if _, err := app.Append(0, labels.FromStrings("__name__", "ok"), t0, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Append(0, labels.FromStrings("__name__", "bad"), t0, math.Float64frombits(0x7ff8000000000001)); err != nil {
		t.Fatal(err)
	}
	err := app.Commit()
	var rej *vmprom.RejectedError
	if !errors.As(err, &rej) || rej.Result.RowsAdded != 1 || rej.Result.RejectedNaN != 1 {
		t.Fatalf("Commit with a NaN: %v", err)
	}
}

func TestIteratorSeek(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	if _, err := db.AddSeries(ctx, vmengine.FromStrings("__name__", "s"), []int64{10, 20, 30, 40}, []float64{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := vmprom.New(db).Querier(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ss := q.Select(ctx, false, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "s"))
	if !ss.Next() {
		t.Fatal(ss.Err())
	}
	it := ss.At().Iterator(nil)
	if it.Seek(25) != chunkenc.ValFloat || it.AtT() != 30 {
		t.Fatalf("Seek(25) at %d", it.AtT())
	}
	if it.Seek(5) != chunkenc.ValFloat || it.AtT() != 30 {
		t.Fatalf("Seek backwards moved to %d", it.AtT())
	}
	if it.Next() != chunkenc.ValFloat || it.AtT() != 40 {
		t.Fatalf("Next after Seek at %d", it.AtT())
	}
	if it.Seek(41) != chunkenc.ValNone || it.Next() != chunkenc.ValNone {
		t.Fatal("Seek past the end")
	}
	if _, err := vmprom.New(db).Querier(10, 5); err == nil {
		t.Fatal("Querier(10, 5) accepted")
	}
}
