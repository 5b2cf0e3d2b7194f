package workload

import (
	"fmt"
	"strconv"
)

// W3 (series churn): one scrape every 15 s for 6 h; 50,000 series active per scrape, of which
// 5,000 (10 %) are replaced by new series at every scrape. At scrape s the active series are
// j in [W3Churn*s, X).
const (
	W3Scrapes    = 1440
	W3Active     = 50000
	W3Churn      = 5000
	W3IntervalMs = 15000
)

// W3DistinctSeries returns the number of distinct series that the first `scrapes` scrapes create.
func W3DistinctSeries(scrapes int) int {
	if scrapes <= 0 {
		return 0
	}
	return W3Churn*(scrapes-1) + W3Active
}

// W3Rows returns the number of rows of the first `scrapes` scrapes.
func W3Rows(scrapes int) int { return scrapes * W3Active }

// W3Labels returns the labels of W3 series j: __name__="w3_metric_{j mod 10}",
// pod="pod-{j:08}", ns="ns-{j mod 100:02}".
func W3Labels(j int) []Label {
	return []Label{
		{"__name__", "w3_metric_" + strconv.Itoa(j%10)},
		{"pod", fmt.Sprintf("pod-%08d", j)},
		{"ns", fmt.Sprintf("ns-%02d", j%100)},
	}
}

// W3Timestamp returns the timestamp of scrape s: T0 + s*15,000 ms.
func W3Timestamp(s int) int64 { return T0 + int64(s)*W3IntervalMs }

// W3 iterates over the scrapes of the W3 workload. Not safe for concurrent use.
type W3 struct {
	scrapes int
	s       int
	// gens[j mod W3Active] is the generator of the active series j: the active window
	// [W3Churn*s, W3Churn*s+W3Active) holds W3Active distinct residues, and a series that enters
	// the window takes the slot of the one that left it.
	gens []Gen
}

// NewW3 returns an iterator over the first `scrapes` scrapes (W3Scrapes for the full workload).
func NewW3(scrapes int) *W3 {
	w := &W3{scrapes: scrapes, gens: make([]Gen, W3Active)}
	for j := 0; j < W3Active; j++ {
		w.gens[j] = NewGen(j)
	}
	return w
}

// Next appends the rows of the next scrape to dst[:0] (W3Active rows, ordered by series
// ascending) and returns them; false when all scrapes were returned.
func (w *W3) Next(dst []Row) ([]Row, bool) {
	if w.s >= w.scrapes {
		return dst[:0], false
	}
	s := w.s
	lo := W3Churn * s
	if s > 0 {
		// Series [lo+W3Active-W3Churn, lo+W3Active) are new at this scrape.
		for j := lo + W3Active - W3Churn; j < lo+W3Active; j++ {
			w.gens[j%W3Active] = NewGen(j)
		}
	}
	ts := W3Timestamp(s)
	dst = dst[:0]
	for j := lo; j < lo+W3Active; j++ {
		g := &w.gens[j%W3Active]
		dst = append(dst, Row{Series: j, TS: ts, V: g.Next()})
	}
	w.s++
	return dst, true
}
