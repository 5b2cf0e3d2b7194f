/* C API queries over a small hand-made data set: matchers, empty labels, regex anchoring,
 * time ranges, partitions, the columnar ingest path, label lists, counts, stats, reopen. */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_c.h"
#include "temp_dir_c.h"
#include "vmengine.h"

#define T0 INT64_C(1768003200000)        /* 2026-01-10T00:00:00Z */
#define JAN_LAST INT64_C(1769903999999)  /* 2026-01-31T23:59:59.999Z */
#define FEB_FIRST INT64_C(1769904000000) /* 2026-02-01T00:00:00Z */
#define R_MIN T0
#define R_MAX (T0 + 120000)

static const char* const N0 = "up{instance=\"h1\",job=\"node\"}";
static const char* const N1 = "up{foo=\"x\",instance=\"h2\",job=\"node\"}";
static const char* const N2 = "up{instance=\"h1\",job=\"api\"}";
static const char* const N3 = "requests{foo=\"y\",job=\"api\",path=\"abc\"}";
static const char* const N4 = "requests{job=\"api\",path=\"xabcx\"}";
static const char* const N5 = "requests{job=\"web\",path=\"abd\"}";
static const char* const NSPAN = "span_metric{kind=\"span\"}";
static const char* const NCOL = "col_metric{kind=\"col\"}";

static const double kColValues[5] = {0.5, 0.25, -3, 1e6, 42};

static char* g_dir;
static vme_db* g_db;

/* ---- helpers ----------------------------------------------------------------------------- */

typedef struct keybuf {
  uint8_t* p;
  size_t len;
  size_t cap;
} keybuf;

static void kb_raw(keybuf* kb, const void* data, size_t n) {
  if (kb->len + n > kb->cap) {
    size_t cap = kb->cap ? kb->cap : 64;
    while (cap < kb->len + n) cap *= 2;
    kb->p = (uint8_t*)realloc(kb->p, cap);
    REQUIRE(kb->p != NULL);
    kb->cap = cap;
  }
  if (n > 0) memcpy(kb->p + kb->len, data, n);
  kb->len += n;
}

/* Appends one packed label pair: u16be name length, name, u16be value length, value. */
static void kb_label(keybuf* kb, const char* name, const char* value) {
  size_t nl = strlen(name), vl = strlen(value);
  uint8_t b[2];
  b[0] = (uint8_t)(nl >> 8);
  b[1] = (uint8_t)nl;
  kb_raw(kb, b, 2);
  kb_raw(kb, name, nl);
  b[0] = (uint8_t)(vl >> 8);
  b[1] = (uint8_t)vl;
  kb_raw(kb, b, 2);
  kb_raw(kb, value, vl);
}

/* Builds a packed series key from a NULL-terminated list of name, value, name, value, ... */
static void build_key(keybuf* kb, const char* const* pairs) {
  size_t i;
  for (i = 0; pairs[i] != NULL; i += 2) kb_label(kb, pairs[i], pairs[i + 1]);
}

static void kb_free(keybuf* kb) {
  free(kb->p);
  kb->p = NULL;
  kb->len = kb->cap = 0;
}

#define CHECK_OK(call)                                                         \
  do {                                                                         \
    vme_error* err_ = NULL;                                                    \
    vme_status st_ = (call);                                                   \
    if (st_ != VME_OK) {                                                       \
      FAIL("%s returned %d (%s): %s", #call, (int)st_, vme_status_string(st_), \
           vme_error_message(err_));                                           \
    }                                                                          \
  } while (0)
#define ERR (&err_)

static int cmp_str(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

typedef struct result {
  char* names[64];
  size_t n;
  size_t samples;
} result;

static void result_free(result* r) {
  size_t i;
  for (i = 0; i < r->n; i++) free(r->names[i]);
  r->n = 0;
}

/* Runs q and collects the sorted series names and the total number of samples. Also checks
 * that the samples of every series are sorted by timestamp. */
static void run(const vme_query* q, result* r) {
  vme_series_iter* it = NULL;
  vme_status st;
  r->n = 0;
  r->samples = 0;
  CHECK_OK(vme_search(g_db, q, &it, ERR));
  while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
    const int64_t* ts = NULL;
    const double* vs = NULL;
    size_t k = vme_series_iter_samples(it, &ts, &vs), i;
    const char* name = vme_series_iter_name(it);
    REQUIRE(name != NULL);
    REQUIRE(k > 0);
    for (i = 1; i < k; i++) REQUIRE(ts[i - 1] <= ts[i]);
    REQUIRE(r->n < 64);
    r->names[r->n] = strdup(name);
    r->n++;
    r->samples += k;
  }
  if (st != VME_DONE) FAIL("vme_series_iter_next returned %d", (int)st);
  vme_series_iter_close(it);
  qsort(r->names, r->n, sizeof r->names[0], cmp_str);
}

/* want: NULL-terminated list of series names in any order. */
static void expect_series(const vme_query* q, const char* what, const char* const* want,
                          size_t want_samples) {
  const char* sorted[64];
  size_t n = 0, i;
  result r;
  while (want[n] != NULL) {
    sorted[n] = want[n];
    n++;
  }
  qsort(sorted, n, sizeof sorted[0], cmp_str);
  run(q, &r);
  for (i = 0; i < n || i < r.n; i++) {
    const char* w = i < n ? sorted[i] : "(none)";
    const char* g = i < r.n ? r.names[i] : "(none)";
    if (i >= n || i >= r.n || strcmp(w, g) != 0) {
      FAIL("%s: series %u: want %s, got %s (want %u series, got %u)", what, (unsigned)i, w, g,
           (unsigned)n, (unsigned)r.n);
    }
  }
  if (want_samples != (size_t)-1 && r.samples != want_samples) {
    FAIL("%s: %u samples, want %u", what, (unsigned)r.samples, (unsigned)want_samples);
  }
  result_free(&r);
}

static void expect_selector(const char* selector, int64_t min_ts, int64_t max_ts,
                            const char* const* want, size_t want_samples) {
  vme_query* q = vme_query_create(min_ts, max_ts);
  REQUIRE(q != NULL);
  CHECK_OK(vme_query_add_selector(q, selector, ERR));
  expect_series(q, selector, want, want_samples);
  vme_query_destroy(q);
}

static void expect_matcher(vme_match_type type, const char* name, const char* value, int64_t min_ts,
                           int64_t max_ts, const char* const* want) {
  vme_query* q = vme_query_create(min_ts, max_ts);
  char what[256];
  REQUIRE(q != NULL);
  CHECK_OK(vme_query_add_matcher(q, type, name, strlen(name), value, strlen(value), ERR));
  snprintf(what, sizeof what, "matcher %s op%d \"%s\"", name, (int)type, value);
  expect_series(q, what, want, (size_t)-1);
  vme_query_destroy(q);
}

static void expect_list(vme_strlist* list, const char* what, const char* const* want) {
  size_t n = 0, i;
  while (want[n] != NULL) n++;
  if (vme_strlist_count(list) != n) {
    FAIL("%s: %u entries, want %u (first: %s)", what, (unsigned)vme_strlist_count(list),
         (unsigned)n, vme_strlist_count(list) ? vme_strlist_get(list, 0, NULL) : "-");
  }
  for (i = 0; i < n; i++) {
    size_t len = 0;
    const char* s = vme_strlist_get(list, i, &len);
    REQUIRE(s != NULL);
    if (strcmp(s, want[i]) != 0) FAIL("%s[%u] = %s, want %s", what, (unsigned)i, s, want[i]);
    REQUIRE_EQ_INT(len, strlen(want[i]));
  }
  REQUIRE(vme_strlist_get(list, n, NULL) == NULL);
  vme_strlist_free(list);
}

/* ---- data set ---------------------------------------------------------------------------- */

static void ingest(void) {
  static const char* const s0[] = {"__name__", "up", "job", "node", "instance", "h1", NULL};
  static const char* const s1[] = {"foo", "x",   "instance", "h2", "__name__",
                                   "up",  "job", "node",     NULL};
  static const char* const s2[] = {"__name__", "up",  "job", "api", "instance",
                                   "h1",       "foo", "",    NULL};
  static const char* const s3[] = {"__name__", "requests", "job", "api", "path",
                                   "abc",      "foo",      "y",   NULL};
  /* Duplicate label: the last one wins. */
  static const char* const s4[] = {"__name__", "requests", "path",  "zzz", "job",
                                   "api",      "path",     "xabcx", NULL};
  /* An empty label name also denotes the metric name. */
  static const char* const s5[] = {"", "requests", "job", "web", "path", "abd", NULL};
  static const char* const* const series[6] = {s0, s1, s2, s3, s4, s5};
  static const char* const span[] = {"__name__", "span_metric", "kind", "span", NULL};
  static const char* const col[] = {"__name__", "col_metric", "kind", "col", NULL};
  keybuf one[6];
  keybuf kb = {0};
  uint32_t offs[19];
  int64_t ts[18];
  double vals[18];
  vme_add_result r;
  size_t i, s, row = 0;

  memset(one, 0, sizeof one);
  for (s = 0; s < 6; s++) build_key(&one[s], series[s]);
  /* Time-major: for each timestamp, every series. */
  offs[0] = 0;
  for (i = 0; i < 3; i++) {
    for (s = 0; s < 6; s++) {
      kb_raw(&kb, one[s].p, one[s].len);
      offs[row + 1] = (uint32_t)kb.len;
      ts[row] = T0 + (int64_t)i * 60000;
      vals[row] = (double)(s * 10 + i);
      row++;
    }
  }
  memset(&r, 0, sizeof r);
  CHECK_OK(vme_add_rows(g_db, kb.p, kb.len, offs, ts, vals, 18, &r, ERR));
  REQUIRE_EQ_INT(r.rows_added, 18);
  REQUIRE_EQ_INT(r.rejected_invalid_labels, 0);
  for (s = 0; s < 6; s++) kb_free(&one[s]);
  kb_free(&kb);

  /* One series across the January/February partition boundary, added newest first. */
  build_key(&kb, span);
  offs[0] = 0;
  offs[1] = (uint32_t)kb.len;
  build_key(&kb, span); /* the same key twice */
  offs[2] = (uint32_t)kb.len;
  ts[0] = FEB_FIRST;
  vals[0] = 2;
  ts[1] = JAN_LAST;
  vals[1] = 1;
  memset(&r, 0, sizeof r);
  CHECK_OK(vme_add_rows(g_db, kb.p, kb.len, offs, ts, vals, 2, &r, ERR));
  REQUIRE_EQ_INT(r.rows_added, 2);
  kb_free(&kb);

  /* Columnar path. */
  build_key(&kb, col);
  for (i = 0; i < 5; i++) ts[i] = T0 + 200000 + (int64_t)i * 1000;
  memset(&r, 0, sizeof r);
  CHECK_OK(vme_add_series(g_db, kb.p, kb.len, ts, kColValues, 5, &r, ERR));
  REQUIRE_EQ_INT(r.rows_added, 5);
  kb_free(&kb);

  CHECK_OK(vme_flush(g_db, ERR));
}

/* Opens a fresh database in a temporary directory and ingests the data set; 0 on success. */
static int group_setup(void) {
  const char* base = getenv("TMPDIR");
  g_dir = (char*)malloc(4096);
  snprintf(g_dir, 4096, "%s/vme_query.XXXXXX", base && *base ? base : "/tmp");
  if (mkdtemp(g_dir) == NULL) return -1;
  if (vme_open(g_dir, NULL, &g_db, NULL) != VME_OK) return -1;
  ingest();
  return 0;
}

static void group_teardown(void) {
  if (g_db != NULL) vme_close(g_db, NULL);
  g_db = NULL;
  vme_test_remove_tree(g_dir);
  free(g_dir);
  vme_library_shutdown();
}

/* ---- checks (run before and after reopen) ------------------------------------------------ */

static void check_matchers(void) {
  {
    const char* const w[] = {N2, N3, N4, NULL};
    expect_matcher(VME_MATCH_EQ, "job", "api", R_MIN, R_MAX, w);
    expect_selector("{job=\"api\"}", R_MIN, R_MAX, w, 9);
    expect_matcher(VME_MATCH_RE, "job", "a.*", R_MIN, R_MAX, w);
    expect_matcher(VME_MATCH_NRE, "job", "node|web", R_MIN, R_MAX, w);
  }
  {
    const char* const w[] = {N0, N1, N5, NULL};
    expect_matcher(VME_MATCH_NEQ, "job", "api", R_MIN, R_MAX, w);
    expect_matcher(VME_MATCH_RE, "job", "node|web", R_MIN, R_MAX, w);
    expect_selector("{__name__=~\".+\",job!=\"api\"}", R_MIN, R_MAX, w, 9);
    expect_selector("{__name__=~\".+\",job!~\"a.*\"}", R_MIN, R_MAX, w, 9);
  }
  {
    const char* const none[] = {NULL};
    expect_matcher(VME_MATCH_RE, "job", "ap", R_MIN, R_MAX, none);
    expect_matcher(VME_MATCH_EQ, "job", "nosuch", R_MIN, R_MAX, none);
    expect_matcher(VME_MATCH_EQ, "nosuchlabel", "x", R_MIN, R_MAX, none);
  }
  {
    /* AND of several matchers. */
    const char* const w[] = {N3, NULL};
    expect_selector("{job=\"api\",path=~\"ab.*\"}", R_MIN, R_MAX, w, 3);
  }
  {
    /* Name and value are byte strings with explicit lengths. */
    const char* const w[] = {N2, N3, N4, NULL};
    vme_query* q = vme_query_create(R_MIN, R_MAX);
    CHECK_OK(vme_query_add_matcher(q, VME_MATCH_EQ, "jobXX", 3, "apiYYY", 3, ERR));
    expect_series(q, "length-delimited matcher", w, 9);
    vme_query_destroy(q);
  }
}

static void check_empty_label_semantics(void) {
  {
    const char* const w[] = {N0, N2, N4, N5, NULL};
    expect_matcher(VME_MATCH_EQ, "foo", "", R_MIN, R_MAX, w);
    expect_selector("{__name__=~\"up|requests\",foo=\"\"}", R_MIN, R_MAX, w, 12);
  }
  {
    const char* const w[] = {N1, N3, NULL};
    expect_matcher(VME_MATCH_NEQ, "foo", "", R_MIN, R_MAX, w);
    expect_selector("{foo!=\"\"}", R_MIN, R_MAX, w, 6);
    expect_matcher(VME_MATCH_RE, "foo", ".+", R_MIN, R_MAX, w);
  }
  {
    /* A negative matcher that does not match "" keeps the series without the label. */
    const char* const w[] = {N0, N2, N3, N4, N5, NULL};
    expect_matcher(VME_MATCH_NRE, "foo", "x", R_MIN, R_MAX, w);
  }
  {
    /* A positive regex that matches "" also selects the series without the label. */
    const char* const w[] = {N0, N1, N2, N4, N5, NULL};
    expect_matcher(VME_MATCH_RE, "foo", "x|", R_MIN, R_MAX, w);
  }
  {
    /* The label with an empty value was not stored: S2 has no foo. */
    const char* const w[] = {N2, NULL};
    expect_selector("up{job=\"api\",foo=\"\"}", R_MIN, R_MAX, w, 3);
  }
}

static void check_regex_anchoring(void) {
  {
    const char* const w[] = {N3, NULL};
    expect_matcher(VME_MATCH_RE, "path", "abc", R_MIN, R_MAX, w);
  }
  {
    const char* const w[] = {N3, N5, NULL};
    expect_matcher(VME_MATCH_RE, "path", "ab.*", R_MIN, R_MAX, w);
  }
  {
    const char* const w[] = {N3, N4, NULL};
    expect_matcher(VME_MATCH_RE, "path", ".*abc.*", R_MIN, R_MAX, w);
  }
  {
    const char* const w[] = {N4, NULL};
    expect_matcher(VME_MATCH_RE, "path", "x.*", R_MIN, R_MAX, w);
    expect_matcher(VME_MATCH_RE, "path", ".*cx", R_MIN, R_MAX, w);
  }
  {
    const char* const w[] = {N0, N1, N2, N4, NULL};
    expect_matcher(VME_MATCH_NRE, "path", "ab.*", R_MIN, R_MAX, w);
  }
}

static void check_metric_name(void) {
  const char* const ups[] = {N0, N1, N2, NULL};
  const char* const reqs[] = {N3, N4, N5, NULL};
  expect_matcher(VME_MATCH_EQ, "__name__", "up", R_MIN, R_MAX, ups);
  expect_selector("up", R_MIN, R_MAX, ups, 9);
  expect_selector("{__name__=\"up\"}", R_MIN, R_MAX, ups, 9);
  expect_matcher(VME_MATCH_RE, "__name__", "req.*", R_MIN, R_MAX, reqs);
  expect_selector("{__name__=~\"req.*\"}", R_MIN, R_MAX, reqs, 9);
  expect_matcher(VME_MATCH_NEQ, "__name__", "up", R_MIN, R_MAX, reqs);
  expect_matcher(VME_MATCH_RE, "__name__", "re", R_MIN, R_MAX, (const char* const[]){NULL});
  {
    const char* const w[] = {N1, NULL};
    expect_selector("up{job=\"node\",instance!=\"h1\"}", R_MIN, R_MAX, w, 3);
  }
  {
    const char* const w[] = {N5, NULL};
    expect_selector("requests{path=\"abd\"}", R_MIN, R_MAX, w, 3);
  }
  {
    const char* const w[] = {NSPAN, NCOL, NULL};
    expect_matcher(VME_MATCH_NRE, "__name__", "up|requests", 0, INT64_MAX, w);
  }
  {
    const char* const all[] = {N0, N1, N2, N3, N4, N5, NSPAN, NCOL, NULL};
    expect_selector("{__name__=~\".+\"}", 0, INT64_MAX, all, 18 + 2 + 5);
    /* A query without matchers matches every series. */
    vme_query* q = vme_query_create(0, INT64_MAX);
    expect_series(q, "no matchers", all, 25);
    vme_query_destroy(q);
  }
}

static void check_time_ranges(void) {
  const char* const six[] = {N0, N1, N2, N3, N4, N5, NULL};
  const char* const none[] = {NULL};
  const char* sel = "{__name__=~\"up|requests\"}";
  expect_selector(sel, R_MIN, R_MAX, six, 18);
  expect_selector(sel, T0 + 60000, T0 + 60000, six, 6);
  expect_selector(sel, T0 + 60000, T0 + 120000, six, 12);
  expect_selector(sel, T0 + 1, T0 + 119999, six, 6);
  expect_selector(sel, T0 - 1000, T0, six, 6);
  expect_selector(sel, T0 + 120000, T0 + 130000, six, 6);
  expect_selector(sel, T0 - 1000, T0 - 1, none, 0);
  expect_selector(sel, T0 + 120001, T0 + 199999, none, 0);
  expect_selector(sel, T0 + 1, T0 + 59999, none, 0);
  {
    /* Exact samples at a single-point range. */
    vme_query* q = vme_query_create(T0 + 60000, T0 + 60000);
    vme_series_iter* it = NULL;
    vme_status st;
    size_t n = 0;
    CHECK_OK(vme_query_add_selector(q, "{job=\"api\"}", ERR));
    CHECK_OK(vme_search(g_db, q, &it, ERR));
    while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
      const int64_t* ts;
      const double* vs;
      const char* name = vme_series_iter_name(it);
      double want = strcmp(name, N2) == 0 ? 21 : strcmp(name, N3) == 0 ? 31 : 41;
      REQUIRE_EQ_INT(vme_series_iter_samples(it, &ts, &vs), 1);
      REQUIRE(ts[0] == T0 + 60000);
      if (vs[0] != want) FAIL("%s: value %g, want %g", name, vs[0], want);
      n++;
    }
    REQUIRE_EQ_INT(st, VME_DONE);
    REQUIRE_EQ_INT(n, 3);
    vme_series_iter_close(it);
    /* vme_query_set_time_range changes the range of an existing query. */
    CHECK_OK(vme_query_set_time_range(q, T0 - 1000, T0 - 1, ERR));
    expect_series(q, "after set_time_range", none, 0);
    CHECK_OK(vme_query_set_time_range(q, R_MIN, R_MAX, ERR));
    expect_series(q, "after set_time_range 2", (const char* const[]){N2, N3, N4, NULL}, 9);
    vme_query_destroy(q);
  }
}

static void check_partitions(void) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_series_iter* it = NULL;
  const int64_t* ts;
  const double* vs;
  CHECK_OK(vme_query_add_selector(q, "span_metric", ERR));
  CHECK_OK(vme_search(g_db, q, &it, ERR));
  CHECK_OK(vme_series_iter_next(it, ERR));
  REQUIRE_EQ_STR(vme_series_iter_name(it), NSPAN);
  REQUIRE_EQ_INT(vme_series_iter_samples(it, &ts, &vs), 2);
  REQUIRE(ts[0] == JAN_LAST && ts[1] == FEB_FIRST);
  REQUIRE(vs[0] == 1 && vs[1] == 2);
  REQUIRE_EQ_INT(vme_series_iter_next(it, NULL), VME_DONE);
  vme_series_iter_close(it);
  {
    const char* const w[] = {NSPAN, NULL};
    const char* const none[] = {NULL};
    expect_selector("span_metric", FEB_FIRST, FEB_FIRST, w, 1);
    expect_selector("span_metric", JAN_LAST, JAN_LAST, w, 1);
    expect_selector("span_metric", JAN_LAST - 5, FEB_FIRST + 5, w, 2);
    expect_selector("span_metric", FEB_FIRST + 1, INT64_MAX, none, 0);
    expect_selector("span_metric", 0, JAN_LAST - 1, none, 0);
  }
  vme_query_destroy(q);
}

static void check_columnar(void) {
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_series_iter* it = NULL;
  const int64_t* ts;
  const double* vs;
  size_t i;
  CHECK_OK(vme_query_add_selector(q, "col_metric{kind=\"col\"}", ERR));
  CHECK_OK(vme_search(g_db, q, &it, ERR));
  CHECK_OK(vme_series_iter_next(it, ERR));
  REQUIRE_EQ_STR(vme_series_iter_name(it), NCOL);
  REQUIRE_EQ_INT(vme_series_iter_samples(it, &ts, &vs), 5);
  for (i = 0; i < 5; i++) {
    REQUIRE(ts[i] == T0 + 200000 + (int64_t)i * 1000);
    if (vs[i] != kColValues[i]) FAIL("col sample %u: %g", (unsigned)i, vs[i]);
  }
  REQUIRE_EQ_INT(vme_series_iter_next(it, NULL), VME_DONE);
  vme_series_iter_close(it);
  vme_query_destroy(q);
}

/* The packed key of the current series: __name__ first, then the canonical tag order. */
static void check_keys(void) {
  vme_query* q = vme_query_create(R_MIN, R_MAX);
  vme_series_iter* it = NULL;
  vme_status st;
  int seen = 0;
  keybuf want0 = {0}, want3 = {0};
  static const char* const k0[] = {"__name__", "up", "job", "node", "instance", "h1", NULL};
  static const char* const k3[] = {"__name__", "requests", "job", "api", "foo",
                                   "y",        "path",     "abc", NULL};
  build_key(&want0, k0);
  build_key(&want3, k3);
  CHECK_OK(vme_search(g_db, q, &it, ERR));
  while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
    const uint8_t* key = NULL;
    size_t len = 0;
    const char* name = vme_series_iter_name(it);
    keybuf* want = strcmp(name, N0) == 0 ? &want0 : strcmp(name, N3) == 0 ? &want3 : NULL;
    vme_series_iter_key(it, &key, &len);
    REQUIRE(key != NULL);
    REQUIRE(len > 0);
    if (want != NULL) {
      if (len != want->len || memcmp(key, want->p, len) != 0) {
        FAIL("packed key of %s differs from the canonical form", name);
      }
      seen++;
    }
  }
  REQUIRE_EQ_INT(st, VME_DONE);
  REQUIRE_EQ_INT(seen, 2);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  kb_free(&want0);
  kb_free(&want3);
}

static void check_label_lists(void) {
  vme_strlist* list = NULL;
  vme_query* q;
  {
    const char* const w[] = {"__name__", "foo", "instance", "job", "kind", "path", NULL};
    CHECK_OK(vme_label_names(g_db, NULL, &list, ERR));
    expect_list(list, "label_names(NULL)", w);
  }
  {
    const char* const w[] = {"__name__", "foo", "instance", "job", NULL};
    q = vme_query_create(R_MIN, R_MAX);
    CHECK_OK(vme_query_add_selector(q, "{job=\"node\"}", ERR));
    CHECK_OK(vme_label_names(g_db, q, &list, ERR));
    expect_list(list, "label_names({job=node})", w);
    vme_query_destroy(q);
  }
  {
    const char* const w[] = {"api", "node", "web", NULL};
    CHECK_OK(vme_label_values(g_db, "job", 3, NULL, &list, ERR));
    expect_list(list, "label_values(job)", w);
  }
  {
    const char* const w[] = {"col_metric", "requests", "span_metric", "up", NULL};
    CHECK_OK(vme_label_values(g_db, "__name__", 8, NULL, &list, ERR));
    expect_list(list, "label_values(__name__)", w);
  }
  {
    const char* const w[] = {"x", "y", NULL};
    CHECK_OK(vme_label_values(g_db, "foo", 3, NULL, &list, ERR));
    expect_list(list, "label_values(foo)", w);
  }
  {
    const char* const w[] = {NULL};
    CHECK_OK(vme_label_values(g_db, "nosuchlabel", 11, NULL, &list, ERR));
    expect_list(list, "label_values(nosuchlabel)", w);
  }
  {
    const char* const w[] = {"h1", "h2", NULL};
    q = vme_query_create(R_MIN, R_MAX);
    CHECK_OK(vme_query_add_selector(q, "up", ERR));
    CHECK_OK(vme_label_values(g_db, "instance", 8, q, &list, ERR));
    expect_list(list, "label_values(instance, up)", w);
    vme_query_destroy(q);
  }
  {
    const char* const w[] = {"abc", "xabcx", NULL};
    q = vme_query_create(R_MIN, R_MAX);
    CHECK_OK(vme_query_add_selector(q, "{job=\"api\"}", ERR));
    CHECK_OK(vme_label_values(g_db, "path", 4, q, &list, ERR));
    expect_list(list, "label_values(path, {job=api})", w);
    vme_query_destroy(q);
  }
  {
    const char* const w[] = {"span", NULL};
    q = vme_query_create(FEB_FIRST, FEB_FIRST + 1000);
    CHECK_OK(vme_label_values(g_db, "kind", 4, q, &list, ERR));
    expect_list(list, "label_values(kind, february)", w);
    vme_query_destroy(q);
  }
}

static void check_counts(void) {
  uint64_t n = 0;
  vme_query* q;
  CHECK_OK(vme_series_count(g_db, NULL, &n, ERR));
  REQUIRE_EQ_INT(n, 8);
  q = vme_query_create(R_MIN, R_MAX);
  CHECK_OK(vme_query_add_selector(q, "{job=\"api\"}", ERR));
  CHECK_OK(vme_series_count(g_db, q, &n, ERR));
  REQUIRE_EQ_INT(n, 3);
  vme_query_destroy(q);
  q = vme_query_create(0, INT64_MAX);
  CHECK_OK(vme_query_add_selector(q, "span_metric", ERR));
  CHECK_OK(vme_series_count(g_db, q, &n, ERR));
  REQUIRE_EQ_INT(n, 1);
  vme_query_destroy(q);
  q = vme_query_create(T0 - 1000, T0 - 1);
  CHECK_OK(vme_query_add_selector(q, "up", ERR));
  CHECK_OK(vme_series_count(g_db, q, &n, ERR));
  REQUIRE_EQ_INT(n, 0);
  vme_query_destroy(q);
}

static int find_stat(const vme_stats* st, const char* name, double* value) {
  size_t i, n = vme_stats_count(st);
  for (i = 0; i < n; i++) {
    const char* s = vme_stats_name(st, i);
    REQUIRE(s != NULL);
    if (strcmp(s, name) == 0) {
      *value = vme_stats_value(st, i);
      return 1;
    }
  }
  return 0;
}

static void check_stats(void) {
  vme_stats* st = NULL;
  double v = -1;
  CHECK_OK(vme_stats_get(g_db, &st, ERR));
  REQUIRE(vme_stats_count(st) > 0);
  if (!find_stat(st, "rows", &v)) FAIL("no \"rows\" entry in vme_stats");
  if (v != 25) FAIL("stats rows = %g, want 25", v);
  if (!find_stat(st, "partitions", &v)) FAIL("no \"partitions\" entry in vme_stats");
  if (v != 2) FAIL("stats partitions = %g, want 2", v);
  if (!find_stat(st, "series", &v)) FAIL("no \"series\" entry in vme_stats");
  if (!find_stat(st, "parts", &v)) FAIL("no \"parts\" entry in vme_stats");
  REQUIRE(v >= 2);
  if (!find_stat(st, "data_bytes", &v)) FAIL("no \"data_bytes\" entry in vme_stats");
  REQUIRE(v > 0);
  if (!find_stat(st, "indexdb_bytes", &v)) FAIL("no \"indexdb_bytes\" entry");
  REQUIRE(vme_stats_name(st, vme_stats_count(st)) == NULL);
  vme_stats_free(st);
}

static void check_limit_and_tenant(void) {
  vme_query* q = vme_query_create(R_MIN, R_MAX);
  vme_series_iter* it = NULL;
  vme_error* err = NULL;
  vme_status st;
  CHECK_OK(vme_query_add_selector(q, "up", ERR));
  CHECK_OK(vme_query_set_limit(q, 2, ERR));
  st = vme_search(g_db, q, &it, &err);
  if (st != VME_ERR_LIMIT) FAIL("search over the limit returned %d", (int)st);
  REQUIRE_EQ_INT(vme_error_code(err), VME_ERR_LIMIT);
  vme_error_free(err);
  vme_series_iter_close(it);
  CHECK_OK(vme_query_set_limit(q, 3, ERR));
  expect_series(q, "limit 3", (const char* const[]){N0, N1, N2, NULL}, 9);
  CHECK_OK(vme_query_set_limit(q, 0, ERR));
  expect_series(q, "limit 0", (const char* const[]){N0, N1, N2, NULL}, 9);
  /* Another tenant sees nothing. */
  CHECK_OK(vme_query_set_tenant(q, 1, 1, ERR));
  expect_series(q, "tenant 1:1", (const char* const[]){NULL}, 0);
  CHECK_OK(vme_query_set_tenant(q, 0, 0, ERR));
  expect_series(q, "tenant 0:0", (const char* const[]){N0, N1, N2, NULL}, 9);
  vme_query_destroy(q);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_matchers(void) { check_matchers(); }
static void test_empty_label_semantics(void) { check_empty_label_semantics(); }
static void test_regex_anchoring(void) { check_regex_anchoring(); }
static void test_metric_name(void) { check_metric_name(); }
static void test_time_ranges(void) { check_time_ranges(); }
static void test_partitions(void) { check_partitions(); }
static void test_columnar(void) { check_columnar(); }
static void test_keys(void) { check_keys(); }
static void test_label_lists(void) { check_label_lists(); }
static void test_counts(void) { check_counts(); }
static void test_stats(void) { check_stats(); }
static void test_limit_and_tenant(void) { check_limit_and_tenant(); }

static void test_same_after_reopen(void) {
  CHECK_OK(vme_close(g_db, ERR));
  g_db = NULL;
  CHECK_OK(vme_open(g_dir, NULL, &g_db, ERR));
  check_matchers();
  check_empty_label_semantics();
  check_regex_anchoring();
  check_metric_name();
  check_time_ranges();
  check_partitions();
  check_columnar();
  check_keys();
  check_label_lists();
  check_counts();
  check_stats();
  check_limit_and_tenant();
}

int main(int argc, char** argv) {
  static const vme_test_case tests[] = {
      VME_TEST(test_matchers),
      VME_TEST(test_empty_label_semantics),
      VME_TEST(test_regex_anchoring),
      VME_TEST(test_metric_name),
      VME_TEST(test_time_ranges),
      VME_TEST(test_partitions),
      VME_TEST(test_columnar),
      VME_TEST(test_keys),
      VME_TEST(test_label_lists),
      VME_TEST(test_counts),
      VME_TEST(test_stats),
      VME_TEST(test_limit_and_tenant),
      VME_TEST(test_same_after_reopen),
  };
  int rc;
  if (group_setup() != 0) {
    fprintf(stderr, "query_test: cannot create the test database in $TMPDIR\n");
    return 1;
  }
  rc = vme_run_tests(tests, sizeof tests / sizeof tests[0], argc, argv);
  group_teardown();
  return rc;
}
