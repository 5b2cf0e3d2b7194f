// BlockCache byte budget: Put evicts the least recently used entries beyond it, and
// SetCapacity (ConfigureBlockCaches) shrinks a filled cache at once.
#include "mergeset/block_cache.h"

#include <string>

#include "check.h"

namespace {

using vme::mergeset::BlockCache;

void TestPutEvictsBeyondBudget() {
  BlockCache<std::string> c(1000);
  for (uint64_t i = 0; i < 20; i++) c.Put(1, i, std::make_shared<const std::string>("x"), 100);
  // 10 entries of 100 bytes fit; the 10 oldest were evicted.
  for (uint64_t i = 0; i < 10; i++) REQUIRE(c.Get(1, i) == nullptr);
  for (uint64_t i = 10; i < 20; i++) REQUIRE(c.Get(1, i) != nullptr);
}

void TestSetCapacityShrinks() {
  BlockCache<std::string> c(1000);
  for (uint64_t i = 0; i < 10; i++) c.Put(1, i, std::make_shared<const std::string>("x"), 100);
  REQUIRE(c.Get(1, 0) != nullptr);  // now the most recently used
  c.SetCapacity(300);
  // The three most recently used stay: 0, 9, 8.
  REQUIRE(c.Get(1, 0) != nullptr);
  REQUIRE(c.Get(1, 9) != nullptr);
  REQUIRE(c.Get(1, 8) != nullptr);
  for (uint64_t i = 1; i < 8; i++) REQUIRE(c.Get(1, i) == nullptr);
  // An entry larger than 1/8 of the new budget is not cached.
  c.Put(2, 0, std::make_shared<const std::string>("y"), 100);
  REQUIRE(c.Get(2, 0) == nullptr);
  c.SetCapacity(2000);
  c.Put(2, 0, std::make_shared<const std::string>("y"), 100);
  REQUIRE(c.Get(2, 0) != nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestPutEvictsBeyondBudget), VME_TEST(TestSetCapacityShrinks)}, argc, argv);
}
