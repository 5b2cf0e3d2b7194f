// Every fuzz target body (fuzz/targets/*_fuzz.cc, compiled into this test by fuzz/CMakeLists.txt)
// over the inputs that once crashed it (fuzz/regressions/<name>/*) and over its seed corpus
// (fuzz/corpus/<name>/*), built with the suite's compiler and flags (under ASan+UBSan in
// build-asan/). A target that crashes, breaks one of its properties (VME_FUZZ_CHECK aborts) or
// trips a sanitizer fails the test; docs/fuzzing.md says how to add an input.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "check.h"
#include "fuzz_target.h"

namespace {

namespace stdfs = std::filesystem;

const stdfs::path kFuzzDir = VME_FUZZ_DIR;

std::vector<stdfs::path> Files(const stdfs::path& dir) {
  std::vector<stdfs::path> out;
  if (!stdfs::is_directory(dir)) return out;
  for (const auto& e : stdfs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Read(const stdfs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

const vme::fuzz::Target* Find(const std::string& name) {
  for (const auto& t : vme::fuzz::Targets()) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

size_t RunDir(const char* kind) {
  size_t inputs = 0;
  for (const auto& t : vme::fuzz::Targets()) {
    for (const stdfs::path& p : Files(kFuzzDir / kind / t.name)) {
      const std::string in = Read(p);
      std::fprintf(stderr, "%s %s\n", t.name, p.lexically_relative(kFuzzDir).c_str());
      t.body(reinterpret_cast<const uint8_t*>(in.data()), in.size());
      inputs++;
    }
  }
  return inputs;
}

// Every directory of fuzz/corpus and fuzz/regressions belongs to a target, and every target
// has seeds.
void TestDirectoriesNameTargets() {
  REQUIRE(!vme::fuzz::Targets().empty());
  std::set<std::string> names;
  for (const auto& t : vme::fuzz::Targets()) {
    REQUIRE(names.insert(t.name).second, "target %s registered twice", t.name);
    REQUIRE(!Files(kFuzzDir / "corpus" / t.name).empty(), "target %s has no seeds in fuzz/corpus",
            t.name);
  }
  for (const char* kind : {"corpus", "regressions"}) {
    if (!stdfs::is_directory(kFuzzDir / kind)) continue;
    for (const auto& e : stdfs::directory_iterator(kFuzzDir / kind)) {
      const std::string name = e.path().filename().string();
      REQUIRE(Find(name) != nullptr, "fuzz/%s/%s names no target", kind, name.c_str());
    }
  }
}

void TestRegressionInputs() { REQUIRE(RunDir("regressions") > 0); }

void TestSeedCorpus() { REQUIRE(RunDir("corpus") > 0); }

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestDirectoriesNameTargets), VME_TEST(TestRegressionInputs),
                              VME_TEST(TestSeedCorpus)},
                             argc, argv);
}
