/* W1 ingest benchmark (the workload is defined in docs/benchmarks.md):
 * 10 000 series x 1 000 samples from the xorshift random-walk generator, time-major ingestion in
 * 10 000-row vme_add_rows batches, wall time until durable (vme_flush + vme_close), per-batch
 * latency, disk use, peak RSS, then the q1-q4 query set after reopen with a bit-exact check of
 * q4 against the generator.
 *
 * Usage: w1_bench DIR [--series N] [--samples M] [--writers W] [--refs] [--set KEY=VALUE]
 *                [--merge]
 *   DIR must not exist or be empty; it is left in place for inspection.
 *   --writers W >= 2 runs the supplementary variant: one producer thread, W writer threads.
 *   --set KEY=VALUE passes an option to vme_options_set (repeatable), e.g. --set
 *   raw_rows_memory_bytes=33554432.
 *   --refs resolves every series key once (vme_series_refs_resolve, timed with the ingest) and
 *   adds the rows with vme_add_rows_ref instead of vme_add_rows.
 *   --merge force-merges the data (vme_force_merge) after reopening, before the queries: the
 *   "merged" state of the query set (one part, one block per series). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "vmengine.h"
#include "w1_common.h"

#define QUEUE_SLOTS 8

/* ---- helpers ------------------------------------------------------------------------------- */

/* ---- workload ------------------------------------------------------------------------------ */

typedef struct batch {
  size_t n;
  const uint8_t* keys;
  size_t keys_len;
  const uint32_t* offs;
  int64_t* ts;
  double* vals;
  uint8_t* scratch;
  uint32_t* scratch_offs;
  uint64_t* refs; /* with --refs: the series reference of each row */
  double latency;
} batch;

typedef struct workload {
  size_t n_series;
  size_t n_samples;
  uint8_t* keys; /* every series key, concatenated */
  size_t keys_len;
  size_t max_key_len;
  uint32_t* key_offs; /* n_series + 1 */
  w1_gen* gens;
  uint64_t next_row;
  uint64_t total_rows;
  uint64_t* series_refs; /* with --refs: the reference of each series, else NULL */
} workload;

static void workload_init(workload* w, size_t n_series, size_t n_samples) {
  size_t k;
  memset(w, 0, sizeof *w);
  w->n_series = n_series;
  w->n_samples = n_samples;
  w->keys = (uint8_t*)w1_xmalloc(n_series * W1_MAX_KEY_LEN);
  w->key_offs = (uint32_t*)w1_xmalloc((n_series + 1) * sizeof(uint32_t));
  w->gens = (w1_gen*)w1_xmalloc(n_series * sizeof(w1_gen));
  w->keys_len = w1_build_keys(n_series, 0, w->keys, w->key_offs, &w->max_key_len);
  for (k = 0; k < n_series; k++) w1_gen_init(&w->gens[k], k);
  w->total_rows = (uint64_t)n_series * n_samples;
}

static void batch_alloc(batch* b, const workload* w) {
  b->ts = (int64_t*)w1_xmalloc(W1_BATCH_ROWS * sizeof(int64_t));
  b->vals = (double*)w1_xmalloc(W1_BATCH_ROWS * sizeof(double));
  b->scratch = (uint8_t*)w1_xmalloc(W1_BATCH_ROWS * w->max_key_len);
  b->scratch_offs = (uint32_t*)w1_xmalloc((W1_BATCH_ROWS + 1) * sizeof(uint32_t));
  b->refs = (uint64_t*)w1_xmalloc(W1_BATCH_ROWS * sizeof(uint64_t));
}

static void batch_free(batch* b) {
  free(b->ts);
  free(b->vals);
  free(b->scratch);
  free(b->scratch_offs);
  free(b->refs);
}

/* Fills the next batch of the time-major row stream; returns 0 when the stream is done. */
static int next_batch(workload* w, batch* b) {
  uint64_t r0 = w->next_row;
  size_t n, j;
  if (r0 >= w->total_rows) return 0;
  n = (size_t)(w->total_rows - r0 < W1_BATCH_ROWS ? w->total_rows - r0 : W1_BATCH_ROWS);
  for (j = 0; j < n; j++) {
    uint64_t r = r0 + j;
    uint64_t i = r / w->n_series;
    size_t k = (size_t)(r % w->n_series);
    b->ts[j] = W1_T0 + (int64_t)i * W1_STEP_MS;
    b->vals[j] = w1_gen_next(&w->gens[k]);
    if (w->series_refs != NULL) b->refs[j] = w->series_refs[k];
  }
  w1_batch_keys(w->keys, w->keys_len, w->key_offs, w->n_series, r0, n, b->scratch, b->scratch_offs,
                &b->keys, &b->keys_len, &b->offs);
  b->n = n;
  w->next_row = r0 + n;
  return 1;
}

static void add_batch(vme_db* db, const workload* w, batch* b, vme_add_result* total) {
  vme_add_result r;
  double t;
  memset(&r, 0, sizeof r);
  t = w1_now_s();
  if (w->series_refs != NULL) {
    VME_CHECK("vme_add_rows_ref",
              vme_add_rows_ref(db, b->refs, b->ts, b->vals, b->n, NULL, &r, ERRP));
  } else {
    VME_CHECK("vme_add_rows",
              vme_add_rows(db, b->keys, b->keys_len, b->offs, b->ts, b->vals, b->n, &r, ERRP));
  }
  b->latency = w1_now_s() - t;
  total->rows_added += r.rows_added;
  total->rejected_invalid_labels += r.rejected_invalid_labels;
  total->rejected_nan += r.rejected_nan;
  total->rejected_out_of_retention += r.rejected_out_of_retention;
  total->rejected_too_far_future += r.rejected_too_far_future;
  total->rejected_invalid_timestamp += r.rejected_invalid_timestamp;
}

/* Supplementary variant: one producer, several writers, a bounded queue of batches. */
typedef struct queue {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  batch slots[QUEUE_SLOTS];
  int state[QUEUE_SLOTS]; /* 0 free, 1 filled, 2 being written */
  int done;
  vme_db* db;
  workload* w;
  vme_add_result total;
  double* latencies;
  size_t n_latencies;
} queue;

static void* producer_main(void* arg) {
  queue* q = (queue*)arg;
  for (;;) {
    int s = -1, i, more;
    pthread_mutex_lock(&q->mu);
    while (s < 0) {
      for (i = 0; i < QUEUE_SLOTS; i++) {
        if (q->state[i] == 0) {
          s = i;
          break;
        }
      }
      if (s < 0) pthread_cond_wait(&q->cv, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    more = next_batch(q->w, &q->slots[s]);
    pthread_mutex_lock(&q->mu);
    if (more)
      q->state[s] = 1;
    else
      q->done = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    if (!more) return NULL;
  }
}

static void* writer_main(void* arg) {
  queue* q = (queue*)arg;
  for (;;) {
    int s = -1, i;
    vme_add_result local;
    pthread_mutex_lock(&q->mu);
    for (;;) {
      for (i = 0; i < QUEUE_SLOTS; i++) {
        if (q->state[i] == 1) {
          s = i;
          break;
        }
      }
      if (s >= 0 || q->done) break;
      pthread_cond_wait(&q->cv, &q->mu);
    }
    if (s < 0) {
      pthread_mutex_unlock(&q->mu);
      return NULL;
    }
    q->state[s] = 2;
    pthread_mutex_unlock(&q->mu);
    memset(&local, 0, sizeof local);
    add_batch(q->db, q->w, &q->slots[s], &local);
    pthread_mutex_lock(&q->mu);
    q->latencies[q->n_latencies++] = q->slots[s].latency;
    q->total.rows_added += local.rows_added;
    q->total.rejected_invalid_labels += local.rejected_invalid_labels;
    q->total.rejected_nan += local.rejected_nan;
    q->total.rejected_out_of_retention += local.rejected_out_of_retention;
    q->total.rejected_too_far_future += local.rejected_too_far_future;
    q->total.rejected_invalid_timestamp += local.rejected_invalid_timestamp;
    q->state[s] = 0;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
  }
}

/* ---- queries ------------------------------------------------------------------------------- */

typedef struct qspec {
  const char* id;
  const char* desc;
  int64_t min_ts, max_ts;
  size_t want_series, want_samples;
  double vm_first_ms, vm_warm_ms;
} qspec;

static vme_query* make_query(int qi, const qspec* s) {
  vme_query* q = vme_query_create(s->min_ts, s->max_ts);
  if (q == NULL) exit(1);
  switch (qi) {
    case 0:
      VME_CHECK("q1",
                vme_query_add_matcher(q, VME_MATCH_EQ, "__name__", 8, "cpu_usage_0", 11, ERRP));
      VME_CHECK("q1", vme_query_add_matcher(q, VME_MATCH_EQ, "host", 4, "host-0000", 9, ERRP));
      break;
    case 1:
      VME_CHECK("q2",
                vme_query_add_matcher(q, VME_MATCH_EQ, "__name__", 8, "cpu_usage_3", 11, ERRP));
      break;
    case 2:
      VME_CHECK("q3",
                vme_query_add_matcher(q, VME_MATCH_EQ, "__name__", 8, "cpu_usage_1", 11, ERRP));
      VME_CHECK("q3", vme_query_add_matcher(q, VME_MATCH_RE, "host", 4, "host-00.*", 9, ERRP));
      break;
    default:
      VME_CHECK("q4", vme_query_add_matcher(q, VME_MATCH_RE, "__name__", 8, ".+", 2, ERRP));
      break;
  }
  return q;
}

/* Runs a query to the end, touching every sample; returns the elapsed seconds. */
static double run_query(vme_db* db, int qi, const qspec* s) {
  vme_query* q = make_query(qi, s);
  vme_series_iter* it = NULL;
  vme_status st;
  size_t series = 0, samples = 0;
  double sink = 0, t = w1_now_s();
  VME_CHECK(s->id, vme_search(db, q, &it, ERRP));
  while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
    const int64_t* ts;
    const double* vs;
    size_t n = vme_series_iter_samples(it, &ts, &vs);
    if (n > 0) sink += vs[n - 1] + (double)ts[0];
    samples += n;
    series++;
  }
  t = w1_now_s() - t;
  if (st != VME_DONE) {
    fprintf(stderr, "%s: iteration failed: %s\n", s->id, vme_status_string(st));
    exit(1);
  }
  vme_series_iter_close(it);
  vme_query_destroy(q);
  if (series != s->want_series || samples != s->want_samples) {
    fprintf(stderr, "%s: %zu series / %zu samples, want %zu / %zu\n", s->id, series, samples,
            s->want_series, s->want_samples);
    exit(1);
  }
  if (sink == 12345.678) fprintf(stderr, "!");
  return t;
}

static int parse_label(const uint8_t* key, size_t len, const char* name, char* out, size_t cap) {
  size_t i = 0, nlen = strlen(name);
  while (i + 2 <= len) {
    size_t kl = ((size_t)key[i] << 8) | key[i + 1], vl;
    const uint8_t* k = key + i + 2;
    i += 2 + kl;
    if (i + 2 > len) return 0;
    vl = ((size_t)key[i] << 8) | key[i + 1];
    if (i + 2 + vl > len) return 0;
    if (kl == nlen && memcmp(k, name, nlen) == 0 && vl < cap) {
      memcpy(out, key + i + 2, vl);
      out[vl] = '\0';
      return 1;
    }
    i += 2 + vl;
  }
  return 0;
}

/* q4 bit-for-bit against the generator. */
static void verify_q4(vme_db* db, const qspec* s, size_t n_series, size_t n_samples) {
  vme_query* q = make_query(3, s);
  vme_series_iter* it = NULL;
  vme_status st;
  unsigned char* seen = (unsigned char*)calloc(n_series, 1);
  size_t series = 0, j;
  VME_CHECK("q4 verify", vme_search(db, q, &it, ERRP));
  while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
    const uint8_t* key;
    size_t key_len, n;
    const int64_t* ts;
    const double* vs;
    char name[64], host[64], region[64];
    unsigned m, h;
    size_t k;
    w1_gen g;
    vme_series_iter_key(it, &key, &key_len);
    if (!parse_label(key, key_len, "__name__", name, sizeof name) ||
        !parse_label(key, key_len, "host", host, sizeof host) ||
        !parse_label(key, key_len, "region", region, sizeof region) ||
        sscanf(name, "cpu_usage_%u", &m) != 1 || sscanf(host, "host-%u", &h) != 1) {
      fprintf(stderr, "q4 verify: unexpected series %s\n", vme_series_iter_name(it));
      exit(1);
    }
    k = (size_t)m * 1000 + h;
    if (k >= n_series || seen[k] || (unsigned)(region[1] - '0') != h % 10) {
      fprintf(stderr, "q4 verify: bad or repeated series %s\n", vme_series_iter_name(it));
      exit(1);
    }
    seen[k] = 1;
    n = vme_series_iter_samples(it, &ts, &vs);
    if (n != n_samples) {
      fprintf(stderr, "q4 verify: %s has %zu samples, want %zu\n", vme_series_iter_name(it), n,
              n_samples);
      exit(1);
    }
    w1_gen_init(&g, k);
    for (j = 0; j < n; j++) {
      double want = w1_gen_next(&g);
      if (ts[j] != W1_T0 + (int64_t)j * W1_STEP_MS || memcmp(&vs[j], &want, sizeof want) != 0) {
        fprintf(stderr,
                "q4 verify: %s sample %zu: (%" PRId64 ", %.17g), want (%" PRId64 ", %.17g)\n",
                vme_series_iter_name(it), j, ts[j], vs[j], W1_T0 + (int64_t)j * W1_STEP_MS, want);
        exit(1);
      }
    }
    series++;
  }
  if (st != VME_DONE || series != n_series) {
    fprintf(stderr, "q4 verify: %zu series (status %s), want %zu\n", series, vme_status_string(st),
            n_series);
    exit(1);
  }
  vme_series_iter_close(it);
  vme_query_destroy(q);
  free(seen);
}

/* ---- main ---------------------------------------------------------------------------------- */

static void usage(void) {
  fprintf(stderr,
          "usage: w1_bench DIR [--series N] [--samples M] [--writers W] [--refs] [--set KEY=VALUE] "
          "[--merge]\n");
  exit(2);
}

int main(int argc, char** argv) {
  const char* dir = NULL;
  size_t n_series = 10000, n_samples = 1000, writers = 1, n_batches, i;
  int is_default, qi, use_refs = 0, merge = 0;
  vme_options* opts = vme_options_create();
  workload w;
  vme_db* db = NULL;
  vme_add_result total;
  double* latencies;
  size_t n_lat = 0;
  double t_open, t_start, t_added, t_end, rss_ingest, cpu_start, cpu_end;
  uint64_t data_bytes, index_bytes, series_count = 0;
  qspec qs[4];

  for (i = 1; i < (size_t)argc; i++) {
    if (strcmp(argv[i], "--series") == 0 && i + 1 < (size_t)argc) {
      n_series = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--samples") == 0 && i + 1 < (size_t)argc) {
      n_samples = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--writers") == 0 && i + 1 < (size_t)argc) {
      writers = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--set") == 0 && i + 1 < (size_t)argc) {
      if (!w1_set_option(opts, argv[++i])) usage();
    } else if (strcmp(argv[i], "--refs") == 0) {
      use_refs = 1;
    } else if (strcmp(argv[i], "--merge") == 0) {
      merge = 1;
    } else if (argv[i][0] == '-' || dir != NULL) {
      usage();
    } else {
      dir = argv[i];
    }
  }
  if (dir == NULL || n_series == 0 || n_series > 10000 || n_samples == 0 || writers == 0 ||
      writers > 64) {
    usage();
  }
  if (!w1_dir_is_empty_or_missing(dir)) {
    fprintf(stderr, "%s exists and is not empty\n", dir);
    return 2;
  }
  is_default = n_series == 10000 && n_samples == 1000;

  if (!w1_check_generator(1)) return 1;
  printf("generator: test vectors and checksum 99944557274 OK\n");

  workload_init(&w, n_series, n_samples);
  n_batches = (size_t)((w.total_rows + W1_BATCH_ROWS - 1) / W1_BATCH_ROWS);
  latencies = (double*)w1_xmalloc(n_batches * sizeof(double));
  memset(&total, 0, sizeof total);

  /* ---- ingest ---- */
  t_open = w1_now_s();
  VME_CHECK("vme_open", vme_open(dir, opts, &db, ERRP));
  t_start = w1_now_s();
  cpu_start = w1_cpu_s();
  t_open = t_start - t_open;
  if (use_refs) {
    w.series_refs = (uint64_t*)w1_xmalloc(n_series * sizeof(uint64_t));
    VME_CHECK("vme_series_refs_resolve", vme_series_refs_resolve(db, w.keys, w.keys_len, w.key_offs,
                                                                 n_series, w.series_refs, ERRP));
  }
  if (writers == 1) {
    batch b;
    batch_alloc(&b, &w);
    while (next_batch(&w, &b)) {
      add_batch(db, &w, &b, &total);
      latencies[n_lat++] = b.latency;
    }
    batch_free(&b);
  } else {
    queue q;
    pthread_t prod, *wt = (pthread_t*)w1_xmalloc(writers * sizeof(pthread_t));
    memset(&q, 0, sizeof q);
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    q.db = db;
    q.w = &w;
    q.latencies = latencies;
    for (i = 0; i < QUEUE_SLOTS; i++) batch_alloc(&q.slots[i], &w);
    pthread_create(&prod, NULL, producer_main, &q);
    for (i = 0; i < writers; i++) pthread_create(&wt[i], NULL, writer_main, &q);
    pthread_join(prod, NULL);
    for (i = 0; i < writers; i++) pthread_join(wt[i], NULL);
    for (i = 0; i < QUEUE_SLOTS; i++) batch_free(&q.slots[i]);
    total = q.total;
    n_lat = q.n_latencies;
    pthread_mutex_destroy(&q.mu);
    pthread_cond_destroy(&q.cv);
    free(wt);
  }
  t_added = w1_now_s();
  VME_CHECK("vme_flush", vme_flush(db, ERRP));
  VME_CHECK("vme_close", vme_close(db, ERRP));
  t_end = w1_now_s();
  cpu_end = w1_cpu_s();
  db = NULL;
  rss_ingest = w1_peak_rss_mib();

  if (total.rows_added != w.total_rows) {
    fprintf(stderr,
            "only %" PRIu64 " of %" PRIu64 " rows were added (rejected: labels %" PRIu64
            ", nan %" PRIu64 ", retention %" PRIu64 ", future %" PRIu64 ")\n",
            total.rows_added, w.total_rows, total.rejected_invalid_labels, total.rejected_nan,
            total.rejected_out_of_retention, total.rejected_too_far_future);
    return 1;
  }
  qsort(latencies, n_lat, sizeof(double), w1_cmp_double);
  data_bytes = w1_disk_bytes(dir, "data");
  index_bytes = w1_disk_bytes(dir, "indexdb");

  /* ---- queries after reopen ---- */
  {
    int64_t full_max = W1_T0 + (int64_t)(n_samples - 1) * W1_STEP_MS;
    size_t q2_per = w1_clamp_sz((long long)(n_samples < 720 ? n_samples : 720) - 360, 0, 360);
    size_t q2_series = q2_per ? w1_clamp_sz((long long)n_series - 3000, 0, 1000) : 0;
    size_t q3_series = w1_clamp_sz((long long)n_series - 1000, 0, 100);
    qspec init[4] = {
        {"q1", "__name__=\"cpu_usage_0\",host=\"host-0000\", full", W1_T0, full_max, 1, n_samples,
         1.36, 0.026},
        {"q2", "__name__=\"cpu_usage_3\", 1 h", W1_T0 + 3600000, W1_T0 + 7199999, q2_series,
         q2_series * q2_per, 15.1, 8.45},
        {"q3", "__name__=\"cpu_usage_1\",host=~\"host-00.*\", full", W1_T0, full_max, q3_series,
         q3_series * n_samples, 1.80, 1.07},
        {"q4", "__name__=~\".+\", full", W1_T0, full_max, n_series, n_series * n_samples, 124, 110},
    };
    memcpy(qs, init, sizeof qs);
  }
  {
    double t_reopen = w1_now_s(), first[4], warm[4][3];
    VME_CHECK("vme_open (reopen)", vme_open(dir, opts, &db, ERRP));
    t_reopen = w1_now_s() - t_reopen;
    if (merge) {
      double t_merge = w1_now_s();
      VME_CHECK("vme_force_merge", vme_force_merge(db, "", ERRP));
      printf("force merge before the queries: %.3f s\n", w1_now_s() - t_merge);
    }
    VME_CHECK("vme_series_count", vme_series_count(db, NULL, &series_count, ERRP));
    for (qi = 0; qi < 4; qi++) first[qi] = run_query(db, qi, &qs[qi]);
    for (i = 0; i < 3; i++) {
      for (qi = 0; qi < 4; qi++) warm[qi][i] = run_query(db, qi, &qs[qi]);
    }
    verify_q4(db, &qs[3], n_series, n_samples);

    /* ---- report ---- */
    printf("\nW1: %zu series x %zu samples = %" PRIu64
           " rows, %zu batches of <= %d rows, "
           "%zu writer(s)%s%s\n",
           n_series, n_samples, w.total_rows, n_batches, W1_BATCH_ROWS, writers,
           writers > 1 ? " + 1 producer" : " (generation inline)",
           use_refs ? ", series refs (vme_add_rows_ref)" : "");
    printf("%-44s %14s %14s\n", "figure", "vmengine", is_default ? "VM 1.72" : "");
    printf("%-44s %14.3f\n", "vme_open (new dir), s", t_open);
    printf("%-44s %14.3f %14s\n", "ingest wall until durable, s", t_end - t_start,
           is_default ? "3.46" : "");
    printf("%-44s %14.3f %14s\n", "  add_rows phase, s", t_added - t_start, "");
    printf("%-44s %14.3f %14s\n", "  vme_flush + vme_close, s", t_end - t_added, "");
    printf("%-44s %14.3f\n", "ingest CPU (user + system), s", cpu_end - cpu_start);
    printf("%-44s %14.3f %14s\n", "rows/s until durable, M",
           (double)w.total_rows / (t_end - t_start) / 1e6,
           is_default ? (writers > 1 ? "3.73" : "2.89") : "");
    printf("%-44s %14.3f %14s\n", "rows/s add_rows phase, M",
           (double)w.total_rows / (t_added - t_start) / 1e6, is_default ? "3.11" : "");
    printf("%-44s %14.3f %14s\n", "batch latency p50, ms",
           1e3 * w1_percentile(latencies, n_lat, 0.5), is_default ? "1" : "");
    printf("%-44s %14.3f %14s\n", "batch latency p99, ms",
           1e3 * w1_percentile(latencies, n_lat, 0.99), is_default ? "97" : "");
    printf("%-44s %14.3f %14s\n", "batch latency max, ms", 1e3 * (n_lat ? latencies[n_lat - 1] : 0),
           "");
    printf("%-44s %14.1f %14s\n", "peak RSS after ingest, MiB", rss_ingest,
           is_default ? "197" : "");
    printf("%-44s %14" PRIu64 "\n", "data/ bytes", data_bytes);
    printf("%-44s %14.3f %14s\n", "data/ bytes per sample",
           (double)data_bytes / (double)w.total_rows, is_default ? "1.40" : "");
    printf("%-44s %14" PRIu64 "\n", "indexdb/ bytes", index_bytes);
    printf("%-44s %14.4f %14s\n", "indexdb/ bytes per sample",
           (double)index_bytes / (double)w.total_rows, is_default ? "0.068" : "");
    printf("%-44s %14.1f %14s\n", "indexdb/ bytes per series",
           (double)index_bytes / (double)n_series, is_default ? "68" : "");
    printf("%-44s %14" PRIu64 " %14s\n", "series after reopen (vme_series_count)", series_count,
           is_default ? "10000" : "");
    printf("%-44s %14.3f\n", "reopen, s", t_reopen);
    printf("\nqueries after reopen%s (first run / median of 3 warm runs), ms\n",
           merge ? " and force merge" : "");
    printf("%-4s %-48s %9s %9s   %9s %9s  %s\n", "id", "filter, range", "first", "warm",
           is_default ? "VM first" : "", is_default ? "VM warm" : "", "result");
    for (qi = 0; qi < 4; qi++) {
      double m[3];
      char vf[32] = "", vw[32] = "";
      memcpy(m, warm[qi], sizeof m);
      qsort(m, 3, sizeof(double), w1_cmp_double);
      if (is_default) {
        snprintf(vf, sizeof vf, "%.3f", qs[qi].vm_first_ms);
        snprintf(vw, sizeof vw, "%.3f", qs[qi].vm_warm_ms);
      }
      printf("%-4s %-48s %9.3f %9.3f   %9s %9s  %zu series, %zu samples\n", qs[qi].id, qs[qi].desc,
             1e3 * first[qi], 1e3 * m[1], vf, vw, qs[qi].want_series, qs[qi].want_samples);
    }
    printf("q4 bit-for-bit check against the generator: OK\n");
    printf("%-44s %14.1f\n", "peak RSS at the end (ingest + queries), MiB", w1_peak_rss_mib());
    VME_CHECK("vme_close", vme_close(db, ERRP));
  }
  if (series_count != n_series) {
    fprintf(stderr, "vme_series_count = %" PRIu64 ", want %zu\n", series_count, n_series);
    return 1;
  }
  free(latencies);
  free(w.keys);
  free(w.key_offs);
  free(w.gens);
  free(w.series_refs);
  vme_options_destroy(opts);
  vme_library_shutdown();
  return 0;
}
