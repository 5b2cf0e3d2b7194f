// The test harness itself (check.h): failed checks unwind, REQUIRE_EQ keeps its operands'
// temporaries alive while it compares them, and worker threads report failures through
// Collect() instead of checking.
#include <string>
#include <thread>

#include "check.h"

namespace {

std::string Long(char c) { return std::string(100, c); }  // heap-allocated, not SSO

// Returns the message of the Failure that fn() throws, or "" if it throws none.
template <typename Fn>
std::string FailureOf(Fn&& fn) {
  try {
    fn();
  } catch (const vme::test::Failure& f) {
    return f.message;
  }
  return "";
}

void TestFailedCheckUnwinds() {
  bool destroyed = false;
  struct Guard {
    bool* flag;
    ~Guard() { *flag = true; }
  };
  const std::string m = FailureOf([&] {
    Guard g{&destroyed};
    REQUIRE(1 + 1 == 3, "arithmetic %d", 42);
  });
  REQUIRE(destroyed);
  REQUIRE(m.find("REQUIRE(1 + 1 == 3)") != std::string::npos, "%s", m.c_str());
  REQUIRE(m.find("arithmetic 42") != std::string::npos, "%s", m.c_str());
  REQUIRE(m.find("check_test.cc:") != std::string::npos, "%s", m.c_str());
}

void TestRequireEqOperands() {
  // Pointers into temporaries stay valid until the comparison is done.
  REQUIRE_EQ(Long('a').c_str(), Long('a').c_str());
  REQUIRE_EQ(Long('b').c_str(), Long('b'));
  const std::string m = FailureOf([] { REQUIRE_EQ(Long('c').c_str(), Long('d').c_str()); });
  REQUIRE(m.find("\"" + Long('c') + "\" != \"" + Long('d') + "\"") != std::string::npos, "%s",
          m.c_str());
  // Integers of different signedness compare by value; chars and bools with ==.
  REQUIRE_EQ(size_t{3}, 3);
  REQUIRE(!FailureOf([] { REQUIRE_EQ(static_cast<unsigned>(-1), -1); }).empty());
  REQUIRE_EQ('x', 'x');
  REQUIRE_EQ(true, 1 == 1);
}

void TestCollectOnWorker() {
  std::string failed, passed, returned;
  std::thread t([&] {
    failed = vme::test::Collect([]() -> std::string {
      REQUIRE(2 < 1, "on a worker");
      return "";
    });
    passed = vme::test::Collect([]() -> std::string { return ""; });
    returned = vme::test::Collect([]() -> std::string { return "a message"; });
  });
  t.join();
  REQUIRE(failed.find("on a worker") != std::string::npos, "%s", failed.c_str());
  REQUIRE(passed.empty(), "%s", passed.c_str());
  REQUIRE_EQ(returned, "a message");
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestFailedCheckUnwinds), VME_TEST(TestRequireEqOperands),
                              VME_TEST(TestCollectOnWorker)},
                             argc, argv);
}
