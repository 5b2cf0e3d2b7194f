// The flipped-bytes loop (docs/fault-loops.md): builds a data directory with known rows, flips
// random bytes in its part files and WAL segments, and checks what a reopen and a search of
// everything return.
//
//   fault_flip build --db DIR --wal-mode off|sync --manifest FILE
//       Writes the rows of the generator below: several small parts in two monthly
//       partitions, a big part (a file part moved into data/big/ while the db is closed: the
//       format of both sides is the same, and the engine writes big parts only past a size
//       derived from system memory), several indexdb parts (new series in later rounds), and,
//       when wal_mode=sync is available, rows only in the WAL (the builder exits without
//       closing the db). FILE records what was written.
//   fault_flip flip --db DIR --seed S --log FILE
//       XORs 1-8 random bytes (random files, offsets and non-zero masks) of the part files
//       (data and indexdb) and the files of wal/ (a quarter of the flips when there is a WAL);
//       FILE lists "<relative path> <offset> <old> <new>".
//   fault_flip check --db DIR --manifest FILE [--flips FILE] [--quarantine]
//       Opens DIR (with the option quarantine=true if asked), searches every series over all
//       time, counts them, and prints "outcome=<o>" with o one of
//         exact        exactly the expected rows;
//         error        VME_ERR_CORRUPTION whose message names a flipped part or WAL segment;
//         quarantined  parts moved to quarantine/; every row returned is right, and every
//                      missing row lies in the time range of a quarantined data part, or an
//                      indexdb part is quarantined (the series it indexed are unreachable:
//                      which ones, the checker cannot tell);
//         wal_cut      a WAL segment was flipped; every row returned is right and the missing
//                      ones are a suffix of the rows written only to the WAL (a corrupt tail
//                      is cut on replay);
//       exit 0 for those, 10 for a wrong answer ("outcome=wrong" and the first differences),
//       11 for another error code or an error naming no flipped file. A crash (signal,
//       sanitizer report) or a hang is what the driver's `timeout` and exit status catch.
#include <time.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "fault_util.h"

namespace {

using namespace fault;  // NOLINT

// ---- the rows -------------------------------------------------------------------------------

constexpr const char* kMetric = "flip_rows";
// 2026-09-30T22:00:00Z: rounds 0 and 1 start in the September partition, round 1 crosses into
// October.
constexpr int64_t kBaseTs = 1790812800000 - 2 * 3600 * 1000;
constexpr int64_t kStepMs = 15000;

struct Round {
  int first_k, end_k;  // samples [first_k, end_k) of every series of the round
  int series;          // series 0..series-1
  bool wal_only;       // written to the WAL only (not flushed)
};
// Rounds 0 and 1 become the parts of the first session (round 0's part is moved to big/);
// rounds 2 and 3 add series and parts in a second session; round 4 stays in the WAL.
const std::vector<Round> kRounds = {
    {0, 400, 60, false},     {400, 800, 60, false},   {800, 1000, 80, false},
    {1000, 1200, 90, false}, {1200, 1400, 100, true},
};
constexpr int kWalBatchSamples = 10;  // samples per series per vme_add_rows of round 4

Labels SeriesLabels(int s) {
  return {{"__name__", kMetric}, {"job", Format("j%d", s % 3)}, {"s", Format("%03d", s)}};
}
std::string SeriesName(int s) { return Format("%s{job=\"j%d\",s=\"%03d\"}", kMetric, s % 3, s); }
int64_t SampleTs(int s, int k) {
  return kBaseTs + k * kStepMs + static_cast<int64_t>(Hash(s, k, 5) % 1000);
}
double SampleValue(int s, int k) {
  return static_cast<double>(static_cast<int64_t>(Hash(s, k, 7) % 2000000) - 1000000) / 100.0;
}

// Adds samples [k0, k1) of series [0, series) in one call.
void AddRows(vme_db* db, int k0, int k1, int series) {
  std::string keys;
  std::vector<uint32_t> offsets{0};
  std::vector<int64_t> ts;
  std::vector<double> values;
  std::vector<std::string> packed(series);
  for (int s = 0; s < series; s++) packed[s] = PackKey(SeriesLabels(s));
  for (int s = 0; s < series; s++) {
    for (int k = k0; k < k1; k++) {
      keys += packed[s];
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      ts.push_back(SampleTs(s, k));
      values.push_back(SampleValue(s, k));
    }
  }
  vme_add_result res{};
  vme_error* err = nullptr;
  const vme_status st =
      vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(), offsets.data(),
                   ts.data(), values.data(), ts.size(), &res, &err);
  if (st != VME_OK) Die(3, "vme_add_rows: " + TakeError(st, err));
  if (res.rows_added != ts.size()) Die(3, "vme_add_rows rejected rows");
}

vme_db* Open(const std::string& dir, const std::string& wal_mode, bool quarantine,
             bool* quarantine_supported) {
  vme_options* opts = vme_options_create();
  SetWalMode(opts, wal_mode);
  if (const std::string e = SetOption(opts, "background", "0"); !e.empty()) Die(3, e);
  if (quarantine) {
    *quarantine_supported = SetOption(opts, "quarantine", "true").empty();
  }
  vme_db* db = nullptr;
  vme_error* err = nullptr;
  const vme_status st = vme_open(dir.c_str(), opts, &db, &err);
  vme_options_destroy(opts);
  if (st != VME_OK) {
    std::printf("open-error: %s\n", vme_error_message(err));
    vme_error_free(err);
    if (st == VME_ERR_CORRUPTION) return nullptr;
    Die(11, Format("vme_open: %s (want VME_ERR_CORRUPTION)", vme_status_string(st)));
  }
  return db;
}

void Flush(vme_db* db) {
  vme_error* err = nullptr;
  const vme_status st = vme_flush(db, &err);
  if (st != VME_OK) Die(3, "vme_flush: " + TakeError(st, err));
}

void Close(vme_db* db) {
  vme_error* err = nullptr;
  const vme_status st = vme_close(db, &err);
  if (st != VME_OK) Die(3, "vme_close: " + TakeError(st, err));
}

std::vector<fs::path> PartDirs(const fs::path& table) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(table, ec)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory() && n != "tmp" && n != "txn" && n != "snapshots") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

int Build(const Args& args) {
  const std::string dir = args.Get("db");
  std::string wal_mode = args.Get("wal-mode");
  {
    vme_options* o = vme_options_create();
    const bool has_wal = SetOption(o, "wal_mode", wal_mode).empty();
    vme_options_destroy(o);
    if (!has_wal) {
      std::printf("build: the engine has no wal_mode=%s: no rows in a WAL\n", wal_mode.c_str());
      wal_mode = "off";
    }
  }
  bool unused = false;
  vme_db* db = Open(dir, wal_mode, false, &unused);
  if (db == nullptr) Die(3, "vme_open failed");
  AddRows(db, kRounds[0].first_k, kRounds[0].end_k, kRounds[0].series);
  Flush(db);
  const std::vector<fs::path> first = PartDirs(fs::path(dir) / "data/small/2026_09");
  if (first.size() != 1) Die(3, "want one part in data/small/2026_09 after round 0");
  AddRows(db, kRounds[1].first_k, kRounds[1].end_k, kRounds[1].series);
  Flush(db);
  Close(db);
  // The first part becomes a big part.
  const fs::path big = fs::path(dir) / "data/big/2026_09" / first[0].filename();
  fs::rename(first[0], big);

  db = Open(dir, wal_mode, false, &unused);
  if (db == nullptr) Die(3, "vme_open failed");
  for (int r = 2; r <= 3; r++) {
    // Two flushes per round: more small parts.
    const int mid = (kRounds[r].first_k + kRounds[r].end_k) / 2;
    AddRows(db, kRounds[r].first_k, mid, kRounds[r].series);
    Flush(db);
    AddRows(db, mid, kRounds[r].end_k, kRounds[r].series);
    Flush(db);
  }
  const bool wal = wal_mode != "off";
  std::ofstream m(args.Get("manifest"));
  m << "wal_mode " << wal_mode << "\nrounds " << (wal ? 5 : 4) << "\n";
  m.close();
  if (!m) Die(3, "cannot write the manifest");
  if (!wal) {
    Close(db);
  } else {
    const Round& r = kRounds[4];
    for (int k = r.first_k; k < r.end_k; k += kWalBatchSamples) {
      AddRows(db, k, k + kWalBatchSamples, r.series);
    }
    // Exit without vme_close: the rows of round 4 are only in the WAL.
    std::fflush(stdout);
    _exit(0);
  }
  size_t parts = 0;
  for (const char* t : {"data/small/2026_09", "data/small/2026_10", "data/big/2026_09"}) {
    parts += PartDirs(fs::path(dir) / t).size();
  }
  std::printf("build: %zu data parts, wal_mode=%s\n", parts, wal_mode.c_str());
  vme_library_shutdown();
  return 0;
}

// ---- flipping -------------------------------------------------------------------------------

std::vector<fs::path> FlipCandidates(const fs::path& db) {
  std::vector<fs::path> out;
  auto add_files = [&](const fs::path& d) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(d, ec)) {
      if (e.is_regular_file() && e.file_size() > 0) out.push_back(e.path());
    }
  };
  std::error_code ec;
  for (const char* side : {"data/small", "data/big"}) {
    for (const auto& p : fs::directory_iterator(db / side, ec)) {
      if (p.path().filename() == "snapshots") continue;
      for (const auto& part : PartDirs(p.path())) add_files(part);
    }
  }
  for (const auto& g : fs::directory_iterator(db / "indexdb", ec)) {
    if (g.path().filename() == "snapshots") continue;
    for (const auto& part : PartDirs(g.path())) add_files(part);
  }
  if (fs::is_directory(db / "wal")) {
    for (const auto& e : fs::recursive_directory_iterator(db / "wal", ec)) {
      if (e.is_regular_file() && e.file_size() > 0) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

int Flip(const Args& args) {
  const fs::path db = args.Get("db");
  std::mt19937_64 rng(static_cast<uint64_t>(args.Int("seed")));
  const std::vector<fs::path> files = FlipCandidates(db);
  if (files.empty()) Die(3, "no part or WAL file to flip");
  std::vector<fs::path> wal_files;
  for (const auto& f : files) {
    if (fs::relative(f, db).begin()->string() == "wal") wal_files.push_back(f);
  }
  const int n = 1 + static_cast<int>(rng() % 8);
  std::ofstream log(args.Get("log"));
  for (int i = 0; i < n; i++) {
    // A quarter of the flips go to the WAL when there is one: its few files would otherwise be
    // drawn rarely among the many part files.
    const bool wal = !wal_files.empty() && rng() % 4 == 0;
    const fs::path& f = wal ? wal_files[rng() % wal_files.size()] : files[rng() % files.size()];
    const uint64_t size = fs::file_size(f);
    const uint64_t off = rng() % size;
    const uint8_t mask = static_cast<uint8_t>(1 + rng() % 255);
    std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(off));
    char c = 0;
    io.read(&c, 1);
    const uint8_t old = static_cast<uint8_t>(c);
    c = static_cast<char>(old ^ mask);
    io.seekp(static_cast<std::streamoff>(off));
    io.write(&c, 1);
    io.close();
    if (!io) Die(3, "cannot flip a byte of " + f.string());
    log << fs::relative(f, db).string() << " " << off << " " << int{old} << " "
        << int{static_cast<uint8_t>(c)} << "\n";
  }
  log.close();
  if (!log) Die(3, "cannot write the flip log");
  return 0;
}

// ---- checking -------------------------------------------------------------------------------

struct Manifest {
  std::string wal_mode = "off";
  int rounds = 0;
};

Manifest ReadManifest(const std::string& path) {
  std::ifstream in(path);
  Manifest m;
  std::string key;
  while (in >> key) {
    if (key == "wal_mode") in >> m.wal_mode;
    if (key == "rounds") in >> m.rounds;
  }
  if (m.rounds < 4 || m.rounds > static_cast<int>(kRounds.size())) Die(3, "bad manifest " + path);
  return m;
}

using Samples = std::map<int64_t, double>;  // ts -> value

// Parses "YYYYMMDDhhmmss.mmm" (UTC) into ms.
bool ParsePartTime(const std::string& s, int64_t* ms) {
  tm t{};
  int milli = 0;
  if (s.size() != 18 || std::sscanf(s.c_str(), "%4d%2d%2d%2d%2d%2d.%3d", &t.tm_year, &t.tm_mon,
                                    &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec, &milli) != 7) {
    return false;
  }
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  *ms = static_cast<int64_t>(timegm(&t)) * 1000 + milli;
  return true;
}

struct Quarantine {
  std::vector<std::pair<int64_t, int64_t>> data_ranges;  // [min, max] of quarantined data parts
  int indexdb_parts = 0;
  int other = 0;
  std::vector<std::string> names;
};

Quarantine ListQuarantine(const fs::path& db) {
  Quarantine q;
  std::error_code ec;
  if (!fs::is_directory(db / "quarantine")) return q;
  for (const auto& e : fs::recursive_directory_iterator(db / "quarantine", ec)) {
    if (!e.is_directory()) continue;
    const fs::path rel = fs::relative(e.path(), db / "quarantine");
    std::vector<std::string> parts;
    for (const auto& c : rel) parts.push_back(c.string());
    if (parts.size() == 4 && parts[0] == "data") {
      q.names.push_back(rel.string());
      std::vector<std::string> f;
      std::stringstream ss(parts[3]);
      for (std::string x; std::getline(ss, x, '_');) f.push_back(x);
      int64_t lo, hi;
      if (f.size() == 5 && ParsePartTime(f[2], &lo) && ParsePartTime(f[3], &hi)) {
        q.data_ranges.emplace_back(lo, hi);
      } else {
        q.other++;
      }
    } else if (parts.size() == 3 && parts[0] == "indexdb") {
      q.names.push_back(rel.string());
      q.indexdb_parts++;
    }
  }
  return q;
}

// The names an error must mention: the part directory or WAL segment of each flipped byte.
std::vector<std::string> FlippedNames(const std::string& flips_path) {
  std::vector<std::string> out;
  if (flips_path.empty()) return out;
  std::ifstream in(flips_path);
  std::string line;
  while (std::getline(in, line)) {
    const fs::path p = line.substr(0, line.find(' '));
    out.push_back(p.begin()->string() == "wal" ? p.filename().string()
                                               : p.parent_path().filename().string());
  }
  return out;
}

[[noreturn]] void Outcome(const std::string& o, int code, const std::string& detail = "") {
  std::printf("outcome=%s%s%s\n", o.c_str(), detail.empty() ? "" : " ", detail.c_str());
  std::fflush(stdout);
  vme_library_shutdown();
  std::exit(code);
}

// An error from the engine: VME_ERR_CORRUPTION naming a flipped file is a right answer.
[[noreturn]] void ErrorOutcome(const char* call, vme_status st, vme_error* err,
                               const std::vector<std::string>& flipped) {
  const std::string msg = vme_error_message(err);
  vme_error_free(err);
  std::printf("%s: %s: %s\n", call, vme_status_string(st), msg.c_str());
  if (st != VME_ERR_CORRUPTION) Outcome("bad_error", 11, "(want VME_ERR_CORRUPTION)");
  for (const auto& n : flipped) {
    if (msg.find(n) != std::string::npos) Outcome("error", 0);
  }
  Outcome("bad_error", 11, "(the message names no flipped part or segment)");
}

int Check(const Args& args) {
  const fs::path db_path = args.Get("db");
  const Manifest m = ReadManifest(args.Get("manifest"));
  const std::vector<std::string> flipped = FlippedNames(args.Get("flips", ""));
  bool wal_flipped = false;
  {
    std::ifstream in(args.Get("flips", "/dev/null"));
    for (std::string l; std::getline(in, l);) wal_flipped |= l.rfind("wal/", 0) == 0;
  }
  const bool want_quarantine = args.Has("quarantine");

  // Expected rows.
  std::map<std::string, Samples> want;
  std::map<std::pair<std::string, int64_t>, int> wal_batch;  // WAL-only row -> batch index
  int wal_batches = 0;
  for (int r = 0; r < m.rounds; r++) {
    const Round& rd = kRounds[r];
    for (int s = 0; s < rd.series; s++) {
      for (int k = rd.first_k; k < rd.end_k; k++) {
        want[SeriesName(s)][SampleTs(s, k)] = SampleValue(s, k);
        if (rd.wal_only)
          wal_batch[{SeriesName(s), SampleTs(s, k)}] = (k - rd.first_k) / kWalBatchSamples;
      }
    }
    if (rd.wal_only) wal_batches = (rd.end_k - rd.first_k) / kWalBatchSamples;
  }

  vme_options* opts = vme_options_create();
  SetWalMode(opts, m.wal_mode);
  if (const std::string e = SetOption(opts, "background", "0"); !e.empty()) Die(3, e);
  bool quarantine_supported = true;
  if (want_quarantine) quarantine_supported = SetOption(opts, "quarantine", "true").empty();
  std::printf("quarantine=%s\n", !want_quarantine       ? "off"
                                 : quarantine_supported ? "on"
                                                        : "unsupported");
  vme_db* db = nullptr;
  vme_error* err = nullptr;
  vme_status st = vme_open(db_path.c_str(), opts, &db, &err);
  vme_options_destroy(opts);
  if (st != VME_OK) ErrorOutcome("vme_open", st, err, flipped);

  // Search everything. With quarantine, a search that meets a corrupt block fails and moves
  // the part aside: the search is repeated (at most twice) and must then serve the rest.
  std::map<std::string, Samples> got;
  std::vector<std::string> problems;  // rows that are wrong whatever else happened
  vme_query* q = vme_query_create(0, INT64_MAX);
  st = vme_query_add_matcher(q, VME_MATCH_RE, "__name__", 8, ".+", 2, &err);
  if (st != VME_OK) Die(3, "vme_query_add_matcher: " + TakeError(st, err));
  for (int attempt = 0;; attempt++) {
    got.clear();
    problems.clear();
    const char* call = "vme_search";
    vme_series_iter* it = nullptr;
    st = vme_search(db, q, &it, &err);
    if (st == VME_OK) {
      call = "vme_series_iter_next";
      while ((st = vme_series_iter_next(it, &err)) == VME_OK) {
        const std::string name = vme_series_iter_name(it);
        const int64_t* ts;
        const double* values;
        const size_t n = vme_series_iter_samples(it, &ts, &values);
        if (got.count(name)) problems.push_back("series returned twice: " + name);
        Samples& g = got[name];
        for (size_t i = 0; i < n; i++) {
          if (!g.emplace(ts[i], values[i]).second) {
            problems.push_back(
                Format("duplicate sample %s @%lld", name.c_str(), static_cast<long long>(ts[i])));
          }
        }
      }
      vme_series_iter_close(it);
      if (st == VME_DONE) break;
    }
    if (want_quarantine && quarantine_supported && st == VME_ERR_CORRUPTION && attempt < 2) {
      std::printf("search retried after %s: %s\n", call, TakeError(st, err).c_str());
      err = nullptr;
      continue;
    }
    vme_query_destroy(q);
    vme_close(db, nullptr);
    ErrorOutcome(call, st, err, flipped);
  }
  uint64_t count = 0;
  st = vme_series_count(db, q, &count, &err);
  vme_query_destroy(q);
  if (st != VME_OK) {
    vme_close(db, nullptr);
    ErrorOutcome("vme_series_count", st, err, flipped);
  }
  st = vme_close(db, &err);
  if (st != VME_OK) ErrorOutcome("vme_close", st, err, flipped);

  // Compare.
  for (const auto& [name, samples] : got) {
    auto w = want.find(name);
    if (w == want.end()) {
      problems.push_back("a series never written: " + name);
      continue;
    }
    for (const auto& [t, v] : samples) {
      auto ws = w->second.find(t);
      if (ws == w->second.end()) {
        problems.push_back(
            Format("a sample never written: %s @%lld", name.c_str(), static_cast<long long>(t)));
      } else if (std::memcmp(&ws->second, &v, sizeof v) != 0) {
        problems.push_back(Format("wrong value: %s @%lld = %.17g, want %.17g", name.c_str(),
                                  static_cast<long long>(t), v, ws->second));
      }
    }
  }
  std::vector<std::pair<std::string, int64_t>> missing;
  std::set<std::string> missing_series;
  for (const auto& [name, samples] : want) {
    auto g = got.find(name);
    if (g == got.end()) missing_series.insert(name);
    for (const auto& [t, v] : samples) {
      if (g == got.end() || !g->second.count(t)) missing.emplace_back(name, t);
    }
  }
  const Quarantine qr = ListQuarantine(db_path);
  std::printf("rows_missing=%zu series_missing=%zu series_count=%llu quarantined_parts=%zu%s\n",
              missing.size(), missing_series.size(), static_cast<unsigned long long>(count),
              qr.names.size(), problems.empty() ? "" : " rows_wrong=yes");
  for (const auto& n : qr.names) std::printf("quarantined: %s\n", n.c_str());
  auto wrong = [&](const std::string& why) {
    for (size_t i = 0; i < problems.size() && i < 10; i++)
      std::printf("  %s\n", problems[i].c_str());
    Outcome("wrong", 10, why);
  };
  if (!problems.empty()) wrong("(rows that were never written or have other values)");
  if (count != got.size()) {
    wrong(Format("(vme_series_count = %llu, the search returned %zu series)",
                 static_cast<unsigned long long>(count), got.size()));
  }
  if (missing.empty()) {
    if (!qr.names.empty()) Outcome("quarantined", 0, "(no row lost)");
    Outcome("exact", 0);
  }
  // Every missing row needs an explanation.
  int first_cut_batch = wal_batches;  // WAL batches >= this may be missing
  if (wal_flipped) {
    for (const auto& row : missing) {
      auto b = wal_batch.find(row);
      if (b != wal_batch.end()) first_cut_batch = std::min(first_cut_batch, b->second);
    }
  }
  size_t by_quarantine = 0, by_cut = 0;
  for (const auto& row : missing) {
    bool ok = false;
    for (const auto& [lo, hi] : qr.data_ranges) ok |= row.second >= lo && row.second <= hi;
    // Without an indexdb part, the data of the series it indexed is unreachable (a series
    // written again later, e.g. by WAL replay, gets a new TSID): any row may be missing.
    if (qr.indexdb_parts > 0) ok = true;
    if (ok) {
      by_quarantine++;
      continue;
    }
    if (wal_flipped) {
      auto b = wal_batch.find(row);
      if (b != wal_batch.end() && b->second >= first_cut_batch) {
        by_cut++;
        continue;
      }
    }
    problems.push_back(
        Format("missing: %s @%lld", row.first.c_str(), static_cast<long long>(row.second)));
  }
  // The WAL cut must be a suffix: every row of the batches after the first cut one is missing.
  if (by_cut > 0) {
    std::set<std::pair<std::string, int64_t>> miss(missing.begin(), missing.end());
    for (const auto& [row, b] : wal_batch) {
      if (b > first_cut_batch && !miss.count(row)) {
        problems.push_back(
            Format("WAL rows missing before present ones: %s @%lld kept, batch %d "
                   "cut",
                   row.first.c_str(), static_cast<long long>(row.second), first_cut_batch));
        break;
      }
    }
  }
  if (!problems.empty()) wrong("(rows missing without a quarantined part or a WAL cut)");
  Outcome(by_quarantine > 0 ? "quarantined" : "wal_cut", 0,
          Format("(%zu rows in quarantined parts, %zu cut from the WAL)", by_quarantine, by_cut));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) Die(2, "usage: fault_flip build|flip|check --db DIR ...");
  const std::string cmd = argv[1];
  const Args args(argc, argv, 2, {"quarantine"});
  if (cmd == "build") return Build(args);
  if (cmd == "flip") return Flip(args);
  if (cmd == "check") return Check(args);
  Die(2, "unknown command " + cmd);
}
