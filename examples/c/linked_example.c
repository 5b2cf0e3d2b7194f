/*
 * linked_example.c: the vmengine C API in a program linked against libvmengine.
 *
 * Opens a data directory in a fresh temporary directory, ingests a few rows with
 * vme_add_rows() (packed series keys), flushes, searches with a PromQL selector, prints what
 * it finds, closes the db and removes the directory. Exits 0 when the search returns exactly
 * the expected series and samples.
 *
 *   cc linked_example.c $(pkg-config --cflags --libs vmengine) -o linked_example
 *   ./linked_example
 */
#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmengine.h"

enum { kRows = 9, kSamplesPerSeries = 3 };

/* Appends one label pair to a series key: u16 BE name length, name, u16 BE value length,
 * value. Returns the new key length, or 0 if buf is too small. */
static size_t append_label(uint8_t* buf, size_t len, size_t cap, const char* name,
                           const char* value) {
  const size_t n = strlen(name);
  const size_t v = strlen(value);
  if (n > 0xffff || v > 0xffff || len + 4 + n + v > cap) return 0;
  buf[len++] = (uint8_t)(n >> 8);
  buf[len++] = (uint8_t)n;
  memcpy(buf + len, name, n);
  len += n;
  buf[len++] = (uint8_t)(v >> 8);
  buf[len++] = (uint8_t)v;
  memcpy(buf + len, value, v);
  return len + v;
}

static int remove_entry(const char* path, const struct stat* sb, int type, struct FTW* ftw) {
  (void)sb;
  (void)type;
  (void)ftw;
  return remove(path);
}

/* Prints the error of a failed call, frees it and returns 1 (the exit status). */
static int fail(const char* what, vme_status status, vme_error* err) {
  fprintf(stderr, "linked_example: %s failed: %s (%s)\n", what, vme_error_message(err),
          vme_status_string(status));
  vme_error_free(err);
  return 1;
}

/* Ingests, flushes and searches; returns the exit status. */
static int run(vme_db* db) {
  static const char* const kSeries[3][2] = {
      {"temperature", "kitchen"}, {"temperature", "garage"}, {"humidity", "kitchen"}};
  uint8_t keys[512];
  uint32_t offsets[kRows + 1];
  int64_t ts[kRows];
  double values[kRows];
  size_t keys_len = 0;
  const int64_t now_ms = (int64_t)time(NULL) * 1000;
  vme_error* err = NULL;
  vme_status st;
  size_t i;

  /* Rows in time order; each row carries its full series key. */
  offsets[0] = 0;
  for (i = 0; i < kRows; ++i) {
    const char* const* s = kSeries[i % 3];
    keys_len = append_label(keys, keys_len, sizeof keys, "__name__", s[0]);
    keys_len = append_label(keys, keys_len, sizeof keys, "room", s[1]);
    if (keys_len == 0) {
      fprintf(stderr, "linked_example: key buffer too small\n");
      return 1;
    }
    offsets[i + 1] = (uint32_t)keys_len;
    ts[i] = now_ms - 60000 + (int64_t)(i / 3) * 15000;
    values[i] = 20.0 + (double)i * 0.5;
  }

  vme_add_result added;
  memset(&added, 0, sizeof added);
  st = vme_add_rows(db, keys, keys_len, offsets, ts, values, kRows, &added, &err);
  if (st != VME_OK) return fail("vme_add_rows", st, err);
  printf("added %llu rows\n", (unsigned long long)added.rows_added);
  st = vme_flush(db, &err);
  if (st != VME_OK) return fail("vme_flush", st, err);

  vme_query* q = vme_query_create(0, INT64_MAX);
  if (q == NULL) {
    fprintf(stderr, "linked_example: out of memory\n");
    return 1;
  }
  const char* selector = "temperature{room=~\"kitchen|garage\"}";
  st = vme_query_add_selector(q, selector, &err);
  if (st != VME_OK) {
    vme_query_destroy(q);
    return fail("vme_query_add_selector", st, err);
  }
  vme_series_iter* it = NULL;
  st = vme_search(db, q, &it, &err);
  vme_query_destroy(q);
  if (st != VME_OK) return fail("vme_search", st, err);

  printf("series matching %s:\n", selector);
  size_t series = 0, samples = 0;
  while ((st = vme_series_iter_next(it, &err)) == VME_OK) {
    const int64_t* sts;
    const double* svals;
    const size_t n = vme_series_iter_samples(it, &sts, &svals);
    printf("  %s\n", vme_series_iter_name(it));
    for (size_t j = 0; j < n; ++j) printf("    %lld %g\n", (long long)sts[j], svals[j]);
    ++series;
    samples += n;
  }
  vme_series_iter_close(it);
  if (st != VME_DONE) return fail("vme_series_iter_next", st, err);

  if (added.rows_added != kRows || series != 2 || samples != 2 * kSamplesPerSeries) {
    fprintf(stderr, "linked_example: expected 2 series with %d samples, got %zu with %zu\n",
            2 * kSamplesPerSeries, series, samples);
    return 1;
  }
  return 0;
}

int main(void) {
  char dir[4096];
  const char* tmp = getenv("TMPDIR");
  if (tmp == NULL || *tmp == '\0') tmp = "/tmp";
  if (snprintf(dir, sizeof dir, "%s/vmengine_linked_example.XXXXXX", tmp) >= (int)sizeof dir ||
      mkdtemp(dir) == NULL) {
    perror("linked_example: mkdtemp");
    return 1;
  }
  printf("vmengine %s, data directory %s\n", vme_version_string(), dir);

  vme_error* err = NULL;
  vme_db* db = NULL;
  vme_status st = vme_open(dir, NULL, &db, &err);
  int rc;
  if (st != VME_OK) {
    rc = fail("vme_open", st, err);
  } else {
    rc = run(db);
    st = vme_close(db, &err);
    if (st != VME_OK) {
      if (rc == 0) {
        rc = fail("vme_close", st, err);
      } else {
        vme_error_free(err);
      }
    }
  }
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}
