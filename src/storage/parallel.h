// ParallelFor: runs fn(0..n-1) on the calling thread and oneTBB's workers (the decoding of a
// search's series across cores, as VictoriaMetrics' vmselect unpacks blocks in parallel in
// app/vmselect/netstorage). Every index runs exactly once; the call returns when all have
// run. Indexes are claimed one at a time from a shared counter, so the caller works too and
// never waits on a busy pool: when no worker is free it runs them all itself.
//
// ThreadSanitizer: oneTBB is not instrumented, so the hand-off to the workers and their
// completion are stated with its dynamic annotations (as storage/background_workers.cc does):
// what the caller did before the call happens before every fn, and every fn happens before
// the return.
//
// Helpers are tasks enqueued in a process-wide oneTBB arena; one that starts late finds no
// index left and ends. If fn throws, the other indexes still run and the first exception is
// rethrown to the caller once all have.
//
// Thread-safety: fn must be safe to call concurrently for different indexes.
#pragma once

#include <cstddef>
#include <functional>

namespace vme::storage {

void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

}  // namespace vme::storage
