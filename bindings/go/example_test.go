package vmengine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"sort"

	vme "github.com/vmengine/vmengine/bindings/go"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "vmengine-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := vme.Open(dir, &vme.Options{CacheBytes: 64 << 20})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Rows are packed in Go memory and written with one native call per batch.
	const t0 = int64(1767225600000) // 2026-01-01T00:00:00Z, ms
	b := vme.NewBatch(16)
	for i := int64(0); i < 3; i++ {
		for _, host := range []string{"h1", "h2"} {
			ls := vme.Labels{{"__name__", "up"}, {"job", "node"}, {"instance", host}}
			if err := b.Add(ls, t0+i*15000, float64(i)); err != nil {
				log.Fatal(err)
			}
		}
	}
	res, err := db.Write(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows added:", res.RowsAdded, "rejected:", res.Rejected())

	if err := db.Flush(); err != nil { // make the rows searchable now
		log.Fatal(err)
	}
	it, err := db.SearchSelector(context.Background(), `up{instance=~"h.*"}`, t0, t0+15000)
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
	n, _ := db.SeriesCount(nil)
	fmt.Println("series:", n)
	// Output:
	// rows added: 6 rejected: 0
	// up{instance="h1",job="node"} [1767225600000 1767225615000] [0 1]
	// up{instance="h2",job="node"} [1767225600000 1767225615000] [0 1]
	// series: 2
}
