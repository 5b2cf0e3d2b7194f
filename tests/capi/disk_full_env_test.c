/* Disk full seen by a C program through the shared library, armed from the environment
 * (docs/testing.md, "Fault injection"): with VME_FS_FAULTS making every write under
 * data/small/ fail with ENOSPC, vme_flush and vme_close return VME_ERR_IO with a message that
 * names the file and the OS error, and the rows stay searchable meanwhile. The test re-executes
 * itself with VME_FS_FAULTS set, since the library reads it when it is loaded. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_c.h"
#include "temp_dir_c.h"
#include "vmengine.h"

#define T0 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define FAULTS "write:every:path=/data/small/:ENOSPC"

/* Requires status VME_ERR_IO and a message holding a and b; frees err. */
static void require_io_error(vme_status st, vme_error* err, const char* what, const char* a,
                             const char* b) {
  const char* msg = err != NULL ? vme_error_message(err) : "";
  REQUIRE_MSG(st == VME_ERR_IO, "%s: %s: %s", what, vme_status_string(st), msg);
  REQUIRE_MSG(strstr(msg, a) != NULL, "%s: no \"%s\" in: %s", what, a, msg);
  REQUIRE_MSG(strstr(msg, b) != NULL, "%s: no \"%s\" in: %s", what, b, msg);
  vme_error_free(err);
}

static void test_flush_and_close_fail_rows_stay_searchable(void) {
  char* dir = vme_test_make_dir("vme_disk_full_env");
  vme_options* opts = vme_options_create();
  vme_error* err = NULL;
  REQUIRE_EQ_INT(vme_options_set(opts, "background", "0", &err), VME_OK);
  vme_db* db = NULL;
  REQUIRE_EQ_INT(vme_open(dir, opts, &db, &err), VME_OK);
  vme_options_destroy(opts);

  /* One series, key `u16be len | name | u16be len | value`: __name__="full". */
  const uint8_t key[] = {0, 8, '_', '_', 'n', 'a', 'm', 'e', '_', '_', 0, 4, 'f', 'u', 'l', 'l'};
  int64_t ts[10];
  double values[10];
  for (int i = 0; i < 10; i++) {
    ts[i] = T0 + i * 1000;
    values[i] = i;
  }
  vme_add_result res;
  REQUIRE_EQ_INT(vme_add_series(db, key, sizeof key, ts, values, 10, &res, &err), VME_OK);
  REQUIRE_EQ_INT(res.rows_added, 10);

  vme_status st = vme_flush(db, &err);
  require_io_error(st, err, "vme_flush", "/data/small/", strerror(ENOSPC));
  err = NULL;

  /* The rows are searchable although their flush failed. */
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE_EQ_INT(vme_query_add_selector(q, "full", &err), VME_OK);
  vme_series_iter* it = NULL;
  REQUIRE_EQ_INT(vme_search(db, q, &it, &err), VME_OK);
  REQUIRE_EQ_INT(vme_series_iter_next(it, &err), VME_OK);
  const int64_t* got_ts = NULL;
  const double* got_values = NULL;
  REQUIRE_EQ_INT(vme_series_iter_samples(it, &got_ts, &got_values), 10);
  REQUIRE_EQ_INT(got_ts[9], ts[9]);
  REQUIRE_EQ_INT(vme_series_iter_next(it, &err), VME_DONE);
  vme_series_iter_close(it);
  vme_query_destroy(q);

  /* The final flush fails the same way; the handle is freed all the same. */
  err = NULL;
  st = vme_close(db, &err);
  require_io_error(st, err, "vme_close", "/data/small/", strerror(ENOSPC));
  vme_test_remove_tree(dir);
  free(dir);
}

int main(int argc, char** argv) {
  const char* set = getenv("VME_FS_FAULTS");
  if (set == NULL || strcmp(set, FAULTS) != 0) {
    if (setenv("VME_FS_FAULTS", FAULTS, 1) != 0) FAIL("setenv: %s", strerror(errno));
    execv("/proc/self/exe", argv);
    FAIL("execv(/proc/self/exe): %s", strerror(errno));
  }
  static const vme_test_case tests[] = {VME_TEST(test_flush_and_close_fail_rows_stay_searchable)};
  return vme_run_tests(tests, sizeof tests / sizeof tests[0], argc, argv);
}
