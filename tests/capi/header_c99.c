/* The public header as strict C99 (-std=c99 -Wpedantic -Werror), run as the CTest test
 * header_c99: the header must be plain, self-contained C99; its compile-time facts (status
 * values, enum values, struct layout, signatures) hold; and its version macros equal what the
 * loaded shared library reports. */
#include "vmengine.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if VME_VERSION_NUMBER != (VME_VERSION_MAJOR * 10000 + VME_VERSION_MINOR * 100 + VME_VERSION_PATCH)
#error "VME_VERSION_NUMBER is inconsistent"
#endif

/* C99 has no static_assert: an array of size -1 fails the build. */
#define VME_CHECK(name, cond) typedef char vme_check_##name[(cond) ? 1 : -1]

VME_CHECK(status_is_32_bit, sizeof(vme_status) == 4);
VME_CHECK(ok_is_zero, VME_OK == 0);
VME_CHECK(done_is_one, VME_DONE == 1);
VME_CHECK(errors, VME_ERR_INVALID_ARGUMENT == -1 && VME_ERR_NOT_FOUND == -2 &&
                      VME_ERR_CORRUPTION == -3 && VME_ERR_IO == -4 && VME_ERR_NO_MEMORY == -5 &&
                      VME_ERR_CLOSED == -6 && VME_ERR_BUSY == -7 &&
                      VME_ERR_BUFFER_TOO_SMALL == -8 && VME_ERR_MISUSE == -9 &&
                      VME_ERR_INTERNAL == -10 && VME_ERR_LOCKED == -11 && VME_ERR_LIMIT == -12);
VME_CHECK(match_types,
          VME_MATCH_EQ == 0 && VME_MATCH_NEQ == 1 && VME_MATCH_RE == 2 && VME_MATCH_NRE == 3);
/* vme_add_result: six uint64_t counters, in this order, no padding (bindings mirror it). */
VME_CHECK(add_result_size, sizeof(vme_add_result) == 6 * sizeof(uint64_t));
VME_CHECK(add_result_rows_added, offsetof(vme_add_result, rows_added) == 0);
VME_CHECK(add_result_invalid_labels, offsetof(vme_add_result, rejected_invalid_labels) == 8);
VME_CHECK(add_result_nan, offsetof(vme_add_result, rejected_nan) == 16);
VME_CHECK(add_result_retention, offsetof(vme_add_result, rejected_out_of_retention) == 24);
VME_CHECK(add_result_future, offsetof(vme_add_result, rejected_too_far_future) == 32);
VME_CHECK(add_result_timestamp, offsetof(vme_add_result, rejected_invalid_timestamp) == 40);
/* vme_import_result: a vme_add_result, then three uint64_t counters, no padding. */
VME_CHECK(import_strict_flag, VME_IMPORT_STRICT == 1u);
VME_CHECK(import_result_size, sizeof(vme_import_result) == 9 * sizeof(uint64_t));
VME_CHECK(import_result_rows, offsetof(vme_import_result, rows) == 0);
VME_CHECK(import_result_lines_read, offsetof(vme_import_result, lines_read) == 48);
VME_CHECK(import_result_lines_skipped, offsetof(vme_import_result, lines_skipped) == 56);
VME_CHECK(import_result_first_skipped, offsetof(vme_import_result, first_skipped_line) == 64);

/* Function pointer types pin the signatures. */
static vme_status (*const check_open)(const char*, const vme_options*, vme_db**,
                                      vme_error**) = vme_open;
static vme_status (*const check_add_rows)(vme_db*, const uint8_t*, size_t, const uint32_t*,
                                          const int64_t*, const double*, size_t, vme_add_result*,
                                          vme_error**) = vme_add_rows;
static vme_status (*const check_search)(vme_db*, const vme_query*, vme_series_iter**,
                                        vme_error**) = vme_search;
static size_t (*const check_samples)(const vme_series_iter*, const int64_t**,
                                     const double**) = vme_series_iter_samples;
static vme_status (*const check_import)(vme_db*, const char*, size_t, int64_t, uint32_t,
                                        vme_import_result*, vme_error**) = vme_import_prometheus;
static vme_status (*const check_import_file)(vme_db*, const char*, int64_t, uint32_t,
                                             vme_import_result*,
                                             vme_error**) = vme_import_prometheus_file;

static int failures = 0;

static void check(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "header_c99: %s\n", what);
    failures++;
  }
}

int main(void) {
  char buf[48];
  check(strcmp(vme_version_string(), VME_VERSION_STRING) == 0,
        "vme_version_string() differs from VME_VERSION_STRING");
  check(vme_version_number() == VME_VERSION_NUMBER,
        "vme_version_number() differs from VME_VERSION_NUMBER");
  check(vme_abi_version() == VME_ABI_VERSION, "vme_abi_version() differs from VME_ABI_VERSION");
  snprintf(buf, sizeof buf, "%d.%d.%d", VME_VERSION_MAJOR, VME_VERSION_MINOR, VME_VERSION_PATCH);
  check(strcmp(buf, VME_VERSION_STRING) == 0, "VME_VERSION_STRING differs from MAJOR.MINOR.PATCH");
  check(
      check_open != NULL && check_add_rows != NULL && check_search != NULL && check_samples != NULL,
      "an entry point is missing");
  check(check_import != NULL && check_import_file != NULL, "an import entry point is missing");
  if (failures > 0) {
    fprintf(stderr, "header_c99: library %s (%u, ABI %u), header %s (%d, ABI %d)\n",
            vme_version_string(), (unsigned)vme_version_number(), (unsigned)vme_abi_version(),
            VME_VERSION_STRING, VME_VERSION_NUMBER, VME_ABI_VERSION);
    return 1;
  }
  printf("header_c99: header %s matches the library\n", VME_VERSION_STRING);
  return 0;
}
