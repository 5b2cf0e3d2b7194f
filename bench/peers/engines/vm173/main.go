// Command vm173 is the bench/peers engine for VictoriaMetrics v1.73.0 `lib/storage`, driven
// in-process as described in the workloads: OpenStorage, MarshalMetricNameRaw,
// AddRows(precisionBits=64), DebugFlush + MustClose, ForceMergePartitions, and queries through
// Search.Init / NextMetricBlock / MustReadBlock / UnmarshalData / AppendRowsWithTimeRangeFilter.
package main

import (
	"flag"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/logger"

	"github.com/vmengine/vmengine/bench/peers/harness"
	"github.com/vmengine/vmengine/bench/peers/protocol"
)

func main() {
	f := protocol.ParseFlags()
	// lib/storage reads its settings (memory limits, mmap, logging) from flags of the global
	// flag set, and some of them refuse to run before it is parsed: parse it empty (defaults).
	harness.Must(flag.CommandLine.Parse(nil), "parse VictoriaMetrics flags")
	harness.Must(flag.Set("loggerLevel", "WARN"), "set -loggerLevel")
	logger.Init()
	harness.Run[batch](&vm{}, f)
}
