// Helpers of the disk-full tests (disk_full_test.cc, disk_full_background_test.cc;
// docs/testing.md, "Fault injection"): rows of known content, the checks of what a search
// returns while writes fail, of leftovers on disk and of the error a failed call returns, and
// a scratch directory on tmpfs.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "test_util.h"

namespace vme::test {

inline constexpr int kRowsPerSeries = 6;
inline constexpr int64_t kBatchMs = 60'000;

inline Labels SeriesLabels(int s) { return {{"__name__", "disk_full"}, {"s", Format("%02d", s)}}; }

// Batch b: series [from, to), kRowsPerSeries samples each.
inline void MakeBatch(int b, int from, int to, RowBatch* batch, std::vector<Row>* rows) {
  for (int s = from; s < to; s++) {
    const std::string key = PackKey(SeriesLabels(s));
    const std::string name = SeriesName(SeriesLabels(s));
    for (int j = 0; j < kRowsPerSeries; j++) {
      const int64_t t = kT0 + b * kBatchMs + j * 1000;
      const double v = b * 1000 + s * 10 + j;
      batch->Add(key, t, v);
      rows->push_back(Row{name, t, DoubleBits(v)});
    }
  }
}

// Every acknowledged row is returned exactly once, and nothing else.
inline std::string CheckRows(vme_db* db, const std::vector<Row>& acked, const std::string& when) {
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db, &got));
  return CompareRows(got, acked, when);
}

// While the scenario runs, rows become searchable when their series' index entries and the
// rows themselves were flushed (vme_add_rows docs). The search returns acknowledged rows only,
// each once, and every row it returned before (*visible, sorted): a failure never takes a row
// away. *visible becomes the rows returned now.
inline std::string CheckVisible(vme_db* db, const std::vector<Row>& acked,
                                std::vector<Row>* visible, const std::string& when) {
  std::vector<Row> got;
  RETURN_IF_FAILED(ExportAll(db, &got));
  std::sort(got.begin(), got.end());
  std::vector<Row> want = acked;
  std::sort(want.begin(), want.end());
  for (size_t i = 0; i + 1 < got.size(); i++) {
    REQUIRE(!(got[i] == got[i + 1]), "%s: row returned twice: %s", when.c_str(),
            got[i].ToString().c_str());
  }
  std::vector<Row> diff;
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(diff));
  REQUIRE(diff.empty(), "%s: %zu rows returned that were never acknowledged, e.g. %s", when.c_str(),
          diff.size(), diff.empty() ? "" : diff[0].ToString().c_str());
  std::set_difference(visible->begin(), visible->end(), got.begin(), got.end(),
                      std::back_inserter(diff));
  REQUIRE(diff.empty(), "%s: %zu rows searchable before are gone, e.g. %s", when.c_str(),
          diff.size(), diff.empty() ? "" : diff[0].ToString().c_str());
  *visible = std::move(got);
  return "";
}

// Every tmp/ directory under dir is empty, and every txn/ one too unless allow_txn (after a
// close: a transaction whose source part could not be removed waits for the next open), and
// no file is a leftover of an atomic write (`<name>.tmp.<n>`).
inline std::string CheckNoLeftovers(const std::string& dir, bool allow_txn) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && !it->is_symlink() &&
        (name == "tmp" || (name == "txn" && !allow_txn))) {
      REQUIRE(fs::is_empty(it->path()), "%s is not empty", it->path().c_str());
    }
    REQUIRE(name.find(".tmp.") == std::string::npos, "leftover temporary file %s",
            it->path().c_str());
  }
  REQUIRE(!ec, "cannot walk %s: %s", dir.c_str(), ec.message().c_str());
  return "";
}

inline size_t CountEntries(const std::string& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    n++;
  }
  return n;
}

// What a failed call must look like: VME_ERR_IO, a path under the data directory, the errno
// text.
inline std::string CheckIoError(const std::string& step, vme_status st, const std::string& msg,
                                const std::string& dir, int want_errno) {
  REQUIRE(st == VME_ERR_IO, "%s: want VME_ERR_IO, got %s: %s", step.c_str(), vme_status_string(st),
          msg.c_str());
  REQUIRE(msg.find(dir + "/") != std::string::npos, "%s: the message names no path under %s: %s",
          step.c_str(), dir.c_str(), msg.c_str());
  REQUIRE(msg.find(std::strerror(want_errno)) != std::string::npos,
          "%s: the message lacks \"%s\": %s", step.c_str(), std::strerror(want_errno), msg.c_str());
  return "";
}

// A directory for the runs: on tmpfs when there is one, since every run makes hundreds of
// fsyncs, else under $TMPDIR.
class RunDir {
 public:
  RunDir() {
    std::string base = "/dev/shm";
    if (access(base.c_str(), W_OK) != 0) {
      const char* t = std::getenv("TMPDIR");
      base = t != nullptr ? t : "/tmp";
    }
    std::string tmpl = base + "/vme_disk_full.XXXXXX";
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~RunDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Rows of series [from, to) from batch b, returned as rows; all must be stored.
inline std::string AddAll(vme_db* db, int b, int from, int to, std::vector<Row>* acked) {
  RowBatch batch;
  MakeBatch(b, from, to, &batch, acked);
  return AddBatchAllAccepted(db, batch);
}

}  // namespace vme::test
