/* Peak RSS of replaying a write-ahead log against ingesting the same rows (issue: "replaying
 * 10 M rows must not need more RSS than ingesting them"; docs/durability.md, "Replay").
 *
 *   wal_replay_bench DIR [--series N] [--samples M] [--set KEY=VALUE]...
 *
 * Three phases, each in its own child process so that each peak RSS (ru_maxrss from wait4) is
 * its own: (1) "crash": W1 rows (N series x M samples, time-major batches of N rows) into
 * DIR/replay with wal_mode=async and background work off, then _exit(0) without vme_close, so
 * the rows are only in the log; (2) "replay": vme_open of DIR/replay (the replay), then
 * vme_close; (3) "ingest": the same rows into DIR/ingest with wal_mode=off, then vme_close.
 * --set applies to every phase (after the phase's own wal_mode and background). DIR must be
 * empty or missing. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "w1_common.h"

static size_t n_series = 10000, n_samples = 1000;
static const char* sets[32];
static int n_sets;

static vme_db* open_db(const char* path, const char* wal_mode, const char* background) {
  vme_options* o = vme_options_create();
  VME_CHECK("vme_options_set wal_mode", vme_options_set(o, "wal_mode", wal_mode, ERRP));
  VME_CHECK("vme_options_set background", vme_options_set(o, "background", background, ERRP));
  for (int i = 0; i < n_sets; i++) w1_set_option(o, sets[i]);
  vme_db* db = NULL;
  VME_CHECK("vme_open", vme_open(path, o, &db, ERRP));
  vme_options_destroy(o);
  return db;
}

static void add_w1_rows(vme_db* db) {
  uint8_t* keys = w1_xmalloc(n_series * W1_MAX_KEY_LEN);
  uint32_t* offs = w1_xmalloc((n_series + 1) * sizeof(uint32_t));
  const size_t keys_len = w1_build_keys(n_series, 0, keys, offs, NULL);
  w1_gen* gens = w1_xmalloc(n_series * sizeof(w1_gen));
  int64_t* ts = w1_xmalloc(n_series * sizeof(int64_t));
  double* vs = w1_xmalloc(n_series * sizeof(double));
  for (size_t k = 0; k < n_series; k++) w1_gen_init(&gens[k], k);
  for (size_t i = 0; i < n_samples; i++) {
    for (size_t k = 0; k < n_series; k++) {
      ts[k] = W1_T0 + (int64_t)i * W1_STEP_MS;
      vs[k] = w1_gen_next(&gens[k]);
    }
    VME_CHECK("vme_add_rows", vme_add_rows(db, keys, keys_len, offs, ts, vs, n_series, NULL, ERRP));
  }
  free(keys), free(offs), free(gens), free(ts), free(vs);
}

static double stat_value(vme_db* db, const char* name) {
  vme_stats* st = NULL;
  VME_CHECK("vme_stats_get", vme_stats_get(db, &st, ERRP));
  double v = -1;
  for (size_t i = 0; i < vme_stats_count(st); i++) {
    if (strcmp(vme_stats_name(st, i), name) == 0) v = vme_stats_value(st, i);
  }
  vme_stats_free(st);
  return v;
}

/* Runs phase in a child; returns its peak RSS in MiB and wall seconds. */
static void run_phase(const char* name, const char* dir, double* rss_mib, double* wall_s) {
  const double t0 = w1_now_s();
  const pid_t pid = fork();
  if (pid < 0) perror("fork"), exit(1);
  if (pid == 0) {
    char path[4096];
    if (strcmp(name, "crash") == 0) {
      snprintf(path, sizeof path, "%s/replay", dir);
      add_w1_rows(open_db(path, "async", "0"));
      _exit(0); /* no vme_close: the rows are only in the log (and the page cache) */
    } else if (strcmp(name, "replay") == 0) {
      snprintf(path, sizeof path, "%s/replay", dir);
      vme_db* db = open_db(path, "async", "0");
      printf("replay: %.0f rows replayed\n", stat_value(db, "wal_replayed_rows"));
      fflush(stdout);
      VME_CHECK("vme_close", vme_close(db, ERRP));
    } else {
      snprintf(path, sizeof path, "%s/ingest", dir);
      vme_db* db = open_db(path, "off", "1");
      add_w1_rows(db);
      VME_CHECK("vme_close", vme_close(db, ERRP));
    }
    _exit(0);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "phase %s failed\n", name);
    exit(1);
  }
  *rss_mib = (double)ru.ru_maxrss / 1024.0;
  *wall_s = w1_now_s() - t0;
}

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') {
    fprintf(stderr,
            "usage: wal_replay_bench DIR [--series N] [--samples M] [--set KEY=VALUE]...\n");
    return 2;
  }
  const char* dir = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--series") == 0) {
      n_series = w1_clamp_sz(atoll(argv[i + 1]), 1, 1000000);
    } else if (strcmp(argv[i], "--samples") == 0) {
      n_samples = w1_clamp_sz(atoll(argv[i + 1]), 1, 100000000);
    } else if (strcmp(argv[i], "--set") == 0 && n_sets < 32) {
      sets[n_sets++] = argv[i + 1];
    } else {
      fprintf(stderr, "wal_replay_bench: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (!w1_dir_is_empty_or_missing(dir)) {
    fprintf(stderr, "wal_replay_bench: %s must be empty or missing\n", dir);
    return 2;
  }
  mkdir(dir, 0755);
  printf("%zu series x %zu samples = %zu rows\n", n_series, n_samples, n_series * n_samples);
  const char* phases[] = {"crash", "replay", "ingest"};
  for (int p = 0; p < 3; p++) {
    double rss = 0, wall = 0;
    run_phase(phases[p], dir, &rss, &wall);
    printf("%-7s peak RSS %8.1f MiB   wall %7.2f s\n", phases[p], rss, wall);
    if (p == 0) printf("wal/ bytes to replay: %" PRIu64 "\n", w1_disk_bytes(dir, "replay/wal"));
    fflush(stdout);
  }
  printf("data/ bytes: replay %" PRIu64 ", ingest %" PRIu64 "\n", w1_disk_bytes(dir, "replay/data"),
         w1_disk_bytes(dir, "ingest/data"));
  return 0;
}
