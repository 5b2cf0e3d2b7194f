/* Compiled as -std=c99 -Wpedantic -Werror: the public header must be plain, self-contained C99. */
#include "vmengine.h"

#if VME_VERSION_NUMBER != (VME_VERSION_MAJOR * 10000 + VME_VERSION_MINOR * 100 + VME_VERSION_PATCH)
#error "VME_VERSION_NUMBER is inconsistent"
#endif

typedef char vme_check_status_is_32_bit[sizeof(vme_status) == 4 ? 1 : -1];
typedef char vme_check_ok_is_zero[VME_OK == 0 ? 1 : -1];
typedef char
    vme_check_errors_negative[(VME_ERR_INVALID_ARGUMENT < 0 && VME_ERR_LIMIT < 0) ? 1 : -1];

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

int vme_header_c99_check(void);
int vme_header_c99_check(void) {
  vme_add_result r = {0, 0, 0, 0, 0, 0};
  vme_match_type t = VME_MATCH_NRE;
  const char* v = VME_VERSION_STRING;
  (void)sizeof(vme_check_status_is_32_bit);
  (void)sizeof(vme_check_ok_is_zero);
  (void)sizeof(vme_check_errors_negative);
  return (int)r.rows_added + (int)t + (v[0] != '\0') + (check_open != 0) + (check_add_rows != 0) +
         (check_search != 0) + (check_samples != 0) + VME_DONE + VME_ABI_VERSION;
}
