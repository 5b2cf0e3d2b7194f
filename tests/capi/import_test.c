/* vme_import_prometheus and vme_import_prometheus_file: the real node_exporter capture
 * (zstd), text in memory, strict and lenient handling of malformed lines with their line
 * numbers, engine rejections counted, too-long lines, every argument and handle error, and
 * zstd input that is cut or malformed (the rows before the damage stay stored). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_c.h"
#include "temp_dir_c.h"
#include "vmengine.h"

#define CAPTURE VME_EXAMPLES_DATA_DIR "/node_exporter_1s_1200.prom.zst"
#define CAPTURE_FIRST_TS INT64_C(1795236062122)
#define CAPTURE_LAST_TS INT64_C(1795237280961)
#define T0 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define ALL_MIN INT64_C(0)
#define ALL_MAX INT64_C(4102444800000) /* 2100-01-01 */

static char* g_dir;

/* ---- helpers ----------------------------------------------------------------------------- */

static char* make_temp_dir(void) { return vme_test_make_dir("vme_import"); }

static void setup(void) { g_dir = make_temp_dir(); }

static void teardown(void) {
  vme_test_remove_tree(g_dir);
  free(g_dir);
  g_dir = NULL;
}

/* g_dir/name, in a static buffer (one at a time per slot). */
static const char* path_in_dir(const char* name, int slot) {
  static char buf[4][4096];
  snprintf(buf[slot], sizeof buf[slot], "%s/%s", g_dir, name);
  return buf[slot];
}

/* Opens a db that keeps everything (retention 0) at g_dir/name. */
static vme_db* open_db(const char* name, int read_only) {
  vme_options* o = vme_options_create();
  vme_db* db = NULL;
  vme_error* err = NULL;
  REQUIRE(o != NULL);
  REQUIRE(vme_options_set_retention_ms(o, 0, NULL) == VME_OK);
  if (read_only) REQUIRE(vme_options_set(o, "read_only", "1", NULL) == VME_OK);
  if (vme_open(path_in_dir(name, 0), o, &db, &err) != VME_OK)
    FAIL("vme_open: %s", vme_error_message(err));
  vme_options_destroy(o);
  return db;
}

static void close_db(vme_db* db) { REQUIRE(vme_close(db, NULL) == VME_OK); }

static void write_file(const char* path, const void* data, size_t len) {
  FILE* f = fopen(path, "wb");
  REQUIRE_MSG(f != NULL, "fopen(%s)", path);
  REQUIRE(fwrite(data, 1, len, f) == len);
  REQUIRE(fclose(f) == 0);
}

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  char* p;
  long n;
  REQUIRE_MSG(f != NULL, "fopen(%s)", path);
  REQUIRE(fseek(f, 0, SEEK_END) == 0);
  n = ftell(f);
  REQUIRE(n > 0);
  REQUIRE(fseek(f, 0, SEEK_SET) == 0);
  p = (char*)malloc((size_t)n);
  REQUIRE(p != NULL);
  REQUIRE(fread(p, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return p;
}

/* Number of series and samples matching selector. */
static void count(vme_db* db, const char* selector, uint64_t* series, uint64_t* samples) {
  vme_query* q = vme_query_create(ALL_MIN, ALL_MAX);
  vme_series_iter* it = NULL;
  vme_error* err = NULL;
  vme_status st;
  REQUIRE(q != NULL);
  if (selector != NULL && vme_query_add_selector(q, selector, &err) != VME_OK)
    FAIL("selector %s: %s", selector, vme_error_message(err));
  if (vme_search(db, q, &it, &err) != VME_OK) FAIL("vme_search: %s", vme_error_message(err));
  *series = 0;
  *samples = 0;
  while ((st = vme_series_iter_next(it, NULL)) == VME_OK) {
    const int64_t* ts;
    const double* values;
    ++*series;
    *samples += vme_series_iter_samples(it, &ts, &values);
  }
  REQUIRE_EQ_INT(st, VME_DONE);
  vme_series_iter_close(it);
  vme_query_destroy(q);
}

/* The samples of the one series matching selector: checks there is exactly one, with n
 * samples, and returns sample i's timestamp and value. */
static void sample_of(vme_db* db, const char* selector, size_t want_n, size_t i, int64_t* ts_out,
                      double* value_out) {
  vme_query* q = vme_query_create(ALL_MIN, ALL_MAX);
  vme_series_iter* it = NULL;
  vme_error* err = NULL;
  const int64_t* ts;
  const double* values;
  size_t n;
  REQUIRE(q != NULL);
  if (vme_query_add_selector(q, selector, &err) != VME_OK)
    FAIL("selector %s: %s", selector, vme_error_message(err));
  REQUIRE(vme_search(db, q, &it, NULL) == VME_OK);
  REQUIRE_MSG(vme_series_iter_next(it, NULL) == VME_OK, "no series for %s", selector);
  n = vme_series_iter_samples(it, &ts, &values);
  REQUIRE_MSG(n == want_n, "%s: %zu samples, want %zu", selector, n, want_n);
  REQUIRE(i < n);
  *ts_out = ts[i];
  *value_out = values[i];
  REQUIRE_MSG(vme_series_iter_next(it, NULL) == VME_DONE, "more than one series for %s", selector);
  vme_series_iter_close(it);
  vme_query_destroy(q);
}

/* Checks a failed call: status, error code, and that the message contains every non-NULL
 * needle; frees err. */
static void check_error(vme_status st, vme_error* err, vme_status want, const char* what,
                        const char* needle1, const char* needle2) {
  const char* msg;
  if (st != want)
    FAIL("%s returned %d (%s), want %d; message: %s", what, (int)st, vme_status_string(st),
         (int)want, err ? vme_error_message(err) : "(none)");
  REQUIRE_MSG(err != NULL, "%s: *err not set", what);
  REQUIRE_EQ_INT(vme_error_code(err), want);
  msg = vme_error_message(err);
  if (needle1 != NULL && strstr(msg, needle1) == NULL)
    FAIL("%s: message \"%s\" does not contain \"%s\"", what, msg, needle1);
  if (needle2 != NULL && strstr(msg, needle2) == NULL)
    FAIL("%s: message \"%s\" does not contain \"%s\"", what, msg, needle2);
  vme_error_free(err);
}

/* Runs call (whose vme_error** argument is &err) and checks its failure with check_error. */
#define expect_error(call, err_, want, what, needle1, needle2) \
  do {                                                         \
    vme_status st_;                                            \
    err_ = NULL;                                               \
    st_ = (call);                                              \
    check_error(st_, err_, want, what, needle1, needle2);      \
  } while (0)

/* ---- tests ------------------------------------------------------------------------------- */

/* The real capture: 507 series x 1200 scrapes, zstd-compressed, in one call. */
static void test_capture_file(void) {
  vme_db* db;
  vme_import_result r;
  vme_error* err = NULL;
  uint64_t series = 0, samples = 0;
  int64_t ts;
  double v;
  setup();
  db = open_db("db", 0);
  memset(&r, 0xff, sizeof r);
  if (vme_import_prometheus_file(db, CAPTURE, 0, VME_IMPORT_STRICT, &r, &err) != VME_OK)
    FAIL("import: %s", vme_error_message(err));
  REQUIRE_EQ_INT(r.lines_read, 608400);
  REQUIRE_EQ_INT(r.lines_skipped, 0);
  REQUIRE_EQ_INT(r.first_skipped_line, 0);
  REQUIRE_EQ_INT(r.rows.rows_added, 608400);
  REQUIRE_EQ_INT(r.rows.rejected_nan + r.rows.rejected_invalid_labels +
                     r.rows.rejected_out_of_retention + r.rows.rejected_too_far_future +
                     r.rows.rejected_invalid_timestamp,
                 0);
  REQUIRE(vme_flush(db, NULL) == VME_OK);
  REQUIRE(vme_series_count(db, NULL, &series, NULL) == VME_OK);
  REQUIRE_EQ_INT(series, 507);
  count(db, NULL, &series, &samples);
  REQUIRE_EQ_INT(series, 507);
  REQUIRE_EQ_INT(samples, 608400);
  /* Exact values of the first and last scrape (the capture's first and last lines). */
  sample_of(db, "go_goroutines", 1200, 0, &ts, &v);
  REQUIRE_EQ_INT(ts, CAPTURE_FIRST_TS);
  REQUIRE(v == 7);
  sample_of(db, "go_gc_duration_seconds{quantile=\"0.25\"}", 1200, 0, &ts, &v);
  REQUIRE_EQ_INT(ts, CAPTURE_FIRST_TS);
  REQUIRE_MSG(fabs(v - 1.8087e-05) < 1e-17, "%.17g", v);
  sample_of(db, "go_memstats_heap_objects", 1200, 0, &ts, &v);
  REQUIRE(v == 10371);
  sample_of(db, "promhttp_metric_handler_requests_total{code=\"200\"}", 1200, 1199, &ts, &v);
  REQUIRE_EQ_INT(ts, CAPTURE_LAST_TS);
  REQUIRE(v == 1201);
  sample_of(db, "promhttp_metric_handler_requests_total{code=\"503\"}", 1200, 1199, &ts, &v);
  REQUIRE(v == 0);
  close_db(db);
  teardown();
}

/* Text in memory: comments, blank lines, CRLF, escapes, default timestamps, special values,
 * a last line without '\n', engine rejections counted in rows. */
static void test_memory(void) {
  static const char text[] =
      "# HELP m A metric.\n"
      "# TYPE m gauge\n"
      "\n"
      "m{a=\"x\\\"y\",b=\"1\\\\2\",c=\"l\\nm\",d=\"\\d\"} 1.5 1767225600000\r\n"
      "m{a=\"plain\"} 2\n"
      "  m{a=\"nan\"} NaN 1767225600000\n"
      "m{a=\"inf\"} +Inf 1767225601000\n"
      "{__name__=\"m\",a=\"neg\"} -Inf 1767225602000\n"
      "m{a=\"go\"} 2.55655936e+08 1767225603000\n"
      "m{a=\"old\"} 1 -5\n"
      "m{a=\"last\"} 3 1767225604000";
  vme_db* db;
  vme_import_result r;
  vme_error* err = NULL;
  uint64_t series = 0, samples = 0;
  int64_t ts;
  double v;
  setup();
  db = open_db("db", 0);
  if (vme_import_prometheus(db, text, strlen(text), T0 + 7, 0, &r, &err) != VME_OK)
    FAIL("import: %s", vme_error_message(err));
  REQUIRE_EQ_INT(r.lines_read, 11);
  REQUIRE_EQ_INT(r.lines_skipped, 0);
  REQUIRE_EQ_INT(r.rows.rows_added, 6);
  REQUIRE_EQ_INT(r.rows.rejected_nan, 1);
  REQUIRE_EQ_INT(r.rows.rejected_invalid_timestamp, 1);
  REQUIRE(vme_flush(db, NULL) == VME_OK);
  count(db, "m", &series, &samples);
  REQUIRE_EQ_INT(series, 6);
  REQUIRE_EQ_INT(samples, 6);
  /* \" \\ \n are escapes; any other backslash stays with its byte. */
  sample_of(db, "m{a=\"x\\\"y\",b=\"1\\\\2\",c=\"l\\nm\",d=\"\\\\d\"}", 1, 0, &ts, &v);
  REQUIRE_EQ_INT(ts, T0);
  REQUIRE(v == 1.5);
  sample_of(db, "m{a=\"plain\"}", 1, 0, &ts, &v);
  REQUIRE_EQ_INT(ts, T0 + 7); /* default_ts_ms */
  REQUIRE(v == 2);
  sample_of(db, "m{a=\"inf\"}", 1, 0, &ts, &v);
  REQUIRE(isinf(v) && v > 0);
  sample_of(db, "m{a=\"neg\"}", 1, 0, &ts, &v);
  REQUIRE(isinf(v) && v < 0);
  sample_of(db, "m{a=\"go\"}", 1, 0, &ts, &v);
  REQUIRE(v == 2.55655936e+08);
  sample_of(db, "m{a=\"last\"}", 1, 0, &ts, &v);
  REQUIRE_EQ_INT(ts, T0 + 4000);
  REQUIRE(v == 3);

  /* Empty input, and NULL text with len 0. */
  REQUIRE(vme_import_prometheus(db, "", 0, T0, 0, &r, NULL) == VME_OK);
  REQUIRE_EQ_INT(r.lines_read, 0);
  REQUIRE_EQ_INT(r.rows.rows_added, 0);
  REQUIRE(vme_import_prometheus(db, NULL, 0, T0, VME_IMPORT_STRICT, NULL, NULL) == VME_OK);
  close_db(db);
  teardown();
}

static const char kMalformed[] =
    "ok 1 1767225600000\n"      /* 1 */
    "bad metric 2\n"            /* 2: malformed */
    "ok 3 1767225601000\n"      /* 3 */
    "# comment\n"               /* 4 */
    "ok{a=b} 4 1767225602000\n" /* 5: malformed */
    "ok 5 1767225603000\n";     /* 6 */

/* Without VME_IMPORT_STRICT, malformed lines are skipped and counted, the first one named. */
static void test_lenient(void) {
  vme_db* db;
  vme_import_result r;
  uint64_t series = 0, samples = 0;
  setup();
  db = open_db("db", 0);
  REQUIRE(vme_import_prometheus(db, kMalformed, strlen(kMalformed), T0, 0, &r, NULL) == VME_OK);
  REQUIRE_EQ_INT(r.lines_read, 6);
  REQUIRE_EQ_INT(r.lines_skipped, 2);
  REQUIRE_EQ_INT(r.first_skipped_line, 2);
  REQUIRE_EQ_INT(r.rows.rows_added, 3);
  REQUIRE(vme_flush(db, NULL) == VME_OK);
  count(db, "ok", &series, &samples);
  REQUIRE_EQ_INT(samples, 3);

  /* The file variant counts the same way. */
  write_file(path_in_dir("bad.prom", 1), kMalformed, strlen(kMalformed));
  REQUIRE(vme_import_prometheus_file(db, path_in_dir("bad.prom", 1), T0, 0, &r, NULL) == VME_OK);
  REQUIRE_EQ_INT(r.lines_read, 6);
  REQUIRE_EQ_INT(r.lines_skipped, 2);
  REQUIRE_EQ_INT(r.first_skipped_line, 2);
  REQUIRE_EQ_INT(r.rows.rows_added, 3);
  close_db(db);
  teardown();
}

/* With VME_IMPORT_STRICT, the first malformed line fails the call naming it (and the file);
 * the rows of the lines before it are stored. */
static void test_strict(void) {
  vme_db* db;
  vme_import_result r;
  vme_error* err = NULL;
  uint64_t series = 0, samples = 0;
  const char* file;
  char want[4200];
  setup();
  db = open_db("db", 0);
  expect_error(
      vme_import_prometheus(db, kMalformed, strlen(kMalformed), T0, VME_IMPORT_STRICT, &r, &err),
      err, VME_ERR_INVALID_ARGUMENT, "strict import", "line 2: ", "invalid value \"metric\"");
  REQUIRE_EQ_INT(r.lines_read, 2);
  REQUIRE_EQ_INT(r.lines_skipped, 0);
  REQUIRE_EQ_INT(r.first_skipped_line, 0);
  REQUIRE_EQ_INT(r.rows.rows_added, 1);
  REQUIRE(vme_flush(db, NULL) == VME_OK);
  count(db, "ok", &series, &samples);
  REQUIRE_EQ_INT(samples, 1); /* line 1 stays stored */

  /* The file variant names the file and the line; a later malformed line is found too. */
  file = path_in_dir("bad.prom", 1);
  write_file(file, strstr(kMalformed, "bad metric"), strlen(strstr(kMalformed, "bad metric")));
  err = NULL;
  snprintf(want, sizeof want, "%s:1: ", file);
  expect_error(vme_import_prometheus_file(db, file, T0, VME_IMPORT_STRICT, &r, &err), err,
               VME_ERR_INVALID_ARGUMENT, "strict file import", want, "vme_import_prometheus_file");
  write_file(file, strstr(kMalformed, "ok 3"), strlen(strstr(kMalformed, "ok 3")));
  err = NULL;
  snprintf(want, sizeof want, "%s:3: ", file);
  expect_error(vme_import_prometheus_file(db, file, T0, VME_IMPORT_STRICT, &r, &err), err,
               VME_ERR_INVALID_ARGUMENT, "strict file import, line 3", want,
               "missing '\"' before the value of label \"a\"");
  REQUIRE_EQ_INT(r.lines_read, 3);
  REQUIRE_EQ_INT(r.rows.rows_added, 1);
  close_db(db);
  teardown();
}

/* A line longer than the reader's limit (8 MiB) is a malformed line, in memory and in a
 * file; the lines after it are read. */
static void test_too_long_line(void) {
  const size_t big = (size_t)9 << 20;
  const char* head = "ok 1 1767225600000\nlong{a=\"";
  const char* tail = "\"} 1 1767225600000\nok 2 1767225601000\n";
  size_t len = strlen(head) + big + strlen(tail);
  char* text = (char*)malloc(len);
  vme_db* db;
  vme_import_result r;
  vme_error* err = NULL;
  REQUIRE(text != NULL);
  memcpy(text, head, strlen(head));
  memset(text + strlen(head), 'v', big);
  memcpy(text + strlen(head) + big, tail, strlen(tail));
  setup();
  db = open_db("db", 0);
  REQUIRE(vme_import_prometheus(db, text, len, T0, 0, &r, NULL) == VME_OK);
  REQUIRE_EQ_INT(r.lines_read, 3);
  REQUIRE_EQ_INT(r.lines_skipped, 1);
  REQUIRE_EQ_INT(r.first_skipped_line, 2);
  REQUIRE_EQ_INT(r.rows.rows_added, 2);
  expect_error(vme_import_prometheus(db, text, len, T0, VME_IMPORT_STRICT, &r, &err), err,
               VME_ERR_INVALID_ARGUMENT, "strict, too long",
               "line 2: ", "line longer than 8388608 bytes");
  write_file(path_in_dir("long.prom", 1), text, len);
  REQUIRE(vme_import_prometheus_file(db, path_in_dir("long.prom", 1), T0, 0, &r, NULL) == VME_OK);
  REQUIRE_EQ_INT(r.lines_read, 3);
  REQUIRE_EQ_INT(r.lines_skipped, 1);
  REQUIRE_EQ_INT(r.first_skipped_line, 2);
  REQUIRE_EQ_INT(r.rows.rows_added, 2);
  err = NULL;
  expect_error(
      vme_import_prometheus_file(db, path_in_dir("long.prom", 1), T0, VME_IMPORT_STRICT, &r, &err),
      err, VME_ERR_INVALID_ARGUMENT, "strict file, too long",
      "long.prom:2: ", "line longer than 8388608 bytes");
  free(text);
  close_db(db);
  teardown();
}

/* A zstd file cut in the middle (and named without .zst: zstd is found by its magic): the call
 * fails naming the file and the byte offset; the rows of the lines before the cut are stored. */
static void test_zstd_cut(void) {
  size_t len = 0;
  char* data = read_file(CAPTURE, &len);
  const char* cut = NULL;
  vme_db* db;
  vme_import_result r;
  vme_error* err = NULL;
  uint64_t series = 0, samples = 0;
  setup();
  cut = path_in_dir("cut.prom", 1);
  write_file(cut, data, len / 2);
  db = open_db("db", 0);
  memset(&r, 0, sizeof r);
  {
    vme_status st = vme_import_prometheus_file(db, cut, 0, 0, &r, &err);
    if (st != VME_ERR_CORRUPTION && st != VME_ERR_INVALID_ARGUMENT)
      FAIL("cut zstd: status %d: %s", (int)st, err ? vme_error_message(err) : "");
    check_error(st, err, st, "cut zstd", cut, "offset");
  }
  REQUIRE(r.lines_read > 1000);
  REQUIRE(r.lines_read < 608400);
  REQUIRE_EQ_INT(r.lines_skipped, 0);
  REQUIRE(r.rows.rows_added > 1000);
  REQUIRE(vme_flush(db, NULL) == VME_OK);
  count(db, NULL, &series, &samples);
  REQUIRE_EQ_INT(samples, r.rows.rows_added);

  /* The magic number followed by garbage. */
  {
    static const char garbage[] = "\x28\xb5\x2f\xfd garbage, not a zstd frame header at all\n";
    const char* bad = path_in_dir("garbage.prom", 1);
    write_file(bad, garbage, sizeof garbage - 1);
    err = NULL;
    expect_error(vme_import_prometheus_file(db, bad, 0, 0, &r, &err), err, VME_ERR_CORRUPTION,
                 "garbage zstd", bad, "offset");
    REQUIRE_EQ_INT(r.rows.rows_added, 0);
  }
  free(data);
  close_db(db);
  teardown();
}

/* Every argument and handle error. */
static void test_errors(void) {
  vme_db* db;
  vme_db* ro;
  vme_import_result r;
  vme_error* err = NULL;
  char want[4200];
  const char* missing;
  setup();
  db = open_db("db", 0);

  expect_error(vme_import_prometheus(NULL, "up 1", 4, T0, 0, &r, &err), err,
               VME_ERR_INVALID_ARGUMENT, "NULL db", "'db'", NULL);
  err = NULL;
  expect_error(vme_import_prometheus(db, NULL, 4, T0, 0, &r, &err), err, VME_ERR_INVALID_ARGUMENT,
               "NULL text", "'text'", NULL);
  err = NULL;
  expect_error(vme_import_prometheus(db, "up 1", 4, T0, 0x10, &r, &err), err,
               VME_ERR_INVALID_ARGUMENT, "unknown flags", "'flags'", NULL);
  err = NULL;
  expect_error(vme_import_prometheus_file(NULL, CAPTURE, T0, 0, &r, &err), err,
               VME_ERR_INVALID_ARGUMENT, "file: NULL db", "'db'", NULL);
  err = NULL;
  expect_error(vme_import_prometheus_file(db, NULL, T0, 0, &r, &err), err, VME_ERR_INVALID_ARGUMENT,
               "NULL path", "'path'", NULL);
  /* err may be NULL. */
  REQUIRE(vme_import_prometheus_file(db, NULL, T0, 0, NULL, NULL) == VME_ERR_INVALID_ARGUMENT);

  /* Missing file: the path and the OS error. */
  missing = path_in_dir("no_such.prom", 1);
  err = NULL;
  memset(&r, 0xff, sizeof r);
  expect_error(vme_import_prometheus_file(db, missing, T0, 0, &r, &err), err, VME_ERR_NOT_FOUND,
               "missing file", missing, "No such file or directory");
  REQUIRE_EQ_INT(r.lines_read, 0); /* *result is zeroed on failure too */
  REQUIRE_EQ_INT(r.rows.rows_added, 0);
  /* A directory. */
  err = NULL;
  snprintf(want, sizeof want, "%s", path_in_dir("db", 1));
  expect_error(vme_import_prometheus_file(db, want, T0, 0, &r, &err), err, VME_ERR_IO, "directory",
               want, "directory");
  /* An unreadable file (unless running as root, who reads it anyway). */
  if (geteuid() != 0) {
    const char* locked = path_in_dir("locked.prom", 1);
    write_file(locked, "up 1\n", 5);
    REQUIRE(chmod(locked, 0) == 0);
    err = NULL;
    expect_error(vme_import_prometheus_file(db, locked, T0, 0, &r, &err), err, VME_ERR_IO,
                 "unreadable file", locked, "Permission denied");
  }

  /* A read-only db: VME_ERR_MISUSE, as vme_add_rows. */
  REQUIRE(vme_flush(db, NULL) == VME_OK);
  close_db(db);
  ro = open_db("db", 1);
  err = NULL;
  expect_error(vme_import_prometheus(ro, "up 1", 4, T0, 0, &r, &err), err, VME_ERR_MISUSE,
               "read-only db", "read-only", NULL);
  err = NULL;
  expect_error(vme_import_prometheus_file(ro, CAPTURE, T0, 0, &r, &err), err, VME_ERR_MISUSE,
               "read-only db, file", "read-only", NULL);
  close_db(ro);

  /* A closed handle: VME_ERR_CLOSED. */
  db = open_db("db", 0);
  close_db(db);
  err = NULL;
  expect_error(vme_import_prometheus(db, "up 1", 4, T0, 0, &r, &err), err, VME_ERR_CLOSED,
               "closed db", NULL, NULL);
  err = NULL;
  expect_error(vme_import_prometheus_file(db, CAPTURE, T0, 0, &r, &err), err, VME_ERR_CLOSED,
               "closed db, file", NULL, NULL);
  teardown();
}

int main(int argc, char** argv) {
  static const vme_test_case tests[] = {
      VME_TEST(test_capture_file), VME_TEST(test_memory),        VME_TEST(test_lenient),
      VME_TEST(test_strict),       VME_TEST(test_too_long_line), VME_TEST(test_zstd_cut),
      VME_TEST(test_errors),
  };
  return vme_run_tests(tests, sizeof tests / sizeof tests[0], argc, argv);
}
