/*
 * dlopen_example.c: loading libvmengine at run time with dlopen(), as a plugin host or a
 * language binding does.
 *
 * Usage: dlopen_example [LIBRARY]
 *   LIBRARY defaults to $VMENGINE_LIB, else "libvmengine.so.0" (found through the dynamic
 *   linker's search path).
 *
 * Every function is resolved with dlsym() (a missing one is a clear error), the library's ABI
 * version is checked against the header's VME_ABI_VERSION, then a db in a temporary directory
 * ingests a few rows, is queried and closed. vme_library_shutdown() ends the library's worker
 * threads before dlclose(). Exits 0 when everything, including the unload, succeeded.
 *
 *   cc dlopen_example.c $(pkg-config --cflags vmengine) -ldl -o dlopen_example
 *   ./dlopen_example /usr/local/lib/libvmengine.so.0
 */
#define _XOPEN_SOURCE 700

#include <dlfcn.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmengine.h" /* types and constants only: nothing here links against the library */

/* The functions used, with the types of their declarations in vmengine.h. */
struct vme_api {
  uint32_t (*vme_abi_version)(void);
  const char* (*vme_version_string)(void);
  void (*vme_library_shutdown)(void);
  const char* (*vme_status_string)(vme_status);
  const char* (*vme_error_message)(const vme_error*);
  void (*vme_error_free)(vme_error*);
  vme_status (*vme_open)(const char*, const vme_options*, vme_db**, vme_error**);
  vme_status (*vme_close)(vme_db*, vme_error**);
  vme_status (*vme_flush)(vme_db*, vme_error**);
  vme_status (*vme_add_rows)(vme_db*, const uint8_t*, size_t, const uint32_t*, const int64_t*,
                             const double*, size_t, vme_add_result*, vme_error**);
  vme_query* (*vme_query_create)(int64_t, int64_t);
  void (*vme_query_destroy)(vme_query*);
  vme_status (*vme_query_add_selector)(vme_query*, const char*, vme_error**);
  vme_status (*vme_search)(vme_db*, const vme_query*, vme_series_iter**, vme_error**);
  vme_status (*vme_series_iter_next)(vme_series_iter*, vme_error**);
  const char* (*vme_series_iter_name)(const vme_series_iter*);
  size_t (*vme_series_iter_samples)(const vme_series_iter*, const int64_t**, const double**);
  void (*vme_series_iter_close)(vme_series_iter*);
};

static struct vme_api api;

/* Resolves one symbol into *slot (a function pointer of slot_size bytes). */
static int load_symbol(void* lib, const char* name, void* slot, size_t slot_size) {
  dlerror();
  void* sym = dlsym(lib, name);
  if (sym == NULL || slot_size != sizeof sym) {
    const char* why = dlerror();
    fprintf(stderr, "dlopen_example: cannot resolve %s: %s\n", name,
            why != NULL ? why : "symbol is NULL");
    return 0;
  }
  memcpy(slot, &sym, slot_size); /* POSIX: a data pointer from dlsym converts to a function */
  return 1;
}

/* The unevaluated sizeof checks at compile time that the member's type matches the header's
 * declaration of the function (no reference to the symbol is emitted). */
#define LOAD(fn) ((void)sizeof(api.fn = fn), load_symbol(lib, #fn, &api.fn, sizeof api.fn))

static int load_api(void* lib) {
  return LOAD(vme_abi_version) && LOAD(vme_version_string) && LOAD(vme_library_shutdown) &&
         LOAD(vme_status_string) && LOAD(vme_error_message) && LOAD(vme_error_free) &&
         LOAD(vme_open) && LOAD(vme_close) && LOAD(vme_flush) && LOAD(vme_add_rows) &&
         LOAD(vme_query_create) && LOAD(vme_query_destroy) && LOAD(vme_query_add_selector) &&
         LOAD(vme_search) && LOAD(vme_series_iter_next) && LOAD(vme_series_iter_name) &&
         LOAD(vme_series_iter_samples) && LOAD(vme_series_iter_close);
}

static int fail(const char* what, vme_status status, vme_error* err) {
  fprintf(stderr, "dlopen_example: %s failed: %s (%s)\n", what, api.vme_error_message(err),
          api.vme_status_string(status));
  api.vme_error_free(err);
  return 1;
}

static size_t append_label(uint8_t* buf, size_t len, const char* name, const char* value) {
  const size_t n = strlen(name);
  const size_t v = strlen(value);
  buf[len++] = (uint8_t)(n >> 8);
  buf[len++] = (uint8_t)n;
  memcpy(buf + len, name, n);
  len += n;
  buf[len++] = (uint8_t)(v >> 8);
  buf[len++] = (uint8_t)v;
  memcpy(buf + len, value, v);
  return len + v;
}

/* Ingests 4 rows of 2 series, flushes and searches one of them back. */
static int run(vme_db* db) {
  uint8_t keys[256];
  uint32_t offsets[5] = {0};
  int64_t ts[4];
  double values[4];
  size_t len = 0;
  const int64_t now_ms = (int64_t)time(NULL) * 1000;
  vme_error* err = NULL;
  vme_status st;
  int i;

  for (i = 0; i < 4; ++i) {
    len = append_label(keys, len, "__name__", "requests_total");
    len = append_label(keys, len, "method", i % 2 == 0 ? "GET" : "POST");
    offsets[i + 1] = (uint32_t)len;
    ts[i] = now_ms - 10000 + (int64_t)(i / 2) * 5000;
    values[i] = (double)(100 * (i + 1));
  }
  vme_add_result added;
  memset(&added, 0, sizeof added);
  st = api.vme_add_rows(db, keys, len, offsets, ts, values, 4, &added, &err);
  if (st != VME_OK) return fail("vme_add_rows", st, err);
  st = api.vme_flush(db, &err);
  if (st != VME_OK) return fail("vme_flush", st, err);

  vme_query* q = api.vme_query_create(0, INT64_MAX);
  if (q == NULL) {
    fprintf(stderr, "dlopen_example: out of memory\n");
    return 1;
  }
  st = api.vme_query_add_selector(q, "requests_total{method=\"GET\"}", &err);
  if (st != VME_OK) {
    api.vme_query_destroy(q);
    return fail("vme_query_add_selector", st, err);
  }
  vme_series_iter* it = NULL;
  st = api.vme_search(db, q, &it, &err);
  api.vme_query_destroy(q);
  if (st != VME_OK) return fail("vme_search", st, err);
  size_t series = 0, samples = 0;
  while ((st = api.vme_series_iter_next(it, &err)) == VME_OK) {
    const int64_t* sts;
    const double* svals;
    const size_t n = api.vme_series_iter_samples(it, &sts, &svals);
    printf("  %s:", api.vme_series_iter_name(it));
    for (size_t j = 0; j < n; ++j) printf(" %g@%lld", svals[j], (long long)sts[j]);
    printf("\n");
    ++series;
    samples += n;
  }
  api.vme_series_iter_close(it);
  if (st != VME_DONE) return fail("vme_series_iter_next", st, err);
  if (added.rows_added != 4 || series != 1 || samples != 2) {
    fprintf(stderr, "dlopen_example: expected 1 series with 2 samples, got %zu with %zu\n", series,
            samples);
    return 1;
  }
  return 0;
}

static int remove_entry(const char* path, const struct stat* sb, int type, struct FTW* ftw) {
  (void)sb;
  (void)type;
  (void)ftw;
  return remove(path);
}

static int use_library(void) {
  char dir[4096];
  const char* tmp = getenv("TMPDIR");
  if (tmp == NULL || *tmp == '\0') tmp = "/tmp";
  if (snprintf(dir, sizeof dir, "%s/vmengine_dlopen_example.XXXXXX", tmp) >= (int)sizeof dir ||
      mkdtemp(dir) == NULL) {
    perror("dlopen_example: mkdtemp");
    return 1;
  }
  vme_error* err = NULL;
  vme_db* db = NULL;
  vme_status st = api.vme_open(dir, NULL, &db, &err);
  int rc;
  if (st != VME_OK) {
    rc = fail("vme_open", st, err);
  } else {
    rc = run(db);
    st = api.vme_close(db, &err);
    if (st != VME_OK) {
      if (rc == 0) {
        rc = fail("vme_close", st, err);
      } else {
        api.vme_error_free(err);
      }
    }
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : getenv("VMENGINE_LIB");
  if (path == NULL || *path == '\0') path = "libvmengine.so.0";

  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen_example: dlopen(%s) failed: %s\n", path, dlerror());
    return 1;
  }
  if (!load_api(lib)) {
    dlclose(lib);
    return 1;
  }
  const uint32_t abi = api.vme_abi_version();
  if (abi != VME_ABI_VERSION) {
    fprintf(stderr, "dlopen_example: %s has ABI version %u, this program needs %u\n", path,
            (unsigned)abi, (unsigned)VME_ABI_VERSION);
    dlclose(lib);
    return 1;
  }
  printf("loaded %s: vmengine %s, ABI %u\n", path, api.vme_version_string(), (unsigned)abi);

  int rc = use_library();

  /* Every db is closed: end the worker threads, then unload. */
  api.vme_library_shutdown();
  memset(&api, 0, sizeof api);
  if (dlclose(lib) != 0) {
    fprintf(stderr, "dlopen_example: dlclose failed: %s\n", dlerror());
    rc = 1;
  }
  if (rc == 0) printf("ok\n");
  return rc;
}
