/* Temporary directories for the C API tests: one new directory per call under $TMPDIR
 * (default /tmp), removed with everything in it. Include after defining _GNU_SOURCE (mkdtemp,
 * nftw). */
#ifndef VME_TESTS_TEMP_DIR_C_H_
#define VME_TESTS_TEMP_DIR_C_H_

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_c.h"

static inline int vme_test_remove_entry(const char* path, const struct stat* st, int flag,
                                        struct FTW* ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* Creates $TMPDIR/<prefix>.XXXXXX; the caller frees the returned path (vme_test_remove_dir). */
static inline char* vme_test_make_dir(const char* prefix) {
  const char* base = getenv("TMPDIR");
  char* tmpl = (char*)malloc(4096);
  REQUIRE(tmpl != NULL);
  snprintf(tmpl, 4096, "%s/%s.XXXXXX", base && *base ? base : "/tmp", prefix);
  if (mkdtemp(tmpl) == NULL) FAIL("mkdtemp(%s) failed", tmpl);
  return tmpl;
}

/* Removes dir and everything under it (no symlink is followed). Does not free dir. */
static inline void vme_test_remove_tree(const char* dir) {
  nftw(dir, vme_test_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* VME_TESTS_TEMP_DIR_C_H_ */
