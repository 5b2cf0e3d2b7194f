/* Soak benchmark (not a test): the W1 workload (docs/benchmarks.md) ingested in a
 * loop for a given wall-clock duration while reader threads run q1-q3 and a time-bounded q4
 * against the live db. Every 10 s it prints one line of progress (rows, rate, p99 batch
 * latency, RSS, parts, indexdb parts, background errors, queries); at the end it flushes,
 * counts series, closes, reopens, and prints PASS/FAIL lines. Exit status 1 on any FAIL.
 *
 * Usage: soak DIR [--seconds S] [--series N] [--readers R] [--loops-per-gen L]
 *   DIR must not exist or be empty; it is left in place.
 *
 * Loop L of generation G writes W1's 1,000 time-major steps at W1_T0 + (L*1000 + i)*10,000 ms,
 * i = 0..999, in 10,000-row batches, continuing each series' random walk. Timestamps stay
 * below the wall clock at start: once loop L would pass it, a new generation starts at W1_T0 again
 * with a fresh series set (metric names get the suffix "_g<G>"). --loops-per-gen overrides the
 * number of loops per generation (to exercise the wrap quickly).
 *
 * Readers run, round-robin, on the current generation's names:
 *   q1 __name__="cpu_usage_0",host="host-0000"    [W1_T0, start time]
 *   q2 __name__="cpu_usage_3"                       1 h window of the last completed loop
 *   q3 __name__="cpu_usage_1",host=~"host-00.*"     [W1_T0, start time]
 *   q4 __name__=~".+"                               the last completed loop only
 * and check every result: series and sample counts within bounds, timestamps strictly
 * increasing and inside the range, q1's values bit-exact against what was written. q2 and q4
 * over a loop completed >= 5 s before the query must be complete ("late" otherwise: a warning,
 * not a failure, since flush timing depends on the machine's load). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmengine.h"
#include "w1_common.h"

#define STEPS_PER_LOOP 1000
#define LOOP_MS ((int64_t)STEPS_PER_LOOP * W1_STEP_MS)
#define REPORT_EVERY_S 10
#define COMPLETE_AFTER_S 5.0
#define S0_CAP (size_t)(16u << 20) /* steps of series 0 recorded for q1 (lazily touched) */
#define MAX_READERS 64

/* ---- helpers --------------------------------------------------------------------------------- */

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double rss_mib(void) {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f == NULL) return 0;
  if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
  fclose(f);
  return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_ACQ_REL)

/* ---- shared state ---------------------------------------------------------------------------- */

typedef struct progress {
  uint32_t gen;          /* current generation */
  uint64_t loops_done;   /* completed loops of the current generation */
  double loop_done_at;   /* monotonic time the last loop completed */
  uint64_t gen_base;     /* global step index of the generation's step 0 */
  uint64_t s0_published; /* global steps whose series-0 row has been added */
} progress;

typedef struct soak {
  vme_db* db;
  size_t n_series;
  size_t n_readers;
  uint64_t loops_per_gen;
  int64_t ts_cap; /* wall clock at start: no timestamp passes it */
  int stop;

  pthread_mutex_t mu; /* guards prog, lat, query timing, error printing */
  progress prog;
  double* lat; /* batch latencies of the current interval */
  size_t n_lat, cap_lat;
  uint64_t q_count[4], q_late[4], q_checked[4], q_empty[4], q_samples[4];
  double q_time[4], q_max[4], q_first_hit[4], t_start;
  int printed_errors;

  uint64_t rows_ingested;
  uint64_t rows_in_gen;
  uint64_t rejected;
  uint64_t write_errors, query_errors, other_errors, anomalies;
  double* s0_vals; /* series 0's value at each global step */
} soak;

static void report_error(soak* s, uint64_t* counter, const char* what, vme_status st,
                         vme_error* err) {
  ADD(counter, 1);
  pthread_mutex_lock(&s->mu);
  if (s->printed_errors++ < 20) {
    fprintf(stderr, "ERROR %s: %s: %s\n", what, vme_status_string(st), vme_error_message(err));
  }
  pthread_mutex_unlock(&s->mu);
  vme_error_free(err);
}

static void report_anomaly(soak* s, const char* fmt, const char* qid, uint64_t a, uint64_t b) {
  ADD(&s->anomalies, 1);
  pthread_mutex_lock(&s->mu);
  if (s->printed_errors++ < 20) {
    fprintf(stderr, "ANOMALY %s: ", qid);
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
  }
  pthread_mutex_unlock(&s->mu);
}

/* ---- writer ---------------------------------------------------------------------------------- */

static void* writer_main(void* arg) {
  soak* s = (soak*)arg;
  const size_t n = s->n_series;
  const uint64_t loop_rows = (uint64_t)n * STEPS_PER_LOOP;
  uint8_t* keys = (uint8_t*)w1_xmalloc(n * W1_MAX_KEY_LEN);
  uint32_t* offs = (uint32_t*)w1_xmalloc((n + 1) * sizeof(uint32_t));
  uint8_t* scratch = (uint8_t*)w1_xmalloc((size_t)W1_BATCH_ROWS * W1_MAX_KEY_LEN);
  uint32_t* scratch_offs = (uint32_t*)w1_xmalloc((W1_BATCH_ROWS + 1) * sizeof(uint32_t));
  int64_t* ts = (int64_t*)w1_xmalloc(W1_BATCH_ROWS * sizeof(int64_t));
  double* vals = (double*)w1_xmalloc(W1_BATCH_ROWS * sizeof(double));
  w1_gen* gens = (w1_gen*)w1_xmalloc(n * sizeof(w1_gen));
  size_t keys_len = 0, k;
  uint32_t g = 0;
  uint64_t loop = 0, gen_base = 0;

  for (k = 0; k < n; k++) w1_gen_init(&gens[k], k);
  keys_len = w1_build_keys(n, g, keys, offs, NULL);
  while (!LOAD(&s->stop)) {
    uint64_t r0 = 0;
    if (loop == s->loops_per_gen) {
      gen_base += (uint64_t)loop * STEPS_PER_LOOP;
      loop = 0;
      g++;
      keys_len = w1_build_keys(n, g, keys, offs, NULL);
      pthread_mutex_lock(&s->mu);
      s->prog.gen = g;
      s->prog.loops_done = 0;
      s->prog.gen_base = gen_base;
      s->prog.s0_published = gen_base;
      pthread_mutex_unlock(&s->mu);
      STORE(&s->rows_in_gen, 0);
    }
    while (r0 < loop_rows && !LOAD(&s->stop)) {
      size_t nb = (size_t)(loop_rows - r0 < W1_BATCH_ROWS ? loop_rows - r0 : W1_BATCH_ROWS), j;
      const uint8_t* bkeys;
      const uint32_t* boffs;
      size_t bkeys_len;
      vme_add_result res;
      vme_error* err = NULL;
      vme_status st;
      double t;
      uint64_t steps_seen;
      for (j = 0; j < nb; j++) {
        uint64_t r = r0 + j, i = r / n, step = gen_base + loop * STEPS_PER_LOOP + i;
        k = (size_t)(r % n);
        ts[j] = W1_T0 + (int64_t)(loop * STEPS_PER_LOOP + i) * W1_STEP_MS;
        vals[j] = w1_gen_next(&gens[k]);
        if (k == 0 && step < S0_CAP) s->s0_vals[step] = vals[j];
      }
      w1_batch_keys(keys, keys_len, offs, n, r0, nb, scratch, scratch_offs, &bkeys, &bkeys_len,
                    &boffs);
      steps_seen = (r0 + nb + n - 1) / n;
      pthread_mutex_lock(&s->mu);
      s->prog.s0_published = gen_base + loop * STEPS_PER_LOOP + steps_seen;
      pthread_mutex_unlock(&s->mu);
      memset(&res, 0, sizeof res);
      t = w1_now_s();
      st = vme_add_rows(s->db, bkeys, bkeys_len, boffs, ts, vals, nb, &res, &err);
      t = w1_now_s() - t;
      if (st != VME_OK) report_error(s, &s->write_errors, "vme_add_rows", st, err);
      ADD(&s->rejected, res.rejected_invalid_labels + res.rejected_nan +
                            res.rejected_out_of_retention + res.rejected_too_far_future +
                            res.rejected_invalid_timestamp);
      r0 += nb;
      ADD(&s->rows_ingested, res.rows_added);
      ADD(&s->rows_in_gen, res.rows_added);
      pthread_mutex_lock(&s->mu);
      if (s->n_lat == s->cap_lat) {
        s->cap_lat = s->cap_lat ? 2 * s->cap_lat : 4096;
        s->lat = (double*)realloc(s->lat, s->cap_lat * sizeof(double));
        if (s->lat == NULL) exit(1);
      }
      s->lat[s->n_lat++] = t;
      if (r0 == loop_rows) {
        s->prog.loops_done = loop + 1;
        s->prog.loop_done_at = w1_now_s();
      }
      pthread_mutex_unlock(&s->mu);
    }
    if (r0 == loop_rows) loop++;
  }
  free(keys);
  free(offs);
  free(scratch);
  free(scratch_offs);
  free(ts);
  free(vals);
  free(gens);
  return NULL;
}

/* ---- readers --------------------------------------------------------------------------------- */

static const char* const kQid[4] = {"q1", "q2", "q3", "q4"};

typedef struct reader_arg {
  soak* s;
  int first;
} reader_arg;

static int add_matcher(soak* s, vme_query* q, vme_match_type t, const char* name,
                       const char* value) {
  vme_error* err = NULL;
  vme_status st = vme_query_add_matcher(q, t, name, strlen(name), value, strlen(value), &err);
  if (st != VME_OK) {
    report_error(s, &s->query_errors, "vme_query_add_matcher", st, err);
    return 0;
  }
  return 1;
}

static void run_query(soak* s, int qi) {
  const size_t n = s->n_series;
  progress p0, p1;
  double started, t;
  int64_t min_ts, max_ts;
  uint64_t loop_c, max_series, max_samples, want_series = 0, want_samples = 0;
  uint64_t series = 0, samples = 0, max_m = 0;
  int exact = 0, ok = 1;
  char name[48];
  vme_query* q;
  vme_series_iter* it = NULL;
  vme_error* err = NULL;
  vme_status st;

  pthread_mutex_lock(&s->mu);
  p0 = s->prog;
  pthread_mutex_unlock(&s->mu);
  started = w1_now_s();
  loop_c = p0.loops_done > 0 ? p0.loops_done - 1 : 0;
  switch (qi) {
    case 0:
      min_ts = W1_T0;
      max_ts = s->ts_cap;
      max_series = 1;
      max_samples = 0;
      break;
    case 1:
      min_ts = W1_T0 + (int64_t)loop_c * LOOP_MS + 3600000;
      max_ts = min_ts + 3599999;
      max_series = w1_clamp_sz((long long)n - 3000, 0, 1000);
      max_samples = 360;
      want_series = max_series;
      want_samples = max_series * 360;
      break;
    case 2:
      min_ts = W1_T0;
      max_ts = s->ts_cap;
      max_series = w1_clamp_sz((long long)n - 1000, 0, 100);
      max_samples = 0;
      break;
    default:
      min_ts = W1_T0 + (int64_t)loop_c * LOOP_MS;
      max_ts = min_ts + LOOP_MS - W1_STEP_MS;
      /* Earlier generations wrote every loop, so their series share this range. */
      max_series = (uint64_t)n * (p0.gen + 1);
      max_samples = STEPS_PER_LOOP;
      want_series = max_series;
      want_samples = max_series * STEPS_PER_LOOP;
      break;
  }
  exact =
      (qi == 1 || qi == 3) && p0.loops_done > 0 && started - p0.loop_done_at >= COMPLETE_AFTER_S;

  q = vme_query_create(min_ts, max_ts);
  if (q == NULL) exit(1);
  if (qi == 0) {
    w1_metric_name(name, sizeof name, 0, p0.gen);
    ok = add_matcher(s, q, VME_MATCH_EQ, "__name__", name) &&
         add_matcher(s, q, VME_MATCH_EQ, "host", "host-0000");
  } else if (qi == 1) {
    w1_metric_name(name, sizeof name, 3, p0.gen);
    ok = add_matcher(s, q, VME_MATCH_EQ, "__name__", name);
  } else if (qi == 2) {
    w1_metric_name(name, sizeof name, 1, p0.gen);
    ok = add_matcher(s, q, VME_MATCH_EQ, "__name__", name) &&
         add_matcher(s, q, VME_MATCH_RE, "host", "host-00.*");
  } else {
    ok = add_matcher(s, q, VME_MATCH_RE, "__name__", ".+");
  }
  if (!ok) {
    vme_query_destroy(q);
    return;
  }
  st = vme_search(s->db, q, &it, &err);
  if (st != VME_OK) {
    report_error(s, &s->query_errors, kQid[qi], st, err);
    vme_query_destroy(q);
    return;
  }
  while ((st = vme_series_iter_next(it, &err)) == VME_OK) {
    const int64_t* tsv;
    const double* vs;
    size_t m = vme_series_iter_samples(it, &tsv, &vs), j;
    series++;
    samples += m;
    if (m > max_m) max_m = m;
    for (j = 0; j < m; j++) {
      if (tsv[j] < min_ts || tsv[j] > max_ts || (j > 0 && tsv[j] <= tsv[j - 1])) {
        report_anomaly(s, "sample %" PRIu64 " has timestamp %" PRIu64 " out of order or range",
                       kQid[qi], j, (uint64_t)tsv[j]);
        break;
      }
    }
    if (qi == 0) {
      pthread_mutex_lock(&s->mu);
      p1 = s->prog;
      pthread_mutex_unlock(&s->mu);
      for (j = 0; j < m && p1.gen == p0.gen; j++) {
        uint64_t step = p0.gen_base + (uint64_t)((tsv[j] - W1_T0) / W1_STEP_MS);
        if (step >= S0_CAP) break;
        if (step >= p1.s0_published) {
          report_anomaly(s, "sample at step %" PRIu64 " was not written yet (%" PRIu64 ")",
                         kQid[qi], step, p1.s0_published);
          break;
        }
        if (memcmp(&vs[j], &s->s0_vals[step], sizeof(double)) != 0) {
          report_anomaly(s, "value at step %" PRIu64 " differs from the one written (%" PRIu64 ")",
                         kQid[qi], step, j);
          break;
        }
      }
    }
  }
  if (st != VME_DONE) report_error(s, &s->query_errors, kQid[qi], st, err);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  t = w1_now_s() - started;
  pthread_mutex_lock(&s->mu);
  p1 = s->prog;
  pthread_mutex_unlock(&s->mu);
  if (qi == 0 || qi == 2) {
    max_samples = (p1.gen == p0.gen ? p1.loops_done + 1 : s->loops_per_gen) * STEPS_PER_LOOP;
  } else if (qi == 3) {
    max_series = (uint64_t)n * (p1.gen + 1);
  }
  if (max_m > max_samples) {
    report_anomaly(s, "series with %" PRIu64 " samples > %" PRIu64, kQid[qi], max_m, max_samples);
  }
  if (series > max_series) {
    report_anomaly(s, "%" PRIu64 " series > %" PRIu64, kQid[qi], series, max_series);
  }
  pthread_mutex_lock(&s->mu);
  s->q_count[qi]++;
  s->q_samples[qi] += samples;
  if (series == 0) {
    s->q_empty[qi]++;
  } else {
    s->q_time[qi] += t;
    if (s->q_first_hit[qi] == 0) s->q_first_hit[qi] = w1_now_s() - s->t_start;
  }
  if (t > s->q_max[qi]) s->q_max[qi] = t;
  if (exact && st == VME_DONE) {
    s->q_checked[qi]++;
    if (series != want_series || samples != want_samples) s->q_late[qi]++;
  }
  pthread_mutex_unlock(&s->mu);
}

static void* reader_main(void* arg) {
  reader_arg* ra = (reader_arg*)arg;
  int qi = ra->first;
  while (!LOAD(&ra->s->stop)) {
    run_query(ra->s, qi);
    qi = (qi + 1) % 4;
  }
  return NULL;
}

/* ---- monitor --------------------------------------------------------------------------------- */

typedef struct sample {
  double parts, partition_max, indexdb_parts, background_errors, partitions, rows, raw_pending;
  double merges;
} sample;

static int take_stats(soak* s, sample* out) {
  vme_stats* st = NULL;
  vme_error* err = NULL;
  vme_status rc = vme_stats_get(s->db, &st, &err);
  size_t i, n;
  char cur[64] = "";
  double cur_parts = 0;
  memset(out, 0, sizeof *out);
  if (rc != VME_OK) {
    report_error(s, &s->other_errors, "vme_stats_get", rc, err);
    return 0;
  }
  n = vme_stats_count(st);
  for (i = 0; i < n; i++) {
    const char* name = vme_stats_name(st, i);
    double v = vme_stats_value(st, i);
    size_t len = strlen(name);
    if (strcmp(name, "parts") == 0) out->parts = v;
    if (strcmp(name, "indexdb_parts") == 0) out->indexdb_parts = v;
    if (strcmp(name, "background_errors") == 0) out->background_errors = v;
    if (strcmp(name, "partitions") == 0) out->partitions = v;
    if (strcmp(name, "rows") == 0) out->rows = v;
    if (strcmp(name, "raw_rows_pending") == 0) out->raw_pending = v;
    if (strcmp(name, "merges") == 0) out->merges = v;
    if (strncmp(name, "partition.", 10) == 0 && len > 6 && strcmp(name + len - 6, "_parts") == 0) {
      const char* dot = strchr(name + 10, '.');
      size_t plen = dot ? (size_t)(dot - name) : len;
      if (plen >= sizeof cur) plen = sizeof cur - 1;
      if (strncmp(cur, name, plen) != 0 || cur[plen] != '\0') {
        memcpy(cur, name, plen);
        cur[plen] = '\0';
        cur_parts = 0;
      }
      cur_parts += v;
      if (cur_parts > out->partition_max) out->partition_max = cur_parts;
    }
  }
  vme_stats_free(st);
  return 1;
}

typedef struct half {
  double rss_max, parts_max, partition_max, indexdb_parts_max;
  double* lat;
  size_t n_lat, cap_lat;
} half;

static void half_add_lat(half* h, const double* lat, size_t n) {
  if (h->n_lat + n > h->cap_lat) {
    while (h->n_lat + n > h->cap_lat) h->cap_lat = h->cap_lat ? 2 * h->cap_lat : 65536;
    h->lat = (double*)realloc(h->lat, h->cap_lat * sizeof(double));
    if (h->lat == NULL) exit(1);
  }
  memcpy(h->lat + h->n_lat, lat, n * sizeof(double));
  h->n_lat += n;
}

static int check(const char* what, int ok) {
  printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
  return ok;
}

static void usage(void) {
  fprintf(stderr, "usage: soak DIR [--seconds S] [--series N] [--readers R] [--loops-per-gen L]\n");
  exit(2);
}

int main(int argc, char** argv) {
  const char* dir = NULL;
  double seconds = 600, t_start, t_next_report, t_prev_report, elapsed = 0;
  uint64_t rows_prev = 0, q_total, series_written, count_live = 0, count_reopen = 0;
  uint64_t loops_per_gen_opt = 0;
  soak s;
  half halves[2];
  sample last, final_stats;
  pthread_t wt, rt[MAX_READERS];
  reader_arg ra[MAX_READERS];
  double* ilat = NULL;
  size_t i, cap_ilat = 0, n_ilat = 0;
  vme_error* err = NULL;
  vme_status st;
  int all_ok = 1, have_final = 0, qi;
  double t_flush = 0, t_close = 0, t_reopen = 0;

  memset(&s, 0, sizeof s);
  s.n_series = 10000;
  s.n_readers = 2;
  for (i = 1; i < (size_t)argc; i++) {
    if (strcmp(argv[i], "--seconds") == 0 && i + 1 < (size_t)argc) {
      seconds = strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--series") == 0 && i + 1 < (size_t)argc) {
      s.n_series = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--readers") == 0 && i + 1 < (size_t)argc) {
      s.n_readers = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--loops-per-gen") == 0 && i + 1 < (size_t)argc) {
      loops_per_gen_opt = strtoull(argv[++i], NULL, 10);
    } else if (argv[i][0] == '-' || dir != NULL) {
      usage();
    } else {
      dir = argv[i];
    }
  }
  if (dir == NULL || !(seconds > 0) || s.n_series == 0 || s.n_series > 100000 ||
      s.n_readers > MAX_READERS) {
    usage();
  }
  if (!w1_dir_is_empty_or_missing(dir)) {
    fprintf(stderr, "%s exists and is not empty\n", dir);
    return 2;
  }
  if (!w1_check_generator(0)) {
    fprintf(stderr, "generator: test vectors do not match\n");
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);

  s.ts_cap = wall_ms();
  if (s.ts_cap < W1_T0 + LOOP_MS) {
    fprintf(stderr,
            "the clock is before 2026-01-01 + 1 loop: W1 timestamps would be in the future\n");
    return 2;
  }
  s.loops_per_gen = (uint64_t)((s.ts_cap - W1_T0 - (LOOP_MS - W1_STEP_MS)) / LOOP_MS) + 1;
  if (loops_per_gen_opt > 0 && loops_per_gen_opt < s.loops_per_gen) {
    s.loops_per_gen = loops_per_gen_opt;
  }
  s.s0_vals = (double*)w1_xmalloc(S0_CAP * sizeof(double));
  pthread_mutex_init(&s.mu, NULL);
  memset(halves, 0, sizeof halves);
  memset(&last, 0, sizeof last);

  printf("soak: %s, %.0f s, %zu series, %zu reader(s), %" PRIu64
         " loops of %d steps per generation, batches of %d rows\n",
         dir, seconds, s.n_series, s.n_readers, s.loops_per_gen, STEPS_PER_LOOP, W1_BATCH_ROWS);
  st = vme_open(dir, NULL, &s.db, &err);
  if (st != VME_OK) {
    fprintf(stderr, "vme_open: %s: %s\n", vme_status_string(st), vme_error_message(err));
    return 1;
  }

  t_start = w1_now_s();
  s.t_start = t_start;
  t_prev_report = t_start;
  t_next_report = t_start + REPORT_EVERY_S;
  pthread_create(&wt, NULL, writer_main, &s);
  for (i = 0; i < s.n_readers; i++) {
    ra[i].s = &s;
    ra[i].first = (int)(i % 4);
    pthread_create(&rt[i], NULL, reader_main, &ra[i]);
  }
  printf("%7s %12s %9s %9s %9s %6s %6s %7s %5s %8s %5s %6s %8s\n", "t_s", "rows", "Mrows/s",
         "p99_ms", "rss_MiB", "parts", "pmax", "idxprts", "bgerr", "queries", "qerr", "loops",
         "merges");
  for (;;) {
    double now, rss;
    sample smp;
    int h, stopping;
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
    now = w1_now_s();
    elapsed = now - t_start;
    stopping = elapsed >= seconds;
    rss = rss_mib();
    h = elapsed < seconds / 2 ? 0 : 1;
    if (rss > halves[h].rss_max) halves[h].rss_max = rss;
    pthread_mutex_lock(&s.mu);
    if (n_ilat + s.n_lat > cap_ilat) {
      cap_ilat = 2 * (n_ilat + s.n_lat);
      ilat = (double*)realloc(ilat, cap_ilat * sizeof(double));
      if (ilat == NULL) exit(1);
    }
    memcpy(ilat + n_ilat, s.lat, s.n_lat * sizeof(double));
    half_add_lat(&halves[h], s.lat, s.n_lat);
    n_ilat += s.n_lat;
    s.n_lat = 0;
    pthread_mutex_unlock(&s.mu);
    if (take_stats(&s, &smp)) {
      last = smp;
      if (smp.parts > halves[h].parts_max) halves[h].parts_max = smp.parts;
      if (smp.partition_max > halves[h].partition_max) {
        halves[h].partition_max = smp.partition_max;
      }
      if (smp.indexdb_parts > halves[h].indexdb_parts_max) {
        halves[h].indexdb_parts_max = smp.indexdb_parts;
      }
    }
    if (now >= t_next_report || stopping) {
      uint64_t rows = LOAD(&s.rows_ingested), qerr;
      progress p;
      pthread_mutex_lock(&s.mu);
      q_total = s.q_count[0] + s.q_count[1] + s.q_count[2] + s.q_count[3];
      p = s.prog;
      pthread_mutex_unlock(&s.mu);
      qsort(ilat, n_ilat, sizeof(double), w1_cmp_double);
      qerr = LOAD(&s.query_errors) + LOAD(&s.anomalies);
      printf("%7.1f %12" PRIu64 " %9.3f %9.2f %9.1f %6.0f %6.0f %7.0f %5.0f %8" PRIu64 " %5" PRIu64
             " %4" PRIu64 "/%u %8.0f\n",
             elapsed, rows, (double)(rows - rows_prev) / (now - t_prev_report) / 1e6,
             1e3 * w1_percentile(ilat, n_ilat, 0.99), rss, last.parts, last.partition_max,
             last.indexdb_parts, last.background_errors, q_total, qerr, p.loops_done, p.gen,
             last.merges);
      rows_prev = rows;
      n_ilat = 0;
      t_prev_report = now;
      t_next_report += REPORT_EVERY_S;
    }
    if (stopping) break;
  }
  STORE(&s.stop, 1);
  pthread_join(wt, NULL);
  for (i = 0; i < s.n_readers; i++) pthread_join(rt[i], NULL);
  elapsed = w1_now_s() - t_start;
  half_add_lat(&halves[1], s.lat, s.n_lat);

  {
    progress p = s.prog;
    uint64_t in_gen = LOAD(&s.rows_in_gen);
    series_written = (uint64_t)s.n_series * p.gen + (in_gen < s.n_series ? in_gen : s.n_series);
  }
  {
    double t = w1_now_s();
    st = vme_flush(s.db, &err);
    t_flush = w1_now_s() - t;
    if (st != VME_OK) report_error(&s, &s.other_errors, "vme_flush", st, err);
  }
  have_final = take_stats(&s, &final_stats);
  {
    vme_query* q = vme_query_create(W1_T0, s.ts_cap);
    err = NULL;
    st = vme_series_count(s.db, q, &count_live, &err);
    if (st != VME_OK) report_error(&s, &s.other_errors, "vme_series_count", st, err);
    vme_query_destroy(q);
  }
  {
    double t = w1_now_s();
    err = NULL;
    st = vme_close(s.db, &err);
    t_close = w1_now_s() - t;
    if (st != VME_OK) report_error(&s, &s.other_errors, "vme_close", st, err);
    s.db = NULL;
  }
  {
    double t = w1_now_s();
    vme_db* db = NULL;
    err = NULL;
    st = vme_open(dir, NULL, &db, &err);
    t_reopen = w1_now_s() - t;
    if (st != VME_OK) {
      report_error(&s, &s.other_errors, "vme_open (reopen)", st, err);
    } else {
      vme_query* q = vme_query_create(W1_T0, s.ts_cap);
      err = NULL;
      st = vme_series_count(db, q, &count_reopen, &err);
      if (st != VME_OK) report_error(&s, &s.other_errors, "vme_series_count (reopen)", st, err);
      vme_query_destroy(q);
      err = NULL;
      st = vme_close(db, &err);
      if (st != VME_OK) report_error(&s, &s.other_errors, "vme_close (reopen)", st, err);
    }
  }

  /* ---- summary ---- */
  {
    uint64_t rows = s.rows_ingested;
    double* all;
    size_t n_all = halves[0].n_lat + halves[1].n_lat;
    all = (double*)w1_xmalloc((n_all ? n_all : 1) * sizeof(double));
    memcpy(all, halves[0].lat, halves[0].n_lat * sizeof(double));
    memcpy(all + halves[0].n_lat, halves[1].lat, halves[1].n_lat * sizeof(double));
    qsort(all, n_all, sizeof(double), w1_cmp_double);
    qsort(halves[0].lat, halves[0].n_lat, sizeof(double), w1_cmp_double);
    qsort(halves[1].lat, halves[1].n_lat, sizeof(double), w1_cmp_double);

    printf("\nsummary after %.1f s\n", elapsed);
    printf("%-46s %" PRIu64 " (%" PRIu64 " loops of generation %u done, %" PRIu64
           " loops/generation)\n",
           "rows ingested", rows, s.prog.loops_done, s.prog.gen, s.loops_per_gen);
    printf("%-46s %.3f\n", "mean ingest rate, M rows/s", (double)rows / elapsed / 1e6);
    printf("%-46s %zu\n", "batches", n_all);
    printf("%-46s %.3f / %.3f / %.3f / %.3f\n", "batch latency p50 / p99 / p99.9 / max, ms",
           1e3 * w1_percentile(all, n_all, 0.5), 1e3 * w1_percentile(all, n_all, 0.99),
           1e3 * w1_percentile(all, n_all, 0.999), 1e3 * (n_all ? all[n_all - 1] : 0));
    printf("%-46s %.3f / %.3f\n", "batch latency p99 first / second half, ms",
           1e3 * w1_percentile(halves[0].lat, halves[0].n_lat, 0.99),
           1e3 * w1_percentile(halves[1].lat, halves[1].n_lat, 0.99));
    printf("%-46s %.1f / %.1f\n", "max RSS first / second half, MiB", halves[0].rss_max,
           halves[1].rss_max);
    printf("%-46s %.0f / %.0f\n", "max parts first / second half", halves[0].parts_max,
           halves[1].parts_max);
    printf("%-46s %.0f / %.0f\n", "max parts in one partition, first / second",
           halves[0].partition_max, halves[1].partition_max);
    printf("%-46s %.0f / %.0f\n", "max indexdb parts first / second half",
           halves[0].indexdb_parts_max, halves[1].indexdb_parts_max);
    if (have_final) {
      printf("%-46s parts %.0f, partitions %.0f, indexdb parts %.0f, merges %.0f\n",
             "after vme_flush", final_stats.parts, final_stats.partitions,
             final_stats.indexdb_parts, final_stats.merges);
      printf("%-46s %.0f (raw pending %.0f)\n", "stored rows after vme_flush", final_stats.rows,
             final_stats.raw_pending);
    }
    printf("%-46s %.3f / %.3f / %.3f\n", "vme_flush / vme_close / reopen, s", t_flush, t_close,
           t_reopen);
    printf("%-46s %" PRIu64 " written, %" PRIu64 " live, %" PRIu64 " after reopen\n", "series",
           series_written, count_live, count_reopen);
    printf("queries (%zu readers; mean over non-empty results):\n", s.n_readers);
    printf("  %-3s %8s %8s %11s %12s %10s %10s %8s %5s\n", "id", "count", "empty", "1st_hit_s",
           "samples", "mean_ms", "max_ms", "checked", "late");
    for (qi = 0; qi < 4; qi++) {
      uint64_t hits = s.q_count[qi] - s.q_empty[qi];
      printf("  %-3s %8" PRIu64 " %8" PRIu64 " %11.2f %12" PRIu64 " %10.3f %10.3f %8" PRIu64
             " %5" PRIu64 "\n",
             kQid[qi], s.q_count[qi], s.q_empty[qi], s.q_first_hit[qi], s.q_samples[qi],
             hits ? 1e3 * s.q_time[qi] / (double)hits : 0.0, 1e3 * s.q_max[qi], s.q_checked[qi],
             s.q_late[qi]);
    }
    printf("%-46s write %" PRIu64 ", query %" PRIu64 ", other %" PRIu64 "\n", "call errors",
           s.write_errors, s.query_errors, s.other_errors);
    printf("%-46s %" PRIu64 "\n", "query result anomalies", s.anomalies);
    printf("%-46s %" PRIu64 "\n", "rows rejected", s.rejected);
    printf("\n");
    all_ok &= check("no errors from any call",
                    s.write_errors == 0 && s.query_errors == 0 && s.other_errors == 0);
    all_ok &= check("every row accepted (no rejections)", s.rejected == 0);
    all_ok &= check("background_errors == 0", have_final && final_stats.background_errors == 0);
    {
      char buf[160];
      snprintf(buf, sizeof buf, "RSS bounded: second-half max %.1f <= 1.5 x %.1f + 64 MiB",
               halves[1].rss_max, halves[0].rss_max);
      all_ok &= check(buf, halves[1].rss_max <= 1.5 * halves[0].rss_max + 64.0);
      snprintf(buf, sizeof buf, "parts bounded: second-half max %.0f <= %.0f + 20",
               halves[1].parts_max, halves[0].parts_max);
      all_ok &= check(buf, halves[1].parts_max <= halves[0].parts_max + 20);
      snprintf(buf, sizeof buf, "full-range series count == %" PRIu64 " written (live, reopen)",
               series_written);
      all_ok &= check(buf, count_live == series_written && count_reopen == series_written);
      snprintf(buf, sizeof buf, "stored rows after vme_flush == %" PRIu64 " ingested", rows);
      all_ok &= check(buf, have_final && final_stats.rows == (double)rows);
    }
    all_ok &= check("query results consistent (bounds, order, q1 values)", s.anomalies == 0);
    {
      uint64_t late = s.q_late[1] + s.q_late[3];
      printf("%s: q2/q4 over a loop completed >= %.0f s earlier were complete (%" PRIu64
             " of %" PRIu64 " late)\n",
             late == 0 ? "OK  " : "WARN", COMPLETE_AFTER_S, late, s.q_checked[1] + s.q_checked[3]);
    }
    printf("%s\n", all_ok ? "soak: PASS" : "soak: FAIL");
    free(all);
  }
  free(halves[0].lat);
  free(halves[1].lat);
  free(ilat);
  free(s.lat);
  free(s.s0_vals);
  pthread_mutex_destroy(&s.mu);
  vme_library_shutdown();
  return all_ok ? 0 : 1;
}
