package vmengine_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

// countSamples returns the number of samples of the series matching q.
func countSamples(t *testing.T, db *vmengine.DB, q vmengine.Query) int {
	t.Helper()
	n := 0
	for s, err := range db.SearchSeq(context.Background(), q) {
		if err != nil {
			t.Fatal(err)
		}
		n += len(s.Timestamps)
	}
	return n
}

// A scrape loop that fills and writes one Batch and never calls Reset must store every row
// once: a successful Write empties the batch.
func TestBatchWriteResets(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	ctx := context.Background()
	b := vmengine.NewBatch(8)
	const scrapes, hosts = 5, 3
	for i := 0; i < scrapes; i++ {
		for h := 0; h < hosts; h++ {
			ls := vmengine.FromStrings("__name__", "scrape", "host", string(rune('a'+h)))
			if err := b.Add(ls, t0+int64(i)*1000, float64(i)); err != nil {
				t.Fatal(err)
			}
		}
		res, err := db.Write(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if res.RowsAdded != hosts {
			t.Fatalf("scrape %d: Write added %d rows, want %d (earlier rows written again?)", i, res.RowsAdded, hosts)
		}
		if b.Len() != 0 {
			t.Fatalf("scrape %d: %d rows left in the batch after a successful Write", i, b.Len())
		}
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countSamples(t, db, vmengine.Select("scrape")); n != scrapes*hosts {
		t.Fatalf("%d samples stored, want %d", n, scrapes*hosts)
	}
	// A failed Write keeps the rows for a retry.
	if err := b.Add(vmengine.FromStrings("__name__", "scrape", "host", "z"), t0, 1); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Write(cctx, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with a cancelled ctx: %v", err)
	}
	if b.Len() != 1 {
		t.Fatalf("failed Write left %d rows, want 1", b.Len())
	}
	if res, err := db.Write(ctx, b); err != nil || res.RowsAdded != 1 || b.Len() != 0 {
		t.Fatalf("retry: %+v %v, %d rows left", res, err, b.Len())
	}
}

// Every call that can block checks its ctx first: a cancelled ctx fails it with
// context.Canceled and changes nothing.
func TestContextFirst(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := vmengine.NewBatch(1)
	if err := b.Add(vmengine.FromStrings("__name__", "late"), t0, 1); err != nil {
		t.Fatal(err)
	}
	checks := map[string]error{}
	_, checks["Search"] = db.Search(ctx, vmengine.Match())
	_, checks["Write"] = db.Write(ctx, b)
	_, checks["AddSeries"] = db.AddSeries(ctx, vmengine.FromStrings("__name__", "late"), []int64{t0}, []float64{1})
	checks["Flush"] = db.Flush(ctx)
	checks["ForceMerge"] = db.ForceMerge(ctx, "")
	_, checks["LabelNames"] = db.LabelNames(ctx, vmengine.Match())
	_, checks["LabelValues"] = db.LabelValues(ctx, "host", vmengine.Match())
	_, checks["SeriesCount"] = db.SeriesCount(ctx, vmengine.Match())
	_, checks["DeleteSeries"] = db.DeleteSeries(ctx, vmengine.Select("cpu"))
	_, checks["CreateSnapshot"] = db.CreateSnapshot(ctx)
	_, checks["ListSnapshots"] = db.ListSnapshots(ctx)
	checks["DeleteSnapshot"] = db.DeleteSnapshot(ctx, "x")
	for op, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled ctx: %v", op, err)
		}
	}
	bg := context.Background()
	if n, err := db.SeriesCount(bg, vmengine.Match()); err != nil || n != 6 {
		t.Fatalf("series after the cancelled calls: %d, %v", n, err)
	}
	if list, err := db.ListSnapshots(bg); err != nil || len(list) != 0 {
		t.Fatalf("snapshots after the cancelled calls: %v, %v", list, err)
	}
	var nilCtx context.Context
	if _, err := db.SeriesCount(nilCtx, vmengine.Match()); !errors.Is(err, vmengine.ErrMisuse) {
		t.Fatalf("nil ctx: %v", err)
	}
}

// The time range of a Query is explicit: an unset one is an error everywhere, Unbounded is
// the open end, and DeleteSeries refuses a range it would ignore.
func TestQueryRange(t *testing.T) {
	db := openT(t, t.TempDir(), nil)
	fill(t, db)
	ctx := context.Background()
	noRange := vmengine.Query{Selector: "cpu"}
	checks := map[string]error{}
	_, checks["Search"] = db.Search(ctx, noRange)
	_, checks["LabelNames"] = db.LabelNames(ctx, noRange)
	_, checks["LabelValues"] = db.LabelValues(ctx, "host", noRange)
	_, checks["SeriesCount"] = db.SeriesCount(ctx, vmengine.Query{})
	for op, err := range checks {
		if !errors.Is(err, vmengine.ErrInvalidArgument) || !strings.Contains(err.Error(), "Range") {
			t.Errorf("%s without a Range: %v", op, err)
		}
	}
	if _, err := db.DeleteSeries(ctx, vmengine.Select("cpu").Between(t0, t0+1000)); !errors.Is(err, vmengine.ErrInvalidArgument) {
		t.Fatalf("DeleteSeries with a time range: %v", err)
	}
	if n := countSamples(t, db, vmengine.Select("cpu")); n != 40 {
		t.Fatalf("cpu samples after the refused delete: %d", n)
	}
	// Open end: Since(t0+5000) = Between(t0+5000, Unbounded) sees the last 5 samples of each.
	if n := countSamples(t, db, vmengine.Select("cpu").Since(t0+5000)); n != 4*5 {
		t.Fatalf("Since: %d samples", n)
	}
	if n := countSamples(t, db, vmengine.Select("cpu").Between(t0+5000, vmengine.Unbounded)); n != 4*5 {
		t.Fatalf("Between(.., Unbounded): %d samples", n)
	}
	// An end of 0 is the timestamp 0, not "no end".
	if n := countSamples(t, db, vmengine.Select("cpu").Between(0, 0)); n != 0 {
		t.Fatalf("Between(0, 0): %d samples", n)
	}
	q := vmengine.Match(vmengine.Eq("__name__", "cpu"), vmengine.Re("host", "h[01]")).Since(t0)
	if got, want := q.String(), `{__name__="cpu",host=~"h[01]"} [1767225600000, +inf]`; got != want {
		t.Fatalf("Query.String() = %s, want %s", got, want)
	}
}

// Every method of *DB that calls into the library takes a context.Context first, except the
// ones that cannot block on storage work: Close (io.Closer), Path and Stats (a copy of
// counters).
func TestContextFirstEverywhere(t *testing.T) {
	noCtx := map[string]bool{"Close": true, "Path": true, "Stats": true}
	ctxType := reflect.TypeFor[context.Context]()
	dbType := reflect.TypeFor[*vmengine.DB]()
	for i := 0; i < dbType.NumMethod(); i++ {
		m := dbType.Method(i)
		first := m.Type.NumIn() > 1 && m.Type.In(1) == ctxType
		if first == noCtx[m.Name] {
			t.Errorf("DB.%s%s: context.Context first = %v", m.Name, m.Type, first)
		}
	}
	if m, ok := reflect.TypeFor[*vmengine.Batch]().MethodByName("Commit"); !ok || m.Type.In(1) != ctxType {
		t.Errorf("Batch.Commit does not take a context.Context first")
	}
}
