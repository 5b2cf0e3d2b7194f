package vmengine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"sort"

	"github.com/vmengine/vmengine/bindings/go/vmengine"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "vmengine-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := vmengine.Open(dir, &vmengine.Options{CacheBytes: 64 << 20})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Rows are packed in Go memory and written with one native call per batch.
	const t0 = int64(1767225600000) // 2026-01-01T00:00:00Z, ms
	b := vmengine.NewBatch(16)
	for i := int64(0); i < 3; i++ {
		for _, host := range []string{"h1", "h2"} {
			ls := vmengine.Labels{{"__name__", "up"}, {"job", "node"}, {"instance", host}}
			if err := b.Add(ls, t0+i*15000, float64(i)); err != nil {
				log.Fatal(err)
			}
		}
	}
	res, err := db.Write(context.Background(), b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows added:", res.RowsAdded, "rejected:", res.Rejected())

	if err := db.Flush(context.Background()); err != nil { // make the rows searchable now
		log.Fatal(err)
	}
	it, err := db.Search(context.Background(), vmengine.Select(`up{instance=~"h.*"}`).Between(t0, t0+15000))
	if err != nil {
		log.Fatal(err)
	}
	var lines []string // series come in TSID order; sort them for a stable output
	for s, err := range it.All() {
		if err != nil {
			log.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(s.Labels, s.Timestamps, s.Values))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	n, err := db.SeriesCount(context.Background(), vmengine.Match())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("series:", n)
	// Output:
	// rows added: 6 rejected: 0
	// up{instance="h1",job="node"} [1767225600000 1767225615000] [0 1]
	// up{instance="h2",job="node"} [1767225600000 1767225615000] [0 1]
	// series: 2
}
