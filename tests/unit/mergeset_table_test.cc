// mergeset Table behaviour (VictoriaMetrics Table.AddItems, Table.mergeParts,
// Table.CreateSnapshotAt in lib/mergeset/table.go, TableSearch.Seek in
// lib/mergeset/table_search.go, tests in lib/mergeset/*_test.go): inserts, flushes, merges, search,
// reopen, transactions, prepareBlock, snapshots, corruption, concurrency.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "mergeset/part.h"
#include "mergeset/table.h"
#include "mergeset/table_search.h"
#include "util/fs.h"

#include "test_util.h"

namespace stdfs = std::filesystem;
using vme::Status;
using vme::mergeset::Table;
using vme::mergeset::TableOptions;
using vme::mergeset::TableSearch;

namespace {

std::vector<std::string> ReadAll(const Table& t, std::string_view from = "") {
  TableSearch ts(t);
  ts.Seek(from);
  std::vector<std::string> out;
  while (ts.NextItem()) out.emplace_back(ts.Item());
  REQUIRE_OK(ts.status());
  return out;
}

std::shared_ptr<Table> MustOpen(const std::string& dir, TableOptions opts = {}) {
  auto t = Table::Open(dir, std::move(opts));
  REQUIRE_OK(t.status());
  return *t;
}

std::vector<std::string> PartDirs(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : stdfs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory() && n != "tmp" && n != "txn") out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

void TestManyItems() {
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/table";
  auto t = MustOpen(dir);
  std::mt19937_64 rng(1);
  std::vector<std::string> all;
  const int kItems = 200000;
  std::vector<std::string> batch;
  for (int i = 0; i < kItems; i++) {
    std::string s;
    const uint64_t r = rng();
    if (i % 10 == 0 && !all.empty()) {
      s = all[r % all.size()];  // duplicate
    } else {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "key_%03d_%016llx", static_cast<int>(r % 500),
                    static_cast<unsigned long long>(r));
      s = buf;
      s.append(r % 17, 'z');
    }
    all.push_back(s);
    batch.push_back(s);
    if (batch.size() == 5000) {
      REQUIRE_OK(t->AddItems(batch));
      batch.clear();
    }
    if (i % 20000 == 19999) REQUIRE_OK(t->Flush());
  }
  REQUIRE_OK(t->AddItems(batch));
  REQUIRE_OK(t->Flush());
  REQUIRE_OK(t->Flush());  // no-op
  REQUIRE_EQ(t->Stats().parts, 10);
  std::sort(all.begin(), all.end());

  REQUIRE(ReadAll(*t) == all);
  bool merged = false;
  REQUIRE_OK(t->MergeOnce(false, &merged));
  REQUIRE(merged);  // 10 equal-sized parts: score >= 7.5
  REQUIRE_EQ(t->Stats().parts, 1);
  REQUIRE(ReadAll(*t) == all);
  REQUIRE_OK(t->MergeOnce(true, &merged));
  REQUIRE(!merged);

  // More parts of different sizes, then a final merge and MergeAll.
  for (int k = 0; k < 3; k++) {
    std::vector<std::string> more;
    for (int i = 0; i < 1000 * (k + 1); i++) more.push_back("more_" + std::to_string(rng() % 5000));
    REQUIRE_OK(t->AddItems(more));
    REQUIRE_OK(t->Flush());
    all.insert(all.end(), more.begin(), more.end());
  }
  std::sort(all.begin(), all.end());
  REQUIRE(ReadAll(*t) == all);
  REQUIRE_OK(t->MergeOnce(true, &merged));
  REQUIRE(merged);
  REQUIRE_OK(t->MergeAll());
  REQUIRE_EQ(t->Stats().parts, 1);
  REQUIRE_EQ(t->Stats().items, all.size());
  REQUIRE(ReadAll(*t) == all);

  // Seeks: every 997th item is found; seeks between items land on the next one.
  TableSearch ts(*t);
  for (size_t i = 0; i < all.size(); i += 997) {
    ts.Seek(all[i]);
    REQUIRE(ts.NextItem());
    REQUIRE(ts.Item() == all[i]);
    const size_t first = std::lower_bound(all.begin(), all.end(), all[i]) - all.begin();
    // Duplicates come back in full.
    size_t n = 1;
    while (ts.NextItem() && ts.Item() == all[i]) n++;
    size_t want = 0;
    for (size_t j = first; j < all.size() && all[j] == all[i]; j++) want++;
    REQUIRE_EQ(n, want);
    const std::string between = all[i] + '\0';
    ts.Seek(between);
    auto it = std::lower_bound(all.begin(), all.end(), between);
    if (it == all.end()) {
      REQUIRE(!ts.NextItem());
    } else {
      REQUIRE(ts.NextItem());
      REQUIRE(ts.Item() == *it);
    }
  }
  std::string got;
  REQUIRE_OK(ts.FirstItemWithPrefix("key_123_", &got));
  REQUIRE(got == *std::lower_bound(all.begin(), all.end(), std::string("key_123_")));
  REQUIRE_EQ(static_cast<int>(ts.FirstItemWithPrefix("nope", &got).code()),
             static_cast<int>(vme::Code::kNotFound));
  ts.Seek("\xff");
  REQUIRE(!ts.NextItem());
  REQUIRE_OK(ts.status());

  // Reopen after Close.
  REQUIRE_OK(t->Close());
  REQUIRE_OK(t->Close());
  REQUIRE_EQ(static_cast<int>(t->AddItems(std::vector<std::string>{"x"}).code()),
             static_cast<int>(vme::Code::kClosed));
  t.reset();
  t = MustOpen(dir);
  REQUIRE(ReadAll(*t) == all);
}

void TestLockAndLimits() {
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/t";
  auto t = MustOpen(dir);
  auto t2 = Table::Open(dir, {});
  REQUIRE(!t2.ok());
  REQUIRE_EQ(static_cast<int>(t2.status().code()), static_cast<int>(vme::Code::kLocked));
  REQUIRE_EQ(static_cast<int>(
                 t->AddItems(std::vector<std::string>{std::string(64 * 1024 + 1, 'a')}).code()),
             static_cast<int>(vme::Code::kInvalidArgument));
  // Items of exactly 64 KiB and empty items are fine.
  REQUIRE_OK(t->AddItems(
      std::vector<std::string>{std::string(64 * 1024, 'b'), "", "", std::string(64 * 1024, 'a')}));
  REQUIRE_OK(t->Flush());
  auto items = ReadAll(*t);
  REQUIRE_EQ(items.size(), 4);
  REQUIRE(items[0].empty() && items[1].empty() && items[2][0] == 'a' && items[3][0] == 'b');
  auto flag = vme::fs::ReadFile(dir + "/converted-to-v1.28.0");
  REQUIRE_OK(flag.status());
  REQUIRE_EQ(flag->c_str(), "ok");
  REQUIRE_OK(t->Close());
  t2 = Table::Open(dir, {});
  REQUIRE_OK(t2.status());
  REQUIRE_EQ(ReadAll(**t2).size(), 4);
}

void TestTxnReplay() {
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/t";
  {
    auto t = MustOpen(dir);
    REQUIRE_OK(t->AddItems(std::vector<std::string>{"a1", "a2", "a3"}));
    REQUIRE_OK(t->Flush());
    REQUIRE_OK(t->AddItems(std::vector<std::string>{"b1", "b2"}));
    REQUIRE_OK(t->Flush());
    REQUIRE_OK(t->Close());
  }
  auto parts = PartDirs(dir);
  REQUIRE_EQ(parts.size(), 2);
  const std::string a = parts[0][0] == '3' ? parts[0] : parts[1];
  const std::string b = parts[0][0] == '3' ? parts[1] : parts[0];
  // A crashed merge: its output (a copy of part a) waits in tmp/, the txn file says "remove
  // b, move tmp into place".
  const std::string tmp_part = dir + "/tmp/00000000000000AA";
  stdfs::copy(dir + "/" + a, tmp_part, stdfs::copy_options::recursive);
  const std::string dst = dir + "/3_1_00000000000000AA";
  WriteFile(dir + "/txn/00000000000000AA", dir + "/" + b + "\n" + tmp_part + " -> " + dst + "\n");
  WriteFile(dir + "/txn/00000000000000AB.tmp.7", "garbage that must be skipped");
  stdfs::create_directory(dir + "/tmp/leftover");
  stdfs::create_directory(dir + "/empty_dir");
  {
    auto t = MustOpen(dir);
    auto items = ReadAll(*t);
    REQUIRE(items == (std::vector<std::string>{"a1", "a1", "a2", "a2", "a3", "a3"}));
    REQUIRE(!vme::fs::Exists(dir + "/" + b));
    REQUIRE(vme::fs::Exists(dst));
    REQUIRE(!vme::fs::Exists(dir + "/empty_dir"));
    REQUIRE(!vme::fs::Exists(dir + "/tmp/leftover"));
    REQUIRE(!vme::fs::Exists(dir + "/txn/00000000000000AA"));
    REQUIRE(vme::fs::ListDir(dir + "/txn")->empty());
    // New parts get merge indexes after the largest existing one.
    REQUIRE_OK(t->AddItems(std::vector<std::string>{"c"}));
    REQUIRE_OK(t->Flush());
    REQUIRE_OK(t->Close());
  }
  // Replaying the same transaction again is harmless (idempotent).
  WriteFile(dir + "/txn/00000000000000AA", dir + "/" + b + "\n" + tmp_part + " -> " + dst + "\n");
  {
    auto t = MustOpen(dir);
    REQUIRE_EQ(ReadAll(*t).size(), 7);
    REQUIRE_OK(t->Close());
  }
  // A transaction pointing outside the table is rejected.
  WriteFile(dir + "/txn/00000000000000AC", "/etc\n" + tmp_part + " -> " + dst + "\n");
  REQUIRE(!Table::Open(dir, {}).ok());
  WriteFile(dir + "/txn/00000000000000AC", "no arrow here\n");
  REQUIRE(!Table::Open(dir, {}).ok());
}

// A prepare_block callback written on string vectors.
vme::mergeset::PrepareBlockFn OnStrings(std::function<void(std::vector<std::string>*)> f) {
  return [f](const vme::mergeset::InmemoryBlock& in, vme::mergeset::InmemoryBlock* out) {
    std::vector<std::string> items;
    for (size_t i = 0; i < in.size(); i++) items.emplace_back(in.item(i));
    f(&items);
    for (const auto& it : items) out->Append(it);
  };
}

void TestPrepareBlock() {
  vme::test::TempDir tmp;
  std::atomic<int> calls{0};
  TableOptions opts;
  // Drops duplicates except the first and last item of the block.
  opts.prepare_block = OnStrings([&](std::vector<std::string>* items) {
    calls++;
    std::vector<std::string> out;
    for (size_t i = 0; i < items->size(); i++) {
      if (i > 0 && i + 1 < items->size() && (*items)[i] == out.back()) continue;
      out.push_back((*items)[i]);
    }
    *items = out;
  });
  auto t = MustOpen(tmp.path() + "/t", opts);
  REQUIRE_OK(t->AddItems(std::vector<std::string>{"a", "b", "b", "b", "c", "c", "d"}));
  REQUIRE_OK(t->Flush());
  REQUIRE(calls > 0);
  REQUIRE(ReadAll(*t) == (std::vector<std::string>{"a", "b", "c", "d"}));
  REQUIRE_OK(t->AddItems(std::vector<std::string>{"a", "b", "c", "e"}));
  REQUIRE_OK(t->Flush());
  REQUIRE_OK(t->MergeAll());
  // The merged block a,a,b,b,c,c,d,e is compacted again (first and last kept).
  REQUIRE(ReadAll(*t) == (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  REQUIRE_OK(t->Close());

  // A callback that breaks the rules is ignored.
  for (int mode = 0; mode < 4; mode++) {
    vme::test::TempDir tmp2;
    TableOptions bad;
    bad.prepare_block = OnStrings([mode](std::vector<std::string>* items) {
      switch (mode) {
        case 0:
          (*items)[0] = "changed";
          break;
        case 1:
          std::reverse(items->begin(), items->end());
          break;
        case 2:
          items->clear();
          break;
        default:
          items->insert(items->begin() + 1, "zzz");
      }
    });
    auto t2 = MustOpen(tmp2.path() + "/t", bad);
    REQUIRE_OK(t2->AddItems(std::vector<std::string>{"x", "y", "z"}));
    REQUIRE_OK(t2->Flush());
    REQUIRE(ReadAll(*t2) == (std::vector<std::string>{"x", "y", "z"}));
  }
}

// Shards that fill up are written by the table's flusher thread; Flush waits for them, so every
// item added before it is searchable after it, and each full shard became one part.
void TestBackgroundFlush() {
  vme::test::TempDir tmp;
  auto t = MustOpen(tmp.path() + "/t");
  // One call that fills a shard: all its items go to the flusher and no shard holds any, so
  // only the wait for the flusher makes them searchable after Flush.
  std::vector<std::string> big;
  for (size_t i = 0; i < vme::mergeset::kMaxBufferedBytes / 64; i++) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "big_%09zu_", i);
    big.push_back(std::string(buf) + std::string(60, 'b'));
  }
  REQUIRE_OK(t->AddItems(big));
  REQUIRE_OK(t->Flush());
  REQUIRE_EQ(ReadAll(*t).size(), big.size());
  const size_t kPerThread = 3 * vme::mergeset::kMaxBufferedBytes / 128;
  auto add = [&](int th) {
    std::vector<std::string> batch;
    for (size_t i = 0; i < kPerThread; i++) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%d_%09zu_", th, i);
      batch.push_back(std::string(buf) + std::string(100, 'v'));
      if (batch.size() == 1000) {
        REQUIRE_OK(t->AddItems(batch));
        batch.clear();
      }
    }
    REQUIRE_OK(t->AddItems(batch));
  };
  std::thread a(add, 0), b(add, 1);
  a.join();
  b.join();
  REQUIRE_OK(t->Flush());
  REQUIRE(t->Stats().parts >= 2);
  REQUIRE_EQ(ReadAll(*t).size(), big.size() + 2 * kPerThread);
  REQUIRE_OK(t->Close());
  auto reopened = MustOpen(tmp.path() + "/t");
  REQUIRE_EQ(ReadAll(*reopened).size(), big.size() + 2 * kPerThread);
}

void TestSnapshot() {
  vme::test::TempDir tmp;
  const std::string dir = tmp.path() + "/t";
  auto t = MustOpen(dir);
  REQUIRE_OK(t->AddItems(std::vector<std::string>{"s1", "s2"}));
  REQUIRE_OK(t->Flush());
  REQUIRE_OK(t->AddItems(std::vector<std::string>{"s0"}));  // flushed by the snapshot
  REQUIRE(!t->CreateSnapshotAt(dir + "/snapshots/x").ok());
  const std::string snap = tmp.path() + "/snap";
  REQUIRE_OK(t->CreateSnapshotAt(snap));
  REQUIRE(!t->CreateSnapshotAt(snap).ok());
  auto want = ReadAll(*t);
  REQUIRE_EQ(want.size(), 3);
  REQUIRE_OK(t->MergeAll());
  REQUIRE_OK(t->AddItems(std::vector<std::string>{"later"}));
  REQUIRE_OK(t->Flush());
  REQUIRE(vme::fs::Exists(snap + "/converted-to-v1.28.0"));
  auto s = MustOpen(snap);
  REQUIRE(ReadAll(*s) == want);
}

void TestSearchSurvivesMerge() {
  vme::test::TempDir tmp;
  auto t = MustOpen(tmp.path() + "/t");
  std::vector<std::string> all;
  for (int p = 0; p < 3; p++) {
    std::vector<std::string> v;
    for (int i = 0; i < 3000; i++) v.push_back("item" + std::to_string(p * 100000 + i));
    REQUIRE_OK(t->AddItems(v));
    REQUIRE_OK(t->Flush());
    all.insert(all.end(), v.begin(), v.end());
  }
  std::sort(all.begin(), all.end());
  TableSearch ts(*t);
  ts.Seek("");
  REQUIRE(ts.NextItem());
  REQUIRE_OK(t->MergeAll());  // the old part directories are removed now
  REQUIRE_EQ(t->Stats().parts, 1);
  std::vector<std::string> got{std::string(ts.Item())};
  while (ts.NextItem()) got.emplace_back(ts.Item());
  REQUIRE_OK(ts.status());
  REQUIRE(got == all);
}

void TestCorruption() {
  std::vector<std::string> v;
  for (int i = 0; i < 20000; i++) v.push_back("corrupt_item_" + std::to_string(i * 7919 % 100000));
  auto make = [&](const std::string& dir) {
    auto t = MustOpen(dir);
    REQUIRE_OK(t->AddItems(v));
    REQUIRE_OK(t->Flush());
    REQUIRE_OK(t->Close());
    return dir + "/" + PartDirs(dir)[0];
  };
  auto expect_error = [](const std::string& dir) {
    auto t = Table::Open(dir, {});
    if (!t.ok()) {
      REQUIRE(static_cast<int>(t.status().code()) != 0);
      return;
    }
    TableSearch ts(**t);
    ts.Seek("");
    size_t n = 0;
    while (ts.NextItem()) n++;
    (*t)->MergeAll().IgnoreError();
    // Either the search or the open reported the damage; never a crash.
    if (ts.status().ok()) REQUIRE(n <= 20000);
  };
  {
    vme::test::TempDir tmp;
    const std::string part = make(tmp.path() + "/t");
    ::truncate((part + "/items.bin").c_str(), 100);
    // As in a part VictoriaMetrics wrote (no checksum sidecar): the damage is found on read.
    std::filesystem::remove(part + "/vmengine_checksums.bin");
    auto t = Table::Open(tmp.path() + "/t", {});
    REQUIRE_OK(t.status());
    TableSearch ts(**t);
    ts.Seek("");
    while (ts.NextItem()) {
    }
    REQUIRE_EQ(static_cast<int>(ts.status().code()), static_cast<int>(vme::Code::kCorruption));
    REQUIRE(ts.status().message().find("items.bin") != std::string::npos);
    REQUIRE_OK((*t)->AddItems(std::vector<std::string>{"x"}));
    REQUIRE_OK((*t)->Flush());
    Status st = (*t)->MergeAll();
    REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kCorruption));
    REQUIRE_EQ((*t)->Stats().parts, 2);
    REQUIRE(vme::fs::ListDir(tmp.path() + "/t/tmp")->empty());
  }
  {
    vme::test::TempDir tmp;
    const std::string part = make(tmp.path() + "/t");
    WriteFile(part + "/metaindex.bin", "garbage metaindex");
    auto t = Table::Open(tmp.path() + "/t", {});
    REQUIRE_EQ(static_cast<int>(t.status().code()), static_cast<int>(vme::Code::kCorruption));
    REQUIRE(t.status().message().find("metaindex.bin") != std::string::npos);
  }
  {
    vme::test::TempDir tmp;
    const std::string part = make(tmp.path() + "/t");
    WriteFile(part + "/metadata.json", "{\"ItemsCount\": 5, \"BlocksCount\": 1}");
    REQUIRE(!Table::Open(tmp.path() + "/t", {}).ok());
  }
  {
    vme::test::TempDir tmp;
    const std::string part = make(tmp.path() + "/t");
    stdfs::rename(part, tmp.path() + "/t/bad_name");
    REQUIRE(!Table::Open(tmp.path() + "/t", {}).ok());
  }
  // Random byte flips in every file: errors, never crashes.
  std::mt19937_64 rng(5);
  for (const char* file : {"index.bin", "items.bin", "lens.bin", "metaindex.bin"}) {
    for (int k = 0; k < 8; k++) {
      vme::test::TempDir tmp;
      const std::string part = make(tmp.path() + "/t");
      auto data = vme::fs::ReadFile(part + "/" + file);
      REQUIRE_OK(data.status());
      std::string d = *data;
      if (d.empty()) continue;
      for (int j = 0; j < 1 + k; j++) d[rng() % d.size()] ^= static_cast<char>(1 + rng() % 255);
      if (k == 7) d.resize(rng() % d.size());
      WriteFile(part + "/" + file, d);
      expect_error(tmp.path() + "/t");
    }
  }
}

void TestConcurrency() {
  vme::test::TempDir tmp;
  auto t = MustOpen(tmp.path() + "/t");
  std::atomic<bool> stop{false};
  // Worker threads must not fail checks: each records its first error for the test thread.
  std::vector<std::string> errors(4);
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; w++) {
    writers.emplace_back([&, w] {
      for (int round = 0; round < 20; round++) {
        std::vector<std::string> v;
        for (int i = 0; i < 500; i++) {
          v.push_back("w" + std::to_string(w) + "_" + std::to_string(round * 1000 + i));
        }
        vme::Status st = t->AddItems(v);
        if (st.ok()) st = t->Flush();
        bool merged;
        if (st.ok()) st = t->MergeOnce(round % 5 == 4, &merged);
        if (!st.ok()) {
          errors[w] = "writer " + std::to_string(w) + ": " + st.ToString();
          return;
        }
      }
    });
  }
  std::thread reader([&] {
    while (!stop) {
      TableSearch ts(*t);
      ts.Seek("");
      std::string prev;
      while (ts.NextItem()) {
        if (std::string(ts.Item()) < prev) {
          errors[3] = "reader: " + std::string(ts.Item()) + " after " + prev;
          return;
        }
        prev.assign(ts.Item());
      }
      if (!ts.status().ok()) {
        errors[3] = "reader: " + ts.status().ToString();
        return;
      }
    }
  });
  for (auto& th : writers) th.join();
  stop = true;
  reader.join();
  for (const auto& e : errors) REQUIRE(e.empty(), "%s", e.c_str());
  REQUIRE_OK(t->MergeAll());
  auto all = ReadAll(*t);
  REQUIRE_EQ(all.size(), 3 * 20 * 500);
  REQUIRE_EQ(t->Stats().parts, 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestManyItems),    VME_TEST(TestLockAndLimits), VME_TEST(TestTxnReplay),
      VME_TEST(TestPrepareBlock), VME_TEST(TestSnapshot),      VME_TEST(TestSearchSurvivesMerge),
      VME_TEST(TestCorruption),   VME_TEST(TestConcurrency),   VME_TEST(TestBackgroundFlush),
  };
  return vme::test::RunTests(tests, argc, argv);
}
