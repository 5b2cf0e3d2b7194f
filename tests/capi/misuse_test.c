/* C API misuse: NULL arguments, closed handles, malformed input, limits, locking, versions. */
#define _GNU_SOURCE
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_c.h"
#include "temp_dir_c.h"
#include "vmengine.h"

#define T0 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */

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

static void kb_u16(keybuf* kb, size_t v) {
  uint8_t b[2];
  b[0] = (uint8_t)(v >> 8);
  b[1] = (uint8_t)v;
  kb_raw(kb, b, 2);
}

static void kb_label_n(keybuf* kb, const char* name, size_t name_len, const char* value,
                       size_t value_len) {
  kb_u16(kb, name_len);
  kb_raw(kb, name, name_len);
  kb_u16(kb, value_len);
  kb_raw(kb, value, value_len);
}

static void kb_label(keybuf* kb, const char* name, const char* value) {
  kb_label_n(kb, name, strlen(name), value, strlen(value));
}

static void kb_free(keybuf* kb) {
  free(kb->p);
  kb->p = NULL;
  kb->len = kb->cap = 0;
}

static uint64_t dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static double bitsd(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char* make_temp_dir(void) { return vme_test_make_dir("vme_misuse"); }

static void remove_temp_dir(char* dir) {
  if (dir == NULL) return;
  vme_test_remove_tree(dir);
  free(dir);
}

/* Checks a failed call: status, error object code and a non-empty message; frees err. */
static void check_error(vme_status st, vme_error* err, vme_status want, const char* what) {
  if (st != want) {
    FAIL("%s returned %d (%s), want %d (%s); message: %s", what, (int)st, vme_status_string(st),
         (int)want, vme_status_string(want), err ? vme_error_message(err) : "(no error object)");
  }
  if (err == NULL) FAIL("%s: *err was not set", what);
  if (vme_error_code(err) != want) {
    FAIL("%s: vme_error_code = %d, want %d", what, (int)vme_error_code(err), (int)want);
  }
  if (vme_error_message(err) == NULL || vme_error_message(err)[0] == '\0') {
    FAIL("%s: empty error message", what);
  }
  vme_error_free(err);
}

/* Runs EXPR (which must use the identifier E as its vme_error** argument) twice: once with an
 * error out-parameter (checked by check_error) and once with E == NULL. */
#define EXPECT_FAIL(want, expr)                                                    \
  do {                                                                             \
    vme_error* e_ = NULL;                                                          \
    vme_error** E = &e_;                                                           \
    vme_status st_ = (expr);                                                       \
    check_error(st_, e_, (want), #expr);                                           \
    E = NULL;                                                                      \
    st_ = (expr);                                                                  \
    if (st_ != (want)) {                                                           \
      FAIL("%s with err=NULL returned %d, want %d", #expr, (int)st_, (int)(want)); \
    }                                                                              \
  } while (0)

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    vme_error* e_ = NULL;                                                      \
    vme_error** E = &e_;                                                       \
    vme_status st_ = (expr);                                                   \
    if (st_ != VME_OK) {                                                       \
      FAIL("%s returned %d (%s): %s", #expr, (int)st_, vme_status_string(st_), \
           vme_error_message(e_));                                             \
    }                                                                          \
    (void)E;                                                                   \
  } while (0)

static vme_db* open_db(const char* dir, const vme_options* opts) {
  vme_db* db = NULL;
  vme_error* err = NULL;
  vme_status st = vme_open(dir, opts, &db, &err);
  if (st != VME_OK) FAIL("vme_open(%s): %d %s", dir, (int)st, vme_error_message(err));
  REQUIRE(db != NULL);
  return db;
}

static void close_db(vme_db* db) {
  vme_error* err = NULL;
  vme_status st = vme_close(db, &err);
  if (st != VME_OK) FAIL("vme_close: %d %s", (int)st, vme_error_message(err));
}

/* Ends a test: frees its key buffer, closes its db and removes its directory. */
static void finish(keybuf* kb, vme_db* db, char* dir) {
  kb_free(kb);
  close_db(db);
  remove_temp_dir(dir);
}

/* Adds one row for the single-label series name{} */
static vme_add_result add_one(vme_db* db, const char* metric, int64_t ts, double v) {
  keybuf kb = {0};
  uint32_t offs[2];
  vme_add_result r;
  memset(&r, 0, sizeof r);
  kb_label(&kb, "__name__", metric);
  offs[0] = 0;
  offs[1] = (uint32_t)kb.len;
  EXPECT_OK(vme_add_rows(db, kb.p, kb.len, offs, &ts, &v, 1, &r, E));
  kb_free(&kb);
  return r;
}

/* Number of series and samples matched by a selector over [min_ts, max_ts]. */
static size_t count_series(vme_db* db, const char* selector, int64_t min_ts, int64_t max_ts,
                           size_t* samples) {
  vme_query* q = vme_query_create(min_ts, max_ts);
  vme_series_iter* it = NULL;
  size_t n = 0;
  vme_status st;
  REQUIRE(q != NULL);
  EXPECT_OK(vme_query_add_selector(q, selector, E));
  EXPECT_OK(vme_search(db, q, &it, E));
  if (samples) *samples = 0;
  while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
    const int64_t* ts;
    const double* vs;
    size_t k = vme_series_iter_samples(it, &ts, &vs);
    if (samples) *samples += k;
    n++;
  }
  REQUIRE_EQ_INT(st, VME_DONE);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  return n;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_versions(void) {
  char buf[64];
  REQUIRE_EQ_INT(vme_abi_version(), VME_ABI_VERSION);
  REQUIRE(vme_version_string() != NULL);
  REQUIRE_EQ_STR(vme_version_string(), VME_VERSION_STRING);
  REQUIRE_EQ_INT(vme_version_number(), VME_VERSION_NUMBER);
  snprintf(buf, sizeof buf, "%d.%d.%d", VME_VERSION_MAJOR, VME_VERSION_MINOR, VME_VERSION_PATCH);
  REQUIRE_EQ_STR(vme_version_string(), buf);
}

static void test_status_strings(void) {
  const vme_status codes[] = {VME_OK,
                              VME_DONE,
                              VME_ERR_INVALID_ARGUMENT,
                              VME_ERR_NOT_FOUND,
                              VME_ERR_CORRUPTION,
                              VME_ERR_IO,
                              VME_ERR_NO_MEMORY,
                              VME_ERR_CLOSED,
                              VME_ERR_BUSY,
                              VME_ERR_BUFFER_TOO_SMALL,
                              VME_ERR_MISUSE,
                              VME_ERR_INTERNAL,
                              VME_ERR_LOCKED,
                              VME_ERR_LIMIT};
  const size_t n = sizeof codes / sizeof codes[0];
  size_t i, j;
  REQUIRE_EQ_STR(vme_status_string(VME_OK), "OK");
  REQUIRE_EQ_STR(vme_status_string(VME_ERR_INVALID_ARGUMENT), "invalid argument");
  for (i = 0; i < n; i++) {
    const char* s = vme_status_string(codes[i]);
    REQUIRE(s != NULL);
    REQUIRE(strlen(s) > 0);
    for (j = 0; j < i; j++) {
      if (strcmp(s, vme_status_string(codes[j])) == 0) {
        FAIL("codes %d and %d share the name \"%s\"", (int)codes[i], (int)codes[j], s);
      }
    }
  }
  REQUIRE_EQ_STR(vme_status_string(VME_DONE), "done");
  REQUIRE_EQ_STR(vme_status_string(VME_ERR_NO_MEMORY), "out of memory");
  REQUIRE_EQ_STR(vme_status_string(VME_ERR_LIMIT), "limit exceeded");
  REQUIRE_EQ_STR(vme_status_string(-999), "unknown status");
  REQUIRE_EQ_STR(vme_status_string(12345), "unknown status");
}

static void test_null_accessors_and_frees(void) {
  size_t len = 7;
  REQUIRE_EQ_INT(vme_error_code(NULL), VME_OK);
  REQUIRE(vme_error_message(NULL) != NULL);
  REQUIRE_EQ_STR(vme_error_message(NULL), "");
  vme_error_free(NULL);
  vme_free(NULL);
  vme_options_destroy(NULL);
  vme_query_destroy(NULL);
  vme_series_iter_close(NULL);
  vme_strlist_free(NULL);
  vme_stats_free(NULL);
  REQUIRE_EQ_INT(vme_strlist_count(NULL), 0);
  REQUIRE(vme_strlist_get(NULL, 0, &len) == NULL);
  REQUIRE_EQ_INT(vme_stats_count(NULL), 0);
  REQUIRE(vme_stats_name(NULL, 0) == NULL);
  REQUIRE(vme_stats_value(NULL, 0) == 0.0);
  REQUIRE(vme_last_error_message() != NULL);
  REQUIRE_EQ_INT(vme_close(NULL, NULL), VME_OK);
  {
    vme_error* err = NULL;
    REQUIRE_EQ_INT(vme_close(NULL, &err), VME_OK);
    REQUIRE(err == NULL);
  }
}

static void test_options(void) {
  vme_options* o = vme_options_create();
  REQUIRE(o != NULL);
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set_retention_ms(NULL, 1000, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set_tenant(NULL, 1, 2, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set_cache_bytes(NULL, 1 << 24, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set(NULL, "retention_ms", "0", E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set(o, NULL, "0", E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set(o, "retention_ms", NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set_retention_ms(o, -1, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set_cache_bytes(o, 1000, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set(o, "retention_ms", "abc", E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set(o, "retention_ms", "-5", E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_options_set(o, "read_only", "maybe", E));

  /* An unknown key fails and the message names it. */
  {
    vme_error* err = NULL;
    vme_status st = vme_options_set(o, "no_such_option_xyz", "1", &err);
    REQUIRE_EQ_INT(st, VME_ERR_INVALID_ARGUMENT);
    REQUIRE(err != NULL);
    REQUIRE_EQ_INT(vme_error_code(err), VME_ERR_INVALID_ARGUMENT);
    if (strstr(vme_error_message(err), "no_such_option_xyz") == NULL) {
      FAIL("message does not name the key: %s", vme_error_message(err));
    }
    vme_error_free(err);
    REQUIRE_EQ_INT(vme_options_set(o, "no_such_option_xyz", "1", NULL), VME_ERR_INVALID_ARGUMENT);
    /* The thread-local convenience message is set as well. */
    REQUIRE(strlen(vme_last_error_message()) > 0);
  }

  EXPECT_OK(vme_options_set_retention_ms(o, 0, E));
  EXPECT_OK(vme_options_set_retention_ms(o, INT64_C(86400000) * 365, E));
  EXPECT_OK(vme_options_set_tenant(o, 0, 0, E));
  EXPECT_OK(vme_options_set_cache_bytes(o, 1u << 20, E));
  EXPECT_OK(vme_options_set(o, "retention_ms", "0", E));
  EXPECT_OK(vme_options_set(o, "retention", "30d", E));
  EXPECT_OK(vme_options_set(o, "retention", "12h", E));
  EXPECT_OK(vme_options_set(o, "retention", "1y", E));
  EXPECT_OK(vme_options_set(o, "retention", "0", E));
  EXPECT_OK(vme_options_set(o, "account_id", "0", E));
  EXPECT_OK(vme_options_set(o, "project_id", "0", E));
  EXPECT_OK(vme_options_set(o, "cache_bytes", "16777216", E));
  EXPECT_OK(vme_options_set(o, "dedup_interval_ms", "0", E));
  EXPECT_OK(vme_options_set(o, "read_only", "0", E));
  vme_options_destroy(o);
}

static void test_open_null_args(void) {
  char* dir = make_temp_dir();
  vme_db* db = NULL;
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_open(NULL, NULL, &db, E));
  REQUIRE(db == NULL);
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_open(dir, NULL, NULL, E));
  /* The failed opens left no lock behind. */
  db = open_db(dir, NULL);
  close_db(db);
  remove_temp_dir(dir);
}

static void test_null_arguments(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  vme_query* q = vme_query_create(T0, T0 + 1000);
  keybuf kb = {0};
  uint32_t offs[2];
  int64_t ts = T0;
  double v = 1.0;
  vme_series_iter* it = NULL;
  vme_strlist* list = NULL;
  vme_stats* stats = NULL;
  uint64_t count = 0;
  size_t n_out = 0;
  int64_t tsbuf[4];
  double vbuf[4];
  REQUIRE(q != NULL);
  kb_label(&kb, "__name__", "m");
  offs[0] = 0;
  offs[1] = (uint32_t)kb.len;

  /* NULL db. */
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_flush(NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
              vme_add_rows(NULL, kb.p, kb.len, offs, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_series(NULL, kb.p, kb.len, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_search(NULL, q, &it, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_label_names(NULL, NULL, &list, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_label_values(NULL, "job", 3, NULL, &list, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_series_count(NULL, NULL, &count, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_stats_get(NULL, &stats, E));

  /* NULL arrays with n > 0. */
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_rows(db, NULL, kb.len, offs, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_rows(db, kb.p, kb.len, NULL, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_rows(db, kb.p, kb.len, offs, NULL, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
              vme_add_rows(db, kb.p, kb.len, offs, &ts, NULL, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_series(db, NULL, kb.len, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_series(db, kb.p, kb.len, NULL, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_add_series(db, kb.p, kb.len, &ts, NULL, 1, NULL, E));

  /* NULL out-parameters. */
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_search(db, q, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_search(db, NULL, &it, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_label_names(db, NULL, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_label_values(db, "job", 3, NULL, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_label_values(db, NULL, 3, NULL, &list, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_series_count(db, NULL, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_stats_get(db, NULL, E));

  /* Query builder. */
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_set_time_range(NULL, 0, 1, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_set_time_range(q, 10, 9, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
              vme_query_add_matcher(NULL, VME_MATCH_EQ, "job", 3, "a", 1, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_add_matcher(q, VME_MATCH_EQ, NULL, 3, "a", 1, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
              vme_query_add_matcher(q, VME_MATCH_EQ, "job", 3, NULL, 1, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_add_selector(NULL, "up", E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_add_selector(q, NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_set_tenant(NULL, 1, 2, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_query_set_limit(NULL, 10, E));

  /* Iterator. */
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT, vme_series_iter_next(NULL, E));
  EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
              vme_series_iter_copy_samples(NULL, tsbuf, vbuf, 4, &n_out, E));

  /* The db is still usable after all that. */
  {
    vme_add_result r = add_one(db, "m", T0, 1.0);
    REQUIRE_EQ_INT(r.rows_added, 1);
    EXPECT_OK(vme_flush(db, E));
    REQUIRE_EQ_INT(count_series(db, "m", T0, T0, NULL), 1);
    EXPECT_OK(vme_search(db, q, &it, E));
    REQUIRE_EQ_INT(vme_series_iter_next(it, NULL), VME_OK);
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_series_iter_copy_samples(it, tsbuf, vbuf, 4, NULL, E));
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_series_iter_copy_samples(it, NULL, vbuf, 4, &n_out, E));
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_series_iter_copy_samples(it, tsbuf, NULL, 4, &n_out, E));
    vme_series_iter_close(it);
  }

  vme_query_destroy(q);
  finish(&kb, db, dir);
}

static void test_zero_rows_with_null_arrays(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  vme_add_result r;
  memset(&r, 0xff, sizeof r);
  EXPECT_OK(vme_add_rows(db, NULL, 0, NULL, NULL, NULL, 0, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 0);
  REQUIRE_EQ_INT(r.rejected_invalid_labels, 0);
  EXPECT_OK(vme_add_rows(db, NULL, 0, NULL, NULL, NULL, 0, NULL, E));
  close_db(db);
  remove_temp_dir(dir);
}

static void test_double_close_and_closed_db(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  vme_query* q = vme_query_create(0, INT64_MAX);
  keybuf kb = {0};
  uint32_t offs[2];
  int64_t ts = T0;
  double v = 1.0;
  vme_series_iter* it = NULL;
  vme_strlist* list = NULL;
  vme_stats* stats = NULL;
  uint64_t count = 0;
  kb_label(&kb, "__name__", "m");
  offs[0] = 0;
  offs[1] = (uint32_t)kb.len;
  add_one(db, "m", T0, 1.0);
  close_db(db);

  EXPECT_FAIL(VME_ERR_CLOSED, vme_close(db, E));
  EXPECT_FAIL(VME_ERR_CLOSED, vme_flush(db, E));
  EXPECT_FAIL(VME_ERR_CLOSED, vme_add_rows(db, kb.p, kb.len, offs, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_CLOSED, vme_add_series(db, kb.p, kb.len, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_CLOSED, vme_search(db, q, &it, E));
  vme_series_iter_close(it);
  EXPECT_FAIL(VME_ERR_CLOSED, vme_label_names(db, NULL, &list, E));
  EXPECT_FAIL(VME_ERR_CLOSED, vme_label_values(db, "__name__", 8, NULL, &list, E));
  vme_strlist_free(list);
  EXPECT_FAIL(VME_ERR_CLOSED, vme_series_count(db, NULL, &count, E));
  EXPECT_FAIL(VME_ERR_CLOSED, vme_stats_get(db, &stats, E));
  vme_stats_free(stats);

  /* The close made the row durable and released the lock. */
  db = open_db(dir, NULL);
  REQUIRE_EQ_INT(count_series(db, "m", 0, INT64_MAX, NULL), 1);
  close_db(db);

  vme_query_destroy(q);
  kb_free(&kb);
  remove_temp_dir(dir);
}

static void test_iterator_after_db_close(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_series_iter* it = NULL;
  add_one(db, "a_metric", T0, 1.0);
  add_one(db, "b_metric", T0, 2.0);
  add_one(db, "c_metric", T0, 3.0);
  EXPECT_OK(vme_flush(db, E));
  EXPECT_OK(vme_query_add_selector(q, "{__name__=~\".+\"}", E));
  EXPECT_OK(vme_search(db, q, &it, E));
  REQUIRE(it != NULL);
  EXPECT_OK(vme_series_iter_next(it, E));
  close_db(db);
  EXPECT_FAIL(VME_ERR_CLOSED, vme_series_iter_next(it, E));
  vme_series_iter_close(it);

  /* An iterator that never advanced behaves the same. */
  db = open_db(dir, NULL);
  it = NULL;
  EXPECT_OK(vme_search(db, q, &it, E));
  close_db(db);
  EXPECT_FAIL(VME_ERR_CLOSED, vme_series_iter_next(it, E));
  vme_series_iter_close(it);

  vme_query_destroy(q);
  remove_temp_dir(dir);
}

static void test_bad_selectors_and_regexes(void) {
  const char* bad[] = {
      "foo{bar=}",     "{", "foo{a=\"b\"", "foo{a=~\"(\"}",        "{a=\"b\"}}", "foo{=\"b\"}",
      "foo{a!!\"b\"}", "",  "foo bar",     "foo{a=\"b\",,c=\"d\"}"};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    vme_query* q = vme_query_create(0, INT64_MAX);
    vme_error* err = NULL;
    vme_status st = vme_query_add_selector(q, bad[i], &err);
    char what[128];
    snprintf(what, sizeof what, "vme_query_add_selector(`%s`)", bad[i]);
    check_error(st, err, VME_ERR_INVALID_ARGUMENT, what);
    REQUIRE_EQ_INT(vme_query_add_selector(q, bad[i], NULL), VME_ERR_INVALID_ARGUMENT);
    vme_query_destroy(q);
  }
  {
    vme_query* q = vme_query_create(0, INT64_MAX);
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_query_add_matcher(q, VME_MATCH_RE, "job", 3, "(", 1, E));
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_query_add_matcher(q, VME_MATCH_NRE, "job", 3, "a[", 2, E));
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_query_add_matcher(q, (vme_match_type)17, "job", 3, "a", 1, E));
    /* Good ones still work. */
    EXPECT_OK(vme_query_add_selector(q, "up", E));
    EXPECT_OK(vme_query_add_selector(q, "{job=\"a\"}", E));
    EXPECT_OK(
        vme_query_add_selector(q, "node_cpu_seconds_total{mode=~\"idle|user\",cpu!=\"0\"}", E));
    EXPECT_OK(vme_query_add_matcher(q, VME_MATCH_RE, "job", 3, "a.*", 3, E));
    vme_query_destroy(q);
  }
}

/* Rows 0-5 of test_label_limits: a metric name plus a long label name (name_len bytes), a long
 * value (value_len bytes) or extra_labels labels l00, l01, ... */
typedef struct limit_case {
  const char* metric;
  size_t name_len;
  size_t value_len;
  int extra_labels;
} limit_case;

static const limit_case kLimitCases[6] = {
    {"lim_ok_name", 256, 0, 0},     /* label name of 256 bytes: accepted */
    {"lim_ok_value", 0, 16384, 0},  /* label value of 16384 bytes: accepted */
    {"lim_ok_count", 0, 0, 29},     /* 30 labels including __name__: accepted */
    {"lim_bad_name", 257, 0, 0},    /* label name of 257 bytes: rejected */
    {"lim_bad_value", 0, 16385, 0}, /* label value of 16385 bytes: rejected */
    {"lim_bad_count", 0, 0, 30},    /* 31 labels including __name__: rejected */
};

static void test_label_limits(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  keybuf kb = {0};
  uint32_t offs[8];
  int64_t ts[7];
  double vals[7];
  char* big_name = (char*)malloc(258);
  char* big_value = (char*)malloc(16386);
  vme_add_result r;
  uint64_t count = 0;
  int i;
  memset(big_name, 'n', 257);
  big_name[257] = '\0';
  memset(big_value, 'v', 16385);
  big_value[16385] = '\0';

  offs[0] = 0;
  for (i = 0; i < 6; i++) {
    const limit_case* c = &kLimitCases[i];
    int j;
    kb_label(&kb, "__name__", c->metric);
    if (c->name_len > 0) kb_label_n(&kb, big_name, c->name_len, "x", 1);
    if (c->value_len > 0) kb_label_n(&kb, "big", 3, big_value, c->value_len);
    for (j = 0; j < c->extra_labels; j++) {
      char name[16];
      snprintf(name, sizeof name, "l%02d", j);
      kb_label(&kb, name, "v");
    }
    offs[i + 1] = (uint32_t)kb.len;
  }
  /* 6: no metric name: rejected. */
  kb_label(&kb, "job", "lim_bad_noname");
  offs[7] = (uint32_t)kb.len;
  for (i = 0; i < 7; i++) {
    ts[i] = T0 + i;
    vals[i] = i;
  }
  memset(&r, 0, sizeof r);
  EXPECT_OK(vme_add_rows(db, kb.p, kb.len, offs, ts, vals, 7, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 3);
  REQUIRE_EQ_INT(r.rejected_invalid_labels, 4);
  REQUIRE_EQ_INT(r.rejected_nan, 0);
  EXPECT_OK(vme_flush(db, E));
  EXPECT_OK(vme_series_count(db, NULL, &count, E));
  REQUIRE_EQ_INT(count, 3);
  REQUIRE_EQ_INT(count_series(db, "{__name__=~\"lim_ok.*\"}", 0, INT64_MAX, NULL), 3);
  REQUIRE_EQ_INT(count_series(db, "{__name__=~\"lim_bad.*\"}", 0, INT64_MAX, NULL), 0);
  REQUIRE_EQ_INT(count_series(db, "{job=\"lim_bad_noname\"}", 0, INT64_MAX, NULL), 0);

  /* The columnar path applies the same limits. */
  {
    keybuf k2 = {0};
    int64_t t = T0 + 100;
    double v = 1;
    kb_label(&k2, "__name__", "lim_bad_series");
    kb_label_n(&k2, big_name, 257, "x", 1);
    memset(&r, 0, sizeof r);
    EXPECT_OK(vme_add_series(db, k2.p, k2.len, &t, &v, 1, &r, E));
    REQUIRE_EQ_INT(r.rows_added, 0);
    REQUIRE_EQ_INT(r.rejected_invalid_labels, 1);
    kb_free(&k2);
  }
  free(big_name);
  free(big_value);
  finish(&kb, db, dir);
}

static void test_malformed_keys_and_offsets(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  keybuf kb = {0};
  uint32_t offs[5];
  int64_t ts[4] = {T0, T0 + 1, T0 + 2, T0 + 3};
  double vals[4] = {1, 2, 3, 4};
  vme_add_result r;
  uint64_t count = 0;
  static const uint8_t truncated_len[] = {0x00};
  static const uint8_t truncated_value[] = {0x00, 0x08, '_',  '_',  'n', 'a', 'm', 'e',
                                            '_',  '_',  0x00, 0x0a, 'a', 'b', 'c'};
  offs[0] = 0;
  kb_label(&kb, "__name__", "mk_ok");
  offs[1] = (uint32_t)kb.len;
  kb_raw(&kb, truncated_len, sizeof truncated_len);
  offs[2] = (uint32_t)kb.len;
  kb_raw(&kb, truncated_value, sizeof truncated_value);
  offs[3] = (uint32_t)kb.len;
  offs[4] = (uint32_t)kb.len; /* empty key: no metric name */
  memset(&r, 0, sizeof r);
  EXPECT_OK(vme_add_rows(db, kb.p, kb.len, offs, ts, vals, 4, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 1);
  REQUIRE_EQ_INT(r.rejected_invalid_labels, 3);

  /* Offsets out of order or past keys_len: the whole call is refused. */
  {
    uint32_t bad1[3];
    uint32_t bad2[2];
    uint32_t bad3[2];
    bad1[0] = 0;
    bad1[1] = offs[1] + 1;
    bad1[2] = offs[1];
    bad2[0] = 0;
    bad2[1] = (uint32_t)kb.len + 1;
    bad3[0] = offs[1] + 1;
    bad3[1] = offs[1];
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_add_rows(db, kb.p, kb.len, bad1, ts, vals, 2, NULL, E));
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_add_rows(db, kb.p, kb.len, bad2, ts, vals, 1, NULL, E));
    EXPECT_FAIL(VME_ERR_INVALID_ARGUMENT,
                vme_add_rows(db, kb.p, kb.len, bad3, ts, vals, 1, NULL, E));
  }
  /* A malformed columnar key is counted, not an error. */
  memset(&r, 0, sizeof r);
  EXPECT_OK(vme_add_series(db, truncated_value, sizeof truncated_value, ts, vals, 4, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 0);
  REQUIRE_EQ_INT(r.rejected_invalid_labels, 4);

  EXPECT_OK(vme_flush(db, E));
  EXPECT_OK(vme_series_count(db, NULL, &count, E));
  REQUIRE_EQ_INT(count, 1);
  {
    size_t samples = 0;
    REQUIRE_EQ_INT(count_series(db, "{__name__=~\".+\"}", 0, INT64_MAX, &samples), 1);
    REQUIRE_EQ_INT(samples, 1);
  }
  finish(&kb, db, dir);
}

static void test_second_open_locked(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  vme_db* db2 = NULL;
  vme_error* err = NULL;
  vme_status st;
  st = vme_open(dir, NULL, &db2, &err);
  if (st != VME_ERR_LOCKED) {
    FAIL("second vme_open returned %d (%s), want VME_ERR_LOCKED", (int)st, vme_error_message(err));
  }
  REQUIRE(db2 == NULL);
  REQUIRE(err != NULL);
  REQUIRE_EQ_INT(vme_error_code(err), VME_ERR_LOCKED);
  if (strstr(vme_error_message(err), "flock.lock") == NULL) {
    FAIL("message does not name flock.lock: %s", vme_error_message(err));
  }
  vme_error_free(err);
  REQUIRE_EQ_INT(vme_open(dir, NULL, &db2, NULL), VME_ERR_LOCKED);
  REQUIRE(db2 == NULL);
  close_db(db);
  db2 = open_db(dir, NULL);
  close_db(db2);
  remove_temp_dir(dir);
}

static void test_nan_and_staleness(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  keybuf kb = {0};
  int64_t ts[5] = {T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000};
  double vals[5];
  vme_add_result r;
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_series_iter* it = NULL;
  const int64_t* ots;
  const double* ovs;
  size_t n;
  vals[0] = NAN;
  vals[1] = bitsd(UINT64_C(0x7ff0000000000002)); /* Prometheus staleness marker */
  vals[2] = bitsd(UINT64_C(0x7ff8000000000001));
  vals[3] = 1.5;
  vals[4] = INFINITY;
  kb_label(&kb, "__name__", "nan_metric");
  kb_label(&kb, "job", "j");
  memset(&r, 0, sizeof r);
  EXPECT_OK(vme_add_series(db, kb.p, kb.len, ts, vals, 5, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 3);
  REQUIRE_EQ_INT(r.rejected_nan, 2);
  REQUIRE_EQ_INT(r.rejected_invalid_labels, 0);
  EXPECT_OK(vme_flush(db, E));

  EXPECT_OK(vme_query_add_selector(q, "nan_metric", E));
  EXPECT_OK(vme_search(db, q, &it, E));
  EXPECT_OK(vme_series_iter_next(it, E));
  n = vme_series_iter_samples(it, &ots, &ovs);
  REQUIRE_EQ_INT(n, 3);
  REQUIRE(ots[0] == T0 + 1000);
  REQUIRE(dbits(ovs[0]) == UINT64_C(0x7ff0000000000002));
  REQUIRE(ots[1] == T0 + 3000);
  REQUIRE(ovs[1] == 1.5);
  REQUIRE(ots[2] == T0 + 4000);
  REQUIRE(dbits(ovs[2]) == UINT64_C(0x7ff0000000000000));
  REQUIRE_EQ_INT(vme_series_iter_next(it, NULL), VME_DONE);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  finish(&kb, db, dir);
}

static void test_retention_and_timestamps(void) {
  char* dir = make_temp_dir();
  vme_options* o = vme_options_create();
  vme_db* db;
  keybuf kb = {0};
  const int64_t day = INT64_C(86400000);
  const int64_t now = now_ms();
  int64_t ts[4];
  double vals[4] = {1, 2, 3, 4};
  vme_add_result r;
  size_t samples = 0;
  EXPECT_OK(vme_options_set_retention_ms(o, day, E));
  db = open_db(dir, o);
  vme_options_destroy(o);
  ts[0] = now - 3 * day;     /* out of retention */
  ts[1] = now - 3600 * 1000; /* kept */
  ts[2] = now + 3 * day;     /* too far in the future */
  ts[3] = now + 3600 * 1000; /* kept */
  kb_label(&kb, "__name__", "ret_metric");
  memset(&r, 0, sizeof r);
  EXPECT_OK(vme_add_series(db, kb.p, kb.len, ts, vals, 4, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 2);
  REQUIRE_EQ_INT(r.rejected_out_of_retention, 1);
  REQUIRE_EQ_INT(r.rejected_too_far_future, 1);
  EXPECT_OK(vme_flush(db, E));
  REQUIRE_EQ_INT(count_series(db, "ret_metric", 0, INT64_MAX, &samples), 1);
  REQUIRE_EQ_INT(samples, 2);
  close_db(db);
  remove_temp_dir(dir);

  /* Negative timestamps are invalid whatever the retention. */
  dir = make_temp_dir();
  db = open_db(dir, NULL);
  ts[0] = -5;
  ts[1] = T0;
  memset(&r, 0, sizeof r);
  EXPECT_OK(vme_add_series(db, kb.p, kb.len, ts, vals, 2, &r, E));
  REQUIRE_EQ_INT(r.rows_added, 1);
  REQUIRE_EQ_INT(r.rejected_invalid_timestamp, 1);
  finish(&kb, db, dir);
}

static void test_copy_samples_buffer(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  keybuf kb = {0};
  int64_t ts[3] = {T0, T0 + 10, T0 + 20};
  double vals[3] = {1.25, 2.5, 3.75};
  int64_t tsbuf[3] = {-1, -1, -1};
  double vbuf[3] = {-1, -1, -1};
  size_t n_out = 0;
  vme_query* q = vme_query_create(0, INT64_MAX);
  vme_series_iter* it = NULL;
  const uint8_t* key = (const uint8_t*)"x";
  size_t key_len = 99;
  kb_label(&kb, "__name__", "copy_metric");
  EXPECT_OK(vme_add_series(db, kb.p, kb.len, ts, vals, 3, NULL, E));
  EXPECT_OK(vme_flush(db, E));
  EXPECT_OK(vme_query_add_selector(q, "copy_metric", E));
  EXPECT_OK(vme_search(db, q, &it, E));

  /* Before the first next there is no current series. */
  vme_series_iter_key(it, &key, &key_len);
  REQUIRE(key == NULL);
  REQUIRE_EQ_INT(key_len, 0);
  REQUIRE_EQ_STR(vme_series_iter_name(it), "");
  {
    const int64_t* t = NULL;
    const double* v = NULL;
    REQUIRE_EQ_INT(vme_series_iter_samples(it, &t, &v), 0);
  }

  EXPECT_OK(vme_series_iter_next(it, E));
  {
    vme_error* err = NULL;
    vme_status st = vme_series_iter_copy_samples(it, tsbuf, vbuf, 2, &n_out, &err);
    check_error(st, err, VME_ERR_BUFFER_TOO_SMALL, "copy_samples(cap=2)");
    REQUIRE_EQ_INT(n_out, 3);
    REQUIRE(tsbuf[0] == -1 && vbuf[0] == -1); /* nothing copied */
    n_out = 0;
    REQUIRE_EQ_INT(vme_series_iter_copy_samples(it, tsbuf, vbuf, 2, &n_out, NULL),
                   VME_ERR_BUFFER_TOO_SMALL);
    REQUIRE_EQ_INT(n_out, 3);
    n_out = 0;
    REQUIRE_EQ_INT(vme_series_iter_copy_samples(it, NULL, NULL, 0, &n_out, NULL),
                   VME_ERR_BUFFER_TOO_SMALL);
    REQUIRE_EQ_INT(n_out, 3);
  }
  EXPECT_OK(vme_series_iter_copy_samples(it, tsbuf, vbuf, 3, &n_out, E));
  REQUIRE_EQ_INT(n_out, 3);
  REQUIRE(tsbuf[0] == T0 && tsbuf[1] == T0 + 10 && tsbuf[2] == T0 + 20);
  REQUIRE(vbuf[0] == 1.25 && vbuf[1] == 2.5 && vbuf[2] == 3.75);
  REQUIRE_EQ_INT(vme_series_iter_next(it, NULL), VME_DONE);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  finish(&kb, db, dir);
}

static void test_read_only(void) {
  char* dir = make_temp_dir();
  vme_db* db = open_db(dir, NULL);
  vme_options* o = vme_options_create();
  keybuf kb = {0};
  uint32_t offs[2];
  int64_t ts = T0;
  double v = 7;
  add_one(db, "ro_metric", T0, 7);
  close_db(db);
  EXPECT_OK(vme_options_set(o, "read_only", "1", E));
  db = open_db(dir, o);
  vme_options_destroy(o);
  kb_label(&kb, "__name__", "ro_metric");
  offs[0] = 0;
  offs[1] = (uint32_t)kb.len;
  EXPECT_FAIL(VME_ERR_MISUSE, vme_add_rows(db, kb.p, kb.len, offs, &ts, &v, 1, NULL, E));
  EXPECT_FAIL(VME_ERR_MISUSE, vme_add_series(db, kb.p, kb.len, &ts, &v, 1, NULL, E));
  REQUIRE_EQ_INT(count_series(db, "ro_metric", 0, INT64_MAX, NULL), 1);
  finish(&kb, db, dir);
}

int main(int argc, char** argv) {
  static const vme_test_case tests[] = {
      VME_TEST(test_versions),
      VME_TEST(test_status_strings),
      VME_TEST(test_null_accessors_and_frees),
      VME_TEST(test_options),
      VME_TEST(test_open_null_args),
      VME_TEST(test_null_arguments),
      VME_TEST(test_zero_rows_with_null_arrays),
      VME_TEST(test_double_close_and_closed_db),
      VME_TEST(test_iterator_after_db_close),
      VME_TEST(test_bad_selectors_and_regexes),
      VME_TEST(test_label_limits),
      VME_TEST(test_malformed_keys_and_offsets),
      VME_TEST(test_second_open_locked),
      VME_TEST(test_nan_and_staleness),
      VME_TEST(test_retention_and_timestamps),
      VME_TEST(test_copy_samples_buffer),
      VME_TEST(test_read_only),
  };
  int rc = vme_run_tests(tests, sizeof tests / sizeof tests[0], argc, argv);
  vme_library_shutdown();
  return rc;
}
