// Read-only opens write nothing: a missing path is NotFound and stays missing, and opening,
// querying and closing a populated directory leaves every file and directory as it was
// (names, sizes, modification times), without creating flock.lock.
#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

using vme::test::Label;
using vme::test::TempDir;

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01

vme_status OpenReadOnly(const fs::path& dir, vme_db** db, vme_error** err) {
  vme_options* o = vme_options_create();
  REQUIRE(o != nullptr);
  REQUIRE_EQ(vme_options_set(o, "read_only", "1", err), VME_OK);
  const vme_status st = vme_open(dir.c_str(), o, db, err);
  vme_options_destroy(o);
  return st;
}

// Every entry under root (symlinks not followed): type, size and mtime in ns.
std::map<std::string, std::string> Tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    struct stat st;
    REQUIRE(lstat(e.path().c_str(), &st) == 0, "lstat %s", e.path().c_str());
    const bool dir = S_ISDIR(st.st_mode);
    out[fs::relative(e.path(), root).string()] =
        std::string(dir ? "dir" : "file") + " size=" + (dir ? "-" : std::to_string(st.st_size)) +
        " mtime=" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }
  return out;
}

void TestMissingPathIsNotFound() {
  TempDir dir;
  const fs::path missing = fs::path(dir.path()) / "no_such_dir";
  vme_db* db = nullptr;
  vme_error* err = nullptr;
  REQUIRE_EQ(OpenReadOnly(missing, &db, &err), VME_ERR_NOT_FOUND);
  REQUIRE(db == nullptr);
  const std::string msg = vme_error_message(err);
  REQUIRE(msg.find(missing.string()) != std::string::npos, "message: %s", msg.c_str());
  vme_error_free(err);
  REQUIRE(!fs::exists(missing), "the read-only open created %s", missing.c_str());
}

// A directory that exists but is not a data directory (no indexdb/) is NotFound too, and
// stays empty.
void TestEmptyDirectoryIsNotFound() {
  TempDir dir;
  vme_db* db = nullptr;
  vme_error* err = nullptr;
  REQUIRE_EQ(OpenReadOnly(dir.path(), &db, &err), VME_ERR_NOT_FOUND);
  vme_error_free(err);
  REQUIRE(fs::is_empty(dir.path()));
}

void TestPopulatedTreeUnchanged() {
  TempDir dir;
  const fs::path data = fs::path(dir.path()) / "db";
  {
    vme_db* db = nullptr;
    vme_error* err = nullptr;
    REQUIRE(vme_open(data.c_str(), nullptr, &db, &err) == VME_OK, "%s", vme_error_message(err));
    std::string keys;
    std::vector<uint32_t> offsets{0};
    std::vector<int64_t> ts;
    std::vector<double> values;
    for (int i = 0; i < 100; i++) {
      keys += Label("__name__", "m" + std::to_string(i % 3)) + Label("i", std::to_string(i));
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      ts.push_back(kT0 + i * 1000);
      values.push_back(i);
    }
    vme_add_result r{};
    REQUIRE_EQ(vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                            offsets.data(), ts.data(), values.data(), ts.size(), &r, &err),
               VME_OK);
    REQUIRE_EQ(r.rows_added, 100u);
    REQUIRE_EQ(vme_close(db, &err), VME_OK);
  }
  fs::remove(data / "flock.lock");
  const auto before = Tree(data);

  vme_db* db = nullptr;
  vme_error* err = nullptr;
  REQUIRE(OpenReadOnly(data, &db, &err) == VME_OK, "%s", vme_error_message(err));
  REQUIRE(!fs::exists(data / "flock.lock"), "a read-only open created flock.lock");
  uint64_t count = 0;
  REQUIRE_EQ(vme_series_count(db, nullptr, &count, &err), VME_OK);
  REQUIRE_EQ(count, 100u);
  vme_query* q = vme_query_create(0, INT64_MAX);
  REQUIRE_EQ(vme_query_add_selector(q, "m1", &err), VME_OK);
  vme_series_iter* it = nullptr;
  REQUIRE_EQ(vme_search(db, q, &it, &err), VME_OK);
  int series = 0;
  while (vme_series_iter_next(it, &err) == VME_OK) series++;
  REQUIRE_EQ(series, 33);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  REQUIRE_EQ(vme_flush(db, &err), VME_OK);
  REQUIRE_EQ(vme_close(db, &err), VME_OK);

  const auto after = Tree(data);
  std::string diff;
  for (const auto& [name, what] : before) {
    auto it2 = after.find(name);
    if (it2 == after.end()) {
      diff += "\n  removed " + name;
    } else if (it2->second != what) {
      diff += "\n  changed " + name + ": " + what + " -> " + it2->second;
    }
  }
  for (const auto& [name, what] : after) {
    if (before.count(name) == 0) diff += "\n  created " + name + " (" + what + ")";
  }
  REQUIRE(diff.empty(), "the read-only open changed the directory:%s", diff.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestMissingPathIsNotFound), VME_TEST(TestEmptyDirectoryIsNotFound),
       VME_TEST(TestPopulatedTreeUnchanged)},
      argc, argv);
}
