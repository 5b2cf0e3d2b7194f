/* W2 (high churn) ingest benchmark (the workload is defined in docs/benchmarks.md):
 * 200 000 brand-new series x 10 samples. Series j has the labels __name__ = churn_metric_{j % 10},
 * pod = pod-{j:06}, ns = ns-{j % 100:02}; sample k (0..9) is at T0 + k * 10 000 ms with the value
 * (j % 1000) + k. Series-major ingestion (for j, then for k) in 10 000-row vme_add_rows batches,
 * i.e. 1 000 new series per call, one writer; wall time until durable (vme_flush + vme_close).
 * Prints new series/s, rows/s, per-batch latency (p50, p99, max), peak RSS (getrusage) and the
 * indexdb bytes per series; then reopens the directory and checks that every series is there.
 *
 * Usage: w2_bench DIR [--series N] [--samples M] [--no-verify] [--set KEY=VALUE]...
 *   DIR must not exist or be empty; it is left in place for inspection.
 *   --set (repeatable, as in w1_bench) passes an option to vme_options_set (e.g. background=0,
 * which makes the work independent of timing: instruction counts under callgrind are then
 * repeatable). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "vmengine.h"
#include "w1_common.h"

#define W2_BATCH_ROWS 10000
#define W2_MAX_KEY_LEN 96

static uint8_t* put_str(uint8_t* p, const char* s) {
  size_t len = strlen(s);
  p[0] = (uint8_t)(len >> 8);
  p[1] = (uint8_t)len;
  memcpy(p + 2, s, len);
  return p + 2 + len;
}

/* The series key of W2 series j into out (W2_MAX_KEY_LEN bytes); returns its length. */
static size_t w2_key(uint8_t* out, uint64_t j) {
  char name[32], pod[32], ns[16];
  uint8_t* p = out;
  snprintf(name, sizeof name, "churn_metric_%u", (unsigned)(j % 10));
  snprintf(pod, sizeof pod, "pod-%06" PRIu64, j);
  snprintf(ns, sizeof ns, "ns-%02u", (unsigned)(j % 100));
  p = put_str(p, "__name__");
  p = put_str(p, name);
  p = put_str(p, "pod");
  p = put_str(p, pod);
  p = put_str(p, "ns");
  p = put_str(p, ns);
  return (size_t)(p - out);
}

static void usage(void) {
  fprintf(stderr,
          "usage: w2_bench DIR [--series N] [--samples M] [--no-verify] [--set KEY=VALUE]...\n");
  exit(2);
}

int main(int argc, char** argv) {
  const char* dir = NULL;
  size_t n_series = 200000, n_samples = 10, i, n_batches, n_lat = 0;
  int verify = 1;
  uint64_t total_rows, r0;
  uint8_t* keys;
  uint32_t* offs;
  int64_t* ts;
  double* vals;
  double* lat;
  vme_db* db = NULL;
  vme_add_result total;
  double t_open, t_start, t_added, t_end, rss, cpu_start, cpu_end;
  vme_options* opts = vme_options_create();
  uint64_t index_bytes, data_bytes;

  for (i = 1; i < (size_t)argc; i++) {
    if (strcmp(argv[i], "--series") == 0 && i + 1 < (size_t)argc) {
      n_series = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--samples") == 0 && i + 1 < (size_t)argc) {
      n_samples = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--no-verify") == 0) {
      verify = 0;
    } else if (strcmp(argv[i], "--set") == 0 && i + 1 < (size_t)argc) {
      if (!w1_set_option(opts, argv[++i])) usage();
    } else if (argv[i][0] == '-' || dir != NULL) {
      usage();
    } else {
      dir = argv[i];
    }
  }
  if (dir == NULL || n_series == 0 || n_series > 1000000 || n_samples == 0 ||
      n_samples > W2_BATCH_ROWS) {
    usage();
  }
  if (!w1_dir_is_empty_or_missing(dir)) {
    fprintf(stderr, "%s exists and is not empty\n", dir);
    return 2;
  }
  total_rows = (uint64_t)n_series * n_samples;
  n_batches = (size_t)((total_rows + W2_BATCH_ROWS - 1) / W2_BATCH_ROWS);
  keys = (uint8_t*)w1_xmalloc(W2_BATCH_ROWS * W2_MAX_KEY_LEN);
  offs = (uint32_t*)w1_xmalloc((W2_BATCH_ROWS + 1) * sizeof(uint32_t));
  ts = (int64_t*)w1_xmalloc(W2_BATCH_ROWS * sizeof(int64_t));
  vals = (double*)w1_xmalloc(W2_BATCH_ROWS * sizeof(double));
  lat = (double*)w1_xmalloc(n_batches * sizeof(double));
  memset(&total, 0, sizeof total);

  t_open = w1_now_s();
  VME_CHECK("vme_open", vme_open(dir, opts, &db, ERRP));
  t_start = w1_now_s();
  cpu_start = w1_cpu_s();
  t_open = t_start - t_open;
  for (r0 = 0; r0 < total_rows; r0 += W2_BATCH_ROWS) {
    size_t n = (size_t)(total_rows - r0 < W2_BATCH_ROWS ? total_rows - r0 : W2_BATCH_ROWS);
    size_t len = 0, klen = 0;
    uint64_t last_j = UINT64_MAX;
    vme_add_result r;
    double t;
    /* Generation is inline and counted in the wall time, as in W1. */
    offs[0] = 0;
    for (i = 0; i < n; i++) {
      uint64_t row = r0 + i, j = row / n_samples, k = row % n_samples;
      if (j != last_j) {
        klen = w2_key(keys + len, j);
        last_j = j;
      } else {
        memmove(keys + len, keys + len - klen, klen);
      }
      len += klen;
      offs[i + 1] = (uint32_t)len;
      ts[i] = W1_T0 + (int64_t)k * W1_STEP_MS;
      vals[i] = (double)(j % 1000 + k);
    }
    memset(&r, 0, sizeof r);
    t = w1_now_s();
    VME_CHECK("vme_add_rows", vme_add_rows(db, keys, len, offs, ts, vals, n, &r, ERRP));
    lat[n_lat++] = w1_now_s() - t;
    total.rows_added += r.rows_added;
    total.rejected_invalid_labels += r.rejected_invalid_labels;
  }
  t_added = w1_now_s();
  VME_CHECK("vme_flush", vme_flush(db, ERRP));
  VME_CHECK("vme_close", vme_close(db, ERRP));
  t_end = w1_now_s();
  cpu_end = w1_cpu_s();
  db = NULL;
  rss = w1_peak_rss_mib();
  if (total.rows_added != total_rows) {
    fprintf(stderr, "only %" PRIu64 " of %" PRIu64 " rows were added (%" PRIu64 " bad labels)\n",
            total.rows_added, total_rows, total.rejected_invalid_labels);
    return 1;
  }
  qsort(lat, n_lat, sizeof(double), w1_cmp_double);
  index_bytes = w1_disk_bytes(dir, "indexdb");
  data_bytes = w1_disk_bytes(dir, "data");

  printf("W2: %zu series x %zu samples = %" PRIu64 " rows, %zu batches of %d rows\n", n_series,
         n_samples, total_rows, n_batches, W2_BATCH_ROWS);
  printf("open               %8.3f s\n", t_open);
  printf("add rows phase     %8.3f s\n", t_added - t_start);
  printf("flush + close      %8.3f s\n", t_end - t_added);
  printf("until durable      %8.3f s\n", t_end - t_start);
  printf("CPU until durable  %8.3f s (all threads)\n", cpu_end - cpu_start);
  printf("new series/s       %8.0f\n", (double)n_series / (t_end - t_start));
  printf("rows/s             %8.0f\n", (double)total_rows / (t_end - t_start));
  printf("batch p50 / p99 / max  %.2f / %.2f / %.2f ms\n", 1e3 * w1_percentile(lat, n_lat, 0.5),
         1e3 * w1_percentile(lat, n_lat, 0.99), 1e3 * lat[n_lat - 1]);
  printf("peak RSS           %8.1f MiB\n", rss);
  printf("indexdb            %8" PRIu64 " bytes = %.1f B/series\n", index_bytes,
         (double)index_bytes / (double)n_series);
  printf("data               %8" PRIu64 " bytes = %.2f B/sample\n", data_bytes,
         (double)data_bytes / (double)total_rows);

  if (verify) {
    vme_query* q = vme_query_create(W1_T0, W1_T0 + (int64_t)(n_samples - 1) * W1_STEP_MS);
    uint64_t count = 0;
    char pod[32];
    vme_series_iter* it = NULL;
    vme_status st;
    size_t series = 0, samples = 0;
    VME_CHECK("vme_open", vme_open(dir, NULL, &db, ERRP));
    VME_CHECK("matcher", vme_query_add_matcher(q, VME_MATCH_RE, "__name__", 8, ".+", 2, ERRP));
    VME_CHECK("vme_series_count", vme_series_count(db, q, &count, ERRP));
    vme_query_destroy(q);
    if (count != n_series) {
      fprintf(stderr, "verify: %" PRIu64 " series, want %zu\n", count, n_series);
      return 1;
    }
    /* The last series, by its pod label: one series with all its samples. */
    snprintf(pod, sizeof pod, "pod-%06zu", n_series - 1);
    q = vme_query_create(W1_T0, W1_T0 + (int64_t)(n_samples - 1) * W1_STEP_MS);
    VME_CHECK("matcher", vme_query_add_matcher(q, VME_MATCH_EQ, "pod", 3, pod, strlen(pod), ERRP));
    VME_CHECK("vme_search", vme_search(db, q, &it, ERRP));
    while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
      const int64_t* sts;
      const double* svs;
      samples += vme_series_iter_samples(it, &sts, &svs);
      series++;
    }
    vme_series_iter_close(it);
    vme_query_destroy(q);
    if (st != VME_DONE || series != 1 || samples != n_samples) {
      fprintf(stderr, "verify: %s has %zu series / %zu samples, want 1 / %zu\n", pod, series,
              samples, n_samples);
      return 1;
    }
    VME_CHECK("vme_close", vme_close(db, ERRP));
    printf("verify: %" PRIu64 " series after reopen, %s has %zu samples: OK\n", count, pod,
           samples);
  }
  vme_options_destroy(opts);
  free(keys);
  free(offs);
  free(ts);
  free(vals);
  free(lat);
  return 0;
}
