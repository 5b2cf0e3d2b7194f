// Command prometheus is the bench/peers engine for Prometheus TSDB
// (github.com/prometheus/prometheus/tsdb, v0.316.0), driven in-process: tsdb.Open with the
// library's DefaultOptions, Appender.Append with cached SeriesRefs and one Commit per batch,
// Close (until durable), head compaction for the merged state, and queries through
// Querier.Select with chunkenc iterators.
package main

import (
	"github.com/vmengine/vmengine/bench/peers/harness"
	"github.com/vmengine/vmengine/bench/peers/protocol"
)

func main() {
	harness.Run[batch](&prom{}, protocol.ParseFlags())
}
