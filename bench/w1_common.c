/* See w1_common.h. Compiled with -ffp-contract=off: the generator must not use FMAs. */
#define _GNU_SOURCE
#include "w1_common.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

/* ---- generator ----------------------------------------------------------------------------- */

void w1_gen_init(w1_gen* g, uint64_t k) {
  g->x = (k + 1) * UINT64_C(0x9E3779B97F4A7C15);
  g->v = 100.0;
}

double w1_gen_next(w1_gen* g) {
  uint64_t x = g->x;
  double step;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  g->x = x;
  step = (double)((int64_t)(x >> 11) - (INT64_C(1) << 52)) / 4503599627370496.0;
  g->v = g->v + step;
  return round(g->v * 100.0) / 100.0;
}

int w1_check_generator(int full) {
  static const struct {
    uint64_t k;
    double v[5];
  } vec[] = {{0, {100.72, 100.51, 100.47, 99.85, 99.2}},
             {1, {100.44, 101.03, 101.94, 102.83, 102.41}},
             {9999, {99.64, 99.12, 99.11, 98.5, 98.38}}};
  size_t i, j;
  w1_gen g;
  int64_t sum = 0;
  double mn = INFINITY, mx = -INFINITY;
  uint64_t k;
  for (i = 0; i < sizeof vec / sizeof vec[0]; i++) {
    w1_gen_init(&g, vec[i].k);
    for (j = 0; j < 5; j++) {
      double v = w1_gen_next(&g);
      if (v != vec[i].v[j]) {
        fprintf(stderr, "generator: k=%" PRIu64 " i=%zu gives %.17g, want %.17g\n", vec[i].k, j, v,
                vec[i].v[j]);
        return 0;
      }
    }
  }
  w1_gen_init(&g, 0);
  for (j = 0; j < 999; j++) w1_gen_next(&g);
  if (w1_gen_next(&g) != 92.23) {
    fprintf(stderr, "generator: k=0 i=999 is not 92.23\n");
    return 0;
  }
  if (!full) return 1;
  for (k = 0; k < 10000; k++) {
    w1_gen_init(&g, k);
    for (j = 0; j < 1000; j++) {
      double v = w1_gen_next(&g);
      sum += (int64_t)llround(100.0 * v);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
  }
  if (sum != INT64_C(99944557274) || mn != 31.22 || mx != 182.28) {
    fprintf(stderr,
            "generator: checksum %" PRId64 " min %.17g max %.17g, want 99944557274 31.22 182.28\n",
            sum, mn, mx);
    return 0;
  }
  return 1;
}

/* ---- series keys --------------------------------------------------------------------------- */

void w1_metric_name(char* out, size_t cap, unsigned m, uint32_t g) {
  if (g == 0) {
    snprintf(out, cap, "cpu_usage_%u", m);
  } else {
    snprintf(out, cap, "cpu_usage_%u_g%u", m, g);
  }
}

static void append_label(uint8_t** p, const char* name, const char* value) {
  const char* parts[2] = {name, value};
  int i;
  for (i = 0; i < 2; i++) {
    size_t len = strlen(parts[i]);
    (*p)[0] = (uint8_t)(len >> 8);
    (*p)[1] = (uint8_t)len;
    memcpy(*p + 2, parts[i], len);
    *p += 2 + len;
  }
}

size_t w1_build_keys(size_t n_series, uint32_t g, uint8_t* keys, uint32_t* offs,
                     size_t* max_key_len) {
  uint8_t* p = keys;
  size_t k, max_len = 0;
  offs[0] = 0;
  for (k = 0; k < n_series; k++) {
    char name[48], host[32], region[16];
    w1_metric_name(name, sizeof name, (unsigned)(k / 1000), g);
    snprintf(host, sizeof host, "host-%04zu", k % 1000);
    snprintf(region, sizeof region, "r%zu", (k % 1000) % 10);
    append_label(&p, "__name__", name);
    append_label(&p, "host", host);
    append_label(&p, "region", region);
    offs[k + 1] = (uint32_t)(p - keys);
    if (offs[k + 1] - offs[k] > max_len) max_len = offs[k + 1] - offs[k];
  }
  if (max_key_len != NULL) *max_key_len = max_len;
  return (size_t)(p - keys);
}

void w1_batch_keys(const uint8_t* keys, size_t keys_len, const uint32_t* offs, size_t n_series,
                   uint64_t r0, size_t n, uint8_t* scratch, uint32_t* scratch_offs,
                   const uint8_t** out_keys, size_t* out_keys_len, const uint32_t** out_offs) {
  const size_t k0 = (size_t)(r0 % n_series);
  size_t len = 0, j;
  if (k0 + n <= n_series) {
    *out_keys = keys;
    *out_keys_len = keys_len;
    *out_offs = &offs[k0];
    return;
  }
  scratch_offs[0] = 0;
  for (j = 0; j < n; j++) {
    size_t k = (size_t)((r0 + j) % n_series), kl = offs[k + 1] - offs[k];
    memcpy(scratch + len, keys + offs[k], kl);
    len += kl;
    scratch_offs[j + 1] = (uint32_t)len;
  }
  *out_keys = scratch;
  *out_keys_len = len;
  *out_offs = scratch_offs;
}

/* ---- helpers ------------------------------------------------------------------------------- */

double w1_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void* w1_xmalloc(size_t n) {
  void* p = malloc(n ? n : 1);
  if (p == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  return p;
}

int w1_cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

double w1_percentile(const double* sorted, size_t n, double p) {
  size_t idx;
  if (n == 0) return 0;
  idx = (size_t)ceil(p * (double)n);
  if (idx > 0) idx--;
  if (idx >= n) idx = n - 1;
  return sorted[idx];
}

size_t w1_clamp_sz(long long v, long long lo, long long hi) {
  return (size_t)(v < lo ? lo : v > hi ? hi : v);
}

int w1_dir_is_empty_or_missing(const char* dir) {
  DIR* d = opendir(dir);
  struct dirent* e;
  int empty = 1;
  if (d == NULL) return errno == ENOENT;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = 0;
  }
  closedir(d);
  return empty;
}

double w1_peak_rss_mib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

double w1_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int w1_set_option(vme_options* opts, const char* key_value) {
  char kv[256], *eq;
  snprintf(kv, sizeof kv, "%s", key_value);
  eq = strchr(kv, '=');
  if (eq == NULL || opts == NULL) return 0;
  *eq = '\0';
  VME_CHECK("--set", vme_options_set(opts, kv, eq + 1, ERRP));
  return 1;
}

void w1_die_vme(const char* what, vme_status st, vme_error* err) {
  fprintf(stderr, "%s: %s: %s\n", what, vme_status_string(st), vme_error_message(err));
  vme_error_free(err);
  exit(1);
}

/* ---- disk use ------------------------------------------------------------------------------ */

typedef struct file_id {
  dev_t dev;
  ino_t ino;
  off_t size;
} file_id;
static file_id* g_files;
static size_t g_nfiles, g_capfiles, g_root_len;

static int du_cb(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
  (void)ftw;
  if (flag != FTW_F || !S_ISREG(sb->st_mode)) return 0;
  path += g_root_len; /* DIR itself may live under a tmp/ directory */
  if (strstr(path, "/tmp/") != NULL || strstr(path, "/txn/") != NULL) return 0;
  if (g_nfiles == g_capfiles) {
    g_capfiles = g_capfiles ? 2 * g_capfiles : 1024;
    g_files = (file_id*)realloc(g_files, g_capfiles * sizeof *g_files);
    if (g_files == NULL) exit(1);
  }
  g_files[g_nfiles].dev = sb->st_dev;
  g_files[g_nfiles].ino = sb->st_ino;
  g_files[g_nfiles].size = sb->st_size;
  g_nfiles++;
  return 0;
}

static int cmp_file(const void* a, const void* b) {
  const file_id* x = (const file_id*)a;
  const file_id* y = (const file_id*)b;
  if (x->dev != y->dev) return x->dev < y->dev ? -1 : 1;
  if (x->ino != y->ino) return x->ino < y->ino ? -1 : 1;
  return 0;
}

uint64_t w1_disk_bytes(const char* dir, const char* sub) {
  char path[4096];
  uint64_t total = 0;
  size_t i;
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  g_nfiles = 0;
  g_root_len = strlen(path);
  nftw(path, du_cb, 32, FTW_PHYS);
  qsort(g_files, g_nfiles, sizeof *g_files, cmp_file);
  for (i = 0; i < g_nfiles; i++) {
    if (i > 0 && cmp_file(&g_files[i - 1], &g_files[i]) == 0) continue;
    total += (uint64_t)g_files[i].size;
  }
  free(g_files);
  g_files = NULL;
  g_nfiles = g_capfiles = 0;
  return total;
}
