package vmengine_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

const t0 = int64(1767225600000) // 2026-01-01T00:00:00Z

func openT(t *testing.T, dir string, opts *vmengine.Options) *vmengine.DB {
	t.Helper()
	db, err := vmengine.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// fixture: cpu{host=h0..h3, dc=a|b} and mem{host=h0..h1}, 10 samples each at t0 + i*1000.
func fill(t *testing.T, db *vmengine.DB) {
	t.Helper()
	b := vmengine.NewBatch(64)
	for i := 0; i < 10; i++ {
		for h := 0; h < 4; h++ {
			dc := "a"
			if h%2 == 1 {
				dc = "b"
			}
			ls := vmengine.FromStrings("__name__", "cpu", "host", fmt.Sprintf("h%d", h), "dc", dc)
			if err := b.Add(ls, t0+int64(i)*1000, float64(h*100+i)+0.25); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err := db.Write(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsAdded != 40 || res.Rejected() != 0 {
		t.Fatalf("Write: %+v", res)
	}
	for h := 0; h < 2; h++ {
		ts := make([]int64, 10)
		vs := make([]float64, 10)
		for i := range ts {
			ts[i] = t0 + int64(i)*1000
			vs[i] = -float64(i) * 1.5
		}
		res, err := db.AddSeries(context.Background(), vmengine.FromStrings("__name__", "mem", "host", fmt.Sprintf("h%d", h)), ts, vs)
		if err != nil || res.RowsAdded != 10 {
			t.Fatalf("AddSeries: %+v %v", res, err)
		}
	}
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func collect(t *testing.T, it *vmengine.SeriesIterator, err error) []*vmengine.Series {
	t.Helper()
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	var out []*vmengine.Series
	for s, err := range it.All() {
		if err != nil {
			t.Fatalf("iteration: %v", err)
		}
		out = append(out, s.Clone())
	}
	return out
}

func names(ss []*vmengine.Series) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Labels.String())
	}
	slices.Sort(out)
	return out
}

func TestRoundTrip(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ctx := context.Background()

	it, err := db.Search(ctx, vmengine.Match(vmengine.Eq("__name__", "cpu"), vmengine.Eq("host", "h2")).Between(t0, t0+100000))
	ss := collect(t, it, err)
	if len(ss) != 1 {
		t.Fatalf("got %d series", len(ss))
	}
	s := ss[0]
	wantLabels := vmengine.Labels{{"__name__", "cpu"}, {"dc", "a"}, {"host", "h2"}}
	if got := s.Labels.Map(); len(got) != 3 || got["__name__"] != "cpu" || got["dc"] != "a" || got["host"] != "h2" {
		t.Fatalf("labels %v, want %v", s.Labels, wantLabels)
	}
	if s.Labels[0].Name != "__name__" {
		t.Fatalf("metric name is not first: %v", s.Labels)
	}
	if len(s.Timestamps) != 10 || len(s.Values) != 10 {
		t.Fatalf("%d samples", len(s.Timestamps))
	}
	for i := range s.Timestamps {
		if s.Timestamps[i] != t0+int64(i)*1000 || s.Values[i] != float64(200+i)+0.25 {
			t.Fatalf("sample %d = (%d, %v)", i, s.Timestamps[i], s.Values[i])
		}
	}

	// Time range is inclusive on both ends.
	it, err = db.Search(ctx, vmengine.Match(vmengine.Eq("__name__", "mem"), vmengine.Eq("host", "h1")).Between(t0+2000, t0+4000))
	ss = collect(t, it, err)
	if len(ss) != 1 || !slices.Equal(ss[0].Timestamps, []int64{t0 + 2000, t0 + 3000, t0 + 4000}) ||
		!slices.Equal(ss[0].Values, []float64{-3, -4.5, -6}) {
		t.Fatalf("mem h1: %+v", ss)
	}

	// Next/Series/Err/Close form.
	it, err = db.Search(ctx, vmengine.Match(vmengine.Eq("__name__", "cpu")))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.Next() {
		if len(it.Series().Values) != 10 {
			t.Fatalf("series %v has %d samples", it.Series().Labels, len(it.Series().Values))
		}
		n++
	}
	if it.Err() != nil || n != 4 {
		t.Fatalf("n=%d err=%v", n, it.Err())
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}

	// SearchSeq with break closes the iterator.
	n = 0
	for s, err := range db.SearchSeq(ctx, vmengine.Match(vmengine.Re("__name__", ".+"))) {
		if err != nil {
			t.Fatal(err)
		}
		if s == nil {
			t.Fatal("nil series")
		}
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("n=%d", n)
	}
}

func TestMatchers(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ctx := context.Background()
	cases := []struct {
		m    []vmengine.Matcher
		want []string
	}{
		{[]vmengine.Matcher{vmengine.Eq("__name__", "mem")}, []string{`mem{host="h0"}`, `mem{host="h1"}`}},
		{[]vmengine.Matcher{vmengine.Eq("__name__", "cpu"), vmengine.Neq("dc", "a")}, []string{`cpu{dc="b",host="h1"}`, `cpu{dc="b",host="h3"}`}},
		{[]vmengine.Matcher{vmengine.Re("host", "h[23]")}, []string{`cpu{dc="a",host="h2"}`, `cpu{dc="b",host="h3"}`}},
		{[]vmengine.Matcher{vmengine.Eq("__name__", "cpu"), vmengine.Nre("host", "h[0-2]")}, []string{`cpu{dc="b",host="h3"}`}},
		// A missing label has the value "".
		{[]vmengine.Matcher{vmengine.Re("__name__", ".+"), vmengine.Eq("dc", "")}, []string{`mem{host="h0"}`, `mem{host="h1"}`}},
		{[]vmengine.Matcher{vmengine.Eq("__name__", "nope")}, nil},
	}
	for _, c := range cases {
		it, err := db.Search(ctx, vmengine.Match(c.m...).Between(t0, t0+9000))
		if got := names(collect(t, it, err)); !slices.Equal(got, c.want) {
			t.Errorf("%v: got %v, want %v", c.m, got, c.want)
		}
	}
}

func TestSelector(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ctx := context.Background()
	it, err := db.Search(ctx, vmengine.Select(`cpu{host=~"h[01]",dc!="b"}`).Since(t0))
	if got := names(collect(t, it, err)); !slices.Equal(got, []string{`cpu{dc="a",host="h0"}`}) {
		t.Fatalf("got %v", got)
	}
	it, err = db.Search(ctx, vmengine.Query{Selector: `{__name__=~"cpu|mem"}`, Matchers: []vmengine.Matcher{vmengine.Eq("host", "h1")}, Range: vmengine.AllTime()})
	if got := names(collect(t, it, err)); len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	_, err = db.Search(ctx, vmengine.Select(`cpu{host=`))
	if !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("bad selector: %v", err)
	}
	var e *vmengine.Error
	if !errors.As(err, &e) || e.Message == "" || e.Code != vmengine.CodeInvalidArgument {
		t.Fatalf("bad selector error: %#v", err)
	}
	// Series limit.
	_, err = db.Search(ctx, vmengine.Query{Selector: "cpu", MaxSeries: 2, Range: vmengine.AllTime()})
	if !errors.Is(err, vmengine.ErrLimit) {
		t.Fatalf("limit: %v", err)
	}
}

func TestLabelNamesValuesCount(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ln, err := db.LabelNames(context.Background(), vmengine.Match())
	if err != nil || !slices.Equal(ln, []string{"__name__", "dc", "host"}) {
		t.Fatalf("LabelNames = %v, %v", ln, err)
	}
	ln, err = db.LabelNames(context.Background(), vmengine.Match(vmengine.Eq("__name__", "mem")))
	if err != nil || !slices.Equal(ln, []string{"__name__", "host"}) {
		t.Fatalf("LabelNames(mem) = %v, %v", ln, err)
	}
	lv, err := db.LabelValues(context.Background(), "__name__", vmengine.Match())
	if err != nil || !slices.Equal(lv, []string{"cpu", "mem"}) {
		t.Fatalf("LabelValues(__name__) = %v, %v", lv, err)
	}
	lv, err = db.LabelValues(context.Background(), "host", vmengine.Select("mem"))
	if err != nil || !slices.Equal(lv, []string{"h0", "h1"}) {
		t.Fatalf("LabelValues(host, mem) = %v, %v", lv, err)
	}
	lv, err = db.LabelValues(context.Background(), "", vmengine.Match())
	if err != nil {
		t.Fatalf("LabelValues(\"\"): %v", err)
	}
	n, err := db.SeriesCount(context.Background(), vmengine.Match())
	if err != nil || n != 6 {
		t.Fatalf("SeriesCount = %d, %v", n, err)
	}
	n, err = db.SeriesCount(context.Background(), vmengine.Match(vmengine.Eq("dc", "b")).Between(t0, t0+1000))
	if err != nil || n != 2 {
		t.Fatalf("SeriesCount(dc=b) = %d, %v", n, err)
	}
	st, err := db.Stats()
	if err != nil || len(st) == 0 {
		t.Fatalf("Stats = %v, %v", st, err)
	}
	if _, ok := st["rows"]; !ok {
		t.Fatalf("Stats has no rows: %v", st)
	}
	if vmengine.Version() == "" || vmengine.ABIVersion() != 0 || vmengine.VersionNumber() == 0 && vmengine.Version() != "0.0.0" {
		t.Fatalf("version %q abi %d", vmengine.Version(), vmengine.ABIVersion())
	}
}

func TestDeleteSeries(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	if _, err := db.DeleteSeries(context.Background(), vmengine.Match()); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("DeleteSeries without matchers: %v", err)
	}
	n, err := db.DeleteSeries(context.Background(), vmengine.Match(vmengine.Eq("__name__", "cpu"), vmengine.Eq("dc", "a")))
	if err != nil || n != 2 {
		t.Fatalf("DeleteSeries = %d, %v", n, err)
	}
	if c, _ := db.SeriesCount(context.Background(), vmengine.Match()); c != 4 {
		t.Fatalf("SeriesCount after delete = %d", c)
	}
	it, err := db.Search(context.Background(), vmengine.Select("cpu"))
	if got := names(collect(t, it, err)); !slices.Equal(got, []string{`cpu{dc="b",host="h1"}`, `cpu{dc="b",host="h3"}`}) {
		t.Fatalf("after delete: %v", got)
	}
	if err := db.ForceMerge(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.SeriesCount(context.Background(), vmengine.Match()); c != 4 {
		t.Fatalf("SeriesCount after merge = %d", c)
	}
}

func TestFlushReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := vmengine.Open(dir, &vmengine.Options{AccountID: 7, ProjectID: 9})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Another tenant sees nothing.
	db = openT(t, dir, nil)
	if n, err := db.SeriesCount(context.Background(), vmengine.Match()); err != nil || n != 0 {
		t.Fatalf("tenant 0:0 count = %d, %v", n, err)
	}
	n, err := db.SeriesCount(context.Background(), vmengine.Query{Tenant: &vmengine.Tenant{AccountID: 7, ProjectID: 9}, Range: vmengine.AllTime()})
	if err != nil || n != 6 {
		t.Fatalf("tenant 7:9 count = %d, %v", n, err)
	}
	db.Close()
	db = openT(t, dir, &vmengine.Options{AccountID: 7, ProjectID: 9})
	it, err := db.Search(context.Background(), vmengine.Match(vmengine.Eq("__name__", "cpu"), vmengine.Eq("host", "h3")))
	ss := collect(t, it, err)
	if len(ss) != 1 || len(ss[0].Values) != 10 || ss[0].Values[9] != 309.25 {
		t.Fatalf("after reopen: %+v", ss)
	}
}

func TestForceMerge(t *testing.T) {
	db := openT(t, t.TempDir(), &vmengine.Options{CacheBytes: 8 << 20})
	b := vmengine.NewBatch(0)
	ls := vmengine.FromStrings("__name__", "m", "k", "v")
	feb := int64(1769904000000) // 2026-02-01
	for round := 0; round < 3; round++ {
		b.Reset()
		for i := 0; i < 5; i++ {
			b.Add(ls, t0+int64(round*5+i)*1000, float64(round*5+i))
			b.Add(ls, feb+int64(round*5+i)*1000, float64(100+round*5+i))
		}
		if _, err := b.Commit(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		if err := db.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if b.CachedSeries() != 1 {
		t.Fatalf("cache has %d series", b.CachedSeries())
	}
	if err := db.ForceMerge(context.Background(), "2026_01"); err != nil {
		t.Fatal(err)
	}
	if err := db.ForceMerge(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := st["partition.2026_01.small_parts"]; ok && p > 1 {
		t.Fatalf("small parts after merge: %v", p)
	}
	it, err := db.Search(context.Background(), vmengine.Match(vmengine.Eq("__name__", "m")))
	ss := collect(t, it, err)
	if len(ss) != 1 || len(ss[0].Values) != 30 || ss[0].Values[0] != 0 || ss[0].Values[29] != 114 {
		t.Fatalf("after merge: %+v", ss)
	}
}

func TestSnapshots(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, dir, nil)
	fill(t, db)
	name, err := db.CreateSnapshot(context.Background())
	if err != nil && strings.Contains(err.Error(), "not implemented") {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "snapshots", name)); err != nil || !fi.IsDir() {
		t.Fatalf("snapshot dir: %v", err)
	}
	list, err := db.ListSnapshots(context.Background())
	if err != nil || !slices.Contains(list, name) {
		t.Fatalf("ListSnapshots = %v, %v", list, err)
	}
	if err := db.DeleteSnapshot(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSnapshot(context.Background(), name); !errors.Is(err, vmengine.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if err := db.DeleteSnapshot(context.Background(), "../../etc"); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("bad name: %v", err)
	}
	list, err = db.ListSnapshots(context.Background())
	if err != nil || len(list) != 0 {
		t.Fatalf("ListSnapshots after delete = %v, %v", list, err)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	db, err := vmengine.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db)

	if _, err := vmengine.Open(dir, nil); !errors.Is(err, vmengine.ErrLocked) {
		t.Fatalf("second Open: %v", err)
	} else if errors.Is(err, vmengine.ErrIO) {
		t.Fatal("ErrLocked matches ErrIO")
	}
	_, err = db.Search(context.Background(), vmengine.Match(vmengine.Re("host", "h[")))
	if !errors.Is(err, vmengine.ErrInvalidArgument) || !strings.Contains(err.Error(), "Search") {
		t.Fatalf("bad regex: %v", err)
	}
	if _, err := db.Search(context.Background(), vmengine.Match().Between(10, 5)); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("start > end: %v", err)
	}
	if _, err := vmengine.Open(t.TempDir(), new(vmengine.Options).Set("no_such_option", "1")); !errors.Is(err, vmengine.ErrInvalidArgument) ||
		!strings.Contains(err.Error(), "no_such_option") {
		t.Fatalf("bad option: %v", err)
	}
	if _, err := vmengine.Open(t.TempDir(), &vmengine.Options{Retention: -1e9}); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("negative retention: %v", err)
	}
	if _, err := db.AddSeries(context.Background(), vmengine.FromStrings("__name__", "x"), []int64{1}, nil); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("AddSeries length mismatch: %v", err)
	}
	if err := vmengine.NewBatch(1).Add(vmengine.Labels{{"__name__", strings.Repeat("x", 70000)}}, t0, 1); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("huge label: %v", err)
	}

	it, err := db.Search(context.Background(), vmengine.Match(vmengine.Eq("__name__", "cpu")))
	if err != nil {
		t.Fatal(err)
	}
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if it.Next() || !errors.Is(it.Err(), vmengine.ErrClosed) {
		t.Fatalf("iterator after close: %v", it.Err())
	}
	it.Close()
	checks := map[string]error{}
	_, checks["Search"] = db.Search(context.Background(), vmengine.Match())
	_, checks["Write"] = db.Write(context.Background(), vmengine.NewBatch(1))
	_, checks["AddSeries"] = db.AddSeries(context.Background(), vmengine.FromStrings("__name__", "x"), []int64{t0}, []float64{1})
	checks["Flush"] = db.Flush(context.Background())
	checks["ForceMerge"] = db.ForceMerge(context.Background(), "")
	_, checks["LabelNames"] = db.LabelNames(context.Background(), vmengine.Match())
	_, checks["LabelValues"] = db.LabelValues(context.Background(), "host", vmengine.Match())
	_, checks["SeriesCount"] = db.SeriesCount(context.Background(), vmengine.Match())
	_, checks["DeleteSeries"] = db.DeleteSeries(context.Background(), vmengine.Select("cpu"))
	_, checks["CreateSnapshot"] = db.CreateSnapshot(context.Background())
	_, checks["ListSnapshots"] = db.ListSnapshots(context.Background())
	checks["DeleteSnapshot"] = db.DeleteSnapshot(context.Background(), "x")
	_, checks["Stats"] = db.Stats()
	for op, err := range checks {
		if !errors.Is(err, vmengine.ErrClosed) {
			t.Errorf("%s after Close: %v", op, err)
		}
	}
	// The lock is released: the directory opens again.
	db2 := openT(t, dir, nil)
	if n, err := db2.SeriesCount(context.Background(), vmengine.Match()); err != nil || n != 6 {
		t.Fatalf("reopen count = %d, %v", n, err)
	}
}

func TestRejections(t *testing.T) {
	db := openT(t, t.TempDir(), &vmengine.Options{Retention: 24 * 3600 * 1e9 * 365 * 5})
	b := vmengine.NewBatch(8)
	ok := vmengine.FromStrings("__name__", "ok")
	b.Add(ok, t0, 1)
	b.Add(ok, t0+1, math.NaN())
	b.Add(ok, -5, 1)
	b.Add(vmengine.FromStrings("job", "noname"), t0, 1)
	b.Add(ok, math.MaxInt64/2, 1)
	b.Add(ok, 1000, 1) // 1970: out of a 5-year retention
	stale := math.Float64frombits(0x7ff0000000000002)
	b.Add(ok, t0+2, stale)
	res, err := db.Write(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want := vmengine.AddResult{RowsAdded: 2, RejectedNaN: 1, RejectedInvalidTimestamp: 1, RejectedInvalidLabels: 1,
		RejectedTooFarFuture: 1, RejectedOutOfRetention: 1}
	if res != want {
		t.Fatalf("got %+v, want %+v", res, want)
	}
	db.Flush(context.Background())
	it, err := db.Search(context.Background(), vmengine.Select("ok"))
	ss := collect(t, it, err)
	if len(ss) != 1 || len(ss[0].Values) != 2 || math.Float64bits(ss[0].Values[1]) != 0x7ff0000000000002 {
		t.Fatalf("got %+v", ss)
	}
}

func TestBatchCache(t *testing.T) {
	b := vmengine.NewBatch(0)
	a1, _ := b.Ref(vmengine.FromStrings("__name__", "a"))
	a2, _ := b.Ref(vmengine.FromStrings("__name__", "a"))
	c, _ := b.Ref(vmengine.FromStrings("__name__", "a", "x", "1"))
	if a1 != a2 || a1 == c || b.CachedSeries() != 2 {
		t.Fatalf("refs %v %v %v, %d cached", a1, a2, c, b.CachedSeries())
	}
	b.AddRef(a1, t0, 1)
	b.Reset()
	if b.Len() != 0 || b.CachedSeries() != 2 {
		t.Fatal("Reset dropped the cache")
	}
	b.AddRef(c, t0, 1)
	other := vmengine.NewBatch(0)
	other.Ref(vmengine.FromStrings("__name__", "o"))
	mustPanic(t, "ref of another batch", func() { other.AddRef(a1, t0, 1) })
	mustPanic(t, "zero ref", func() { b.AddRef(vmengine.SeriesRef{}, t0, 1) })
	b.ClearCache()
	mustPanic(t, "stale ref", func() { b.AddRef(c, t0, 2) })
	if b.Len() != 1 || b.CachedSeries() != 0 {
		t.Fatalf("after ClearCache: %d rows, %d cached", b.Len(), b.CachedSeries())
	}
}

func mustPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	fn()
}

func TestContextCancel(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	it, err := db.Search(ctx, vmengine.Select(`{__name__=~".+"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if !it.Next() {
		t.Fatal(it.Err())
	}
	cancel()
	if it.Next() || !errors.Is(it.Err(), context.Canceled) {
		t.Fatalf("after cancel: %v", it.Err())
	}
	if _, err := db.Search(ctx, vmengine.Select("cpu")); !errors.Is(err, context.Canceled) {
		t.Fatalf("search with cancelled ctx: %v", err)
	}
}

func TestConcurrentClose(t *testing.T) {
	db, err := vmengine.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db)
	var wg, ready sync.WaitGroup
	start := make(chan struct{})
	closed := make(chan struct{})
	worker := func(fn func(i int) error) {
		defer wg.Done()
		<-start
		for i := 0; ; i++ {
			err := fn(i)
			if i == 0 {
				if err != nil {
					t.Errorf("first call: %v", err)
				}
				ready.Done() // Close comes only after every worker has made one call
			}
			select {
			case <-closed:
				// Every call that starts after Close returned must fail with ErrClosed.
				if err := fn(i); !errors.Is(err, vmengine.ErrClosed) {
					t.Errorf("call after Close: %v", err)
				}
				return
			default:
			}
			if err != nil && !errors.Is(err, vmengine.ErrClosed) {
				t.Errorf("call: %v", err)
				return
			}
		}
	}
	wg.Add(7)
	ready.Add(7)
	for w := 0; w < 3; w++ {
		go worker(func(i int) error {
			b := vmengine.NewBatch(100)
			for j := 0; j < 100; j++ {
				b.Add(vmengine.FromStrings("__name__", "conc", "w", fmt.Sprint(w), "j", fmt.Sprint(j)), t0+int64(i), float64(j))
			}
			_, err := db.Write(context.Background(), b)
			return err
		})
	}
	for r := 0; r < 3; r++ {
		go worker(func(i int) error {
			it, err := db.Search(context.Background(), vmengine.Match(vmengine.Re("__name__", ".+")))
			if err != nil {
				return err
			}
			defer it.Close()
			for it.Next() {
				_ = it.Series().Labels.String()
			}
			return it.Err()
		})
	}
	go worker(func(i int) error {
		if i%2 == 0 {
			return db.Flush(context.Background())
		}
		_, err := db.SeriesCount(context.Background(), vmengine.Match())
		return err
	})
	close(start)
	ready.Wait()
	for i := 0; i < 5; i++ {
		db.Flush(context.Background())
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
	close(closed)
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A Batch resolves its label sets to engine series references per DB, on their second write:
// the same batch writes to two DBs, keeps working after DeleteSeries (a new series) and after a DB is closed and
// reopened (a new DB), rejects rows of invalid labels as Write always did, and ClearCache
// releases the references (the "series_refs" stat) while keeping the rows already added.
func TestBatchEngineRefs(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	db1, db2 := openT(t, dir1, nil), openT(t, dir2, nil)
	b := vmengine.NewBatch(8)
	a, _ := b.Ref(vmengine.FromStrings("__name__", "ref", "id", "a"))
	c, _ := b.Ref(vmengine.FromStrings("__name__", "ref", "id", "c"))
	bad, _ := b.Ref(vmengine.FromStrings("id", "no-name"))
	write := func(db *vmengine.DB, ts int64, wantAdded uint64) {
		t.Helper()
		b.Reset()
		b.AddRef(a, ts, 1)
		b.AddRef(c, ts, 2)
		b.AddRef(bad, ts, 3)
		res, err := db.Write(context.Background(), b)
		if err != nil {
			t.Fatal(err)
		}
		if res.RowsAdded != wantAdded || res.RejectedInvalidLabels != 1 {
			t.Fatalf("Write: %+v, want %d added and 1 invalid", res, wantAdded)
		}
	}
	samples := func(db *vmengine.DB, sel string) []int64 {
		t.Helper()
		if err := db.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		it, err := db.Search(context.Background(), vmengine.Select(sel))
		var ts []int64
		for _, s := range collect(t, it, err) {
			ts = append(ts, s.Timestamps...)
		}
		slices.Sort(ts)
		return ts
	}
	stat := func(db *vmengine.DB, name string) float64 {
		t.Helper()
		m, err := db.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return m[name]
	}
	// The first write of a label set goes by key, the second resolves it to a reference.
	write(db1, t0, 2)
	if n := stat(db1, "series_refs"); n != 0 {
		t.Fatalf("db1 series_refs after one write = %v, want 0", n)
	}
	write(db1, t0+500, 2)
	if n := stat(db1, "series_refs"); n != 3 {
		t.Fatalf("db1 series_refs after two writes = %v, want 3", n)
	}
	write(db1, t0+700, 2)
	write(db2, t0+1000, 2)
	write(db2, t0+1500, 2)
	if got := samples(db1, `ref{id="a"}`); !slices.Equal(got, []int64{t0, t0 + 500, t0 + 700}) {
		t.Fatalf("db1: %v", got)
	}
	if got := samples(db2, `ref{id="a"}`); !slices.Equal(got, []int64{t0 + 1000, t0 + 1500}) {
		t.Fatalf("db2: %v", got)
	}
	if n := stat(db2, "series_refs"); n != 3 {
		t.Fatalf("db2 series_refs = %v, want 3", n)
	}

	// Deleted, then written again: a new series with only the new sample.
	if n, err := db1.DeleteSeries(context.Background(), vmengine.Select(`ref{id="a"}`)); err != nil || n != 1 {
		t.Fatalf("DeleteSeries: %d, %v", n, err)
	}
	write(db1, t0+2000, 2)
	if got := samples(db1, `ref{id="a"}`); !slices.Equal(got, []int64{t0 + 2000}) {
		t.Fatalf("after delete: %v", got)
	}

	// Closed and reopened: the batch resolves again for the new DB.
	if err := db1.Close(); err != nil {
		t.Fatal(err)
	}
	db1 = openT(t, dir1, nil)
	write(db1, t0+3000, 2)
	write(db1, t0+3500, 2) // by reference on the new DB
	if n := stat(db1, "series_refs"); n != 3 {
		t.Fatalf("series_refs after reopen = %v, want 3", n)
	}
	if got := samples(db1, `ref{id="c"}`); !slices.Equal(got, []int64{t0, t0 + 500, t0 + 700, t0 + 2000, t0 + 3000, t0 + 3500}) {
		t.Fatalf("after reopen: %v", got)
	}

	// ClearCache releases the references; the rows in the batch stay and are written.
	b.Reset()
	b.AddRef(a, t0+4000, 1)
	b.ClearCache()
	if n := stat(db1, "series_refs"); n != 0 {
		t.Fatalf("series_refs after ClearCache = %v, want 0", n)
	}
	if res, err := db1.Write(context.Background(), b); err != nil || res.RowsAdded != 1 {
		t.Fatalf("Write after ClearCache: %+v, %v", res, err)
	}
	if n := stat(db1, "series_refs"); n != 0 {
		t.Fatalf("series_refs after writing carried rows = %v, want 0", n)
	}
	if got := samples(db1, `ref{id="a"}`); !slices.Equal(got, []int64{t0 + 2000, t0 + 3000, t0 + 3500, t0 + 4000}) {
		t.Fatalf("carried row: %v", got)
	}
}
