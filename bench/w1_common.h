/* Shared by the W1 benchmarks (w1_bench.c, soak.c): the W1 generator and series keys
 * (docs/benchmarks.md, "W1 and the query set"), batch key assembly, timing, percentiles and
 * disk use. */
#ifndef VME_BENCH_W1_COMMON_H_
#define VME_BENCH_W1_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#include "vmengine.h"

#define W1_T0 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define W1_STEP_MS 10000
#define W1_BATCH_ROWS 10000
#define W1_MAX_KEY_LEN 128 /* bound on one series key, generation suffix included */

/* The value stream of series k: x = (k+1) * 0x9E3779B97F4A7C15, v = 100; per sample
 * x = xorshift64(x), v += ((int64)(x >> 11) - 2^52) / 2^52, emit round(v * 100) / 100. */
typedef struct w1_gen {
  uint64_t x;
  double v;
} w1_gen;

void w1_gen_init(w1_gen* g, uint64_t k);
double w1_gen_next(w1_gen* g);

/* Checks the generator against the test vectors of docs/benchmarks.md (k = 0, 1, 9999 and k = 0's
 * sample 999); full adds the checksum, min and max over 10 000 series x 1 000 samples. Prints
 * the first mismatch to stderr; returns 1 when everything matches. */
int w1_check_generator(int full);

/* Metric name of W1 series group m: cpu_usage_{m}, or cpu_usage_{m}_g{g} for generation g > 0. */
void w1_metric_name(char* out, size_t cap, unsigned m, uint32_t g);

/* Writes the keys of series 0..n_series-1 (__name__ = w1_metric_name(k / 1000, g), host =
 * host-{k%1000:04}, region = r{k%10}) back to back into keys (n_series * W1_MAX_KEY_LEN bytes),
 * offs[k]..offs[k+1] bounding series k. Returns the total length; *max_key_len (nullable)
 * receives the longest key's length. */
size_t w1_build_keys(size_t n_series, uint32_t g, uint8_t* keys, uint32_t* offs,
                     size_t* max_key_len);

/* Keys of the n rows r0..r0+n-1 of the time-major stream (row r is series r % n_series): points
 * into keys/offs when the rows are consecutive series, else copies them into scratch /
 * scratch_offs (n * longest key bytes, n + 1 offsets). */
void w1_batch_keys(const uint8_t* keys, size_t keys_len, const uint32_t* offs, size_t n_series,
                   uint64_t r0, size_t n, uint8_t* scratch, uint32_t* scratch_offs,
                   const uint8_t** out_keys, size_t* out_keys_len, const uint32_t** out_offs);

double w1_now_s(void);                           /* monotonic seconds */
void* w1_xmalloc(size_t n);                      /* exits on failure */
int w1_cmp_double(const void* a, const void* b); /* qsort comparator */
double w1_percentile(const double* sorted, size_t n, double p);
size_t w1_clamp_sz(long long v, long long lo, long long hi);
int w1_dir_is_empty_or_missing(const char* dir);
double w1_peak_rss_mib(void);
double w1_cpu_s(void); /* user + system CPU seconds of the process so far (every thread) */

/* Applies "KEY=VALUE" (a --set argument) to opts with vme_options_set; returns 0 if the
 * argument has no '=' (or opts is NULL), and exits with the engine's message if the option is
 * refused. */
int w1_set_option(vme_options* opts, const char* key_value);

/* Prints "what: STATUS: message" to stderr, frees err and exits 1. */
void w1_die_vme(const char* what, vme_status st, vme_error* err);

/* Runs a vme_* call that takes ERRP as its error out-parameter; exits with its message on
 * failure. */
#define VME_CHECK(what, call)                       \
  do {                                              \
    vme_error* err_ = NULL;                         \
    vme_status st_ = (call);                        \
    if (st_ != VME_OK) w1_die_vme(what, st_, err_); \
  } while (0)
#define ERRP (&err_)

/* Sum of regular file sizes under dir/sub, hard links counted once, tmp/ and txn/ excluded. */
uint64_t w1_disk_bytes(const char* dir, const char* sub);

#endif /* VME_BENCH_W1_COMMON_H_ */
