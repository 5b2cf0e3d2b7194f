// Fuzz target `txn`: the transaction file parser of src/util/txn.h (txn::Parse with its path
// rule, txn::NormalizePath). Nothing is renamed or removed: only the text is parsed.
//
// Input: u8 root set (0: the roots of a data partition, small/2026_01 and big/2026_01; 1: a
// mergeset table), then the txn file text.
// Properties: a parsed transaction formats (txn::Format) to text that parses to the same
// transaction; every source and the final path are direct children of a root and the tmp path
// a direct child of a root's tmp/; NormalizePath is idempotent on every path.
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "util/txn.h"

namespace {

bool ChildOf(const std::string& path, const std::vector<std::string>& roots, const char* sub) {
  for (std::string r : roots) {
    if (*sub != '\0') r += std::string("/") + sub;
    if (path.size() > r.size() + 1 && path.compare(0, r.size(), r) == 0 && path[r.size()] == '/' &&
        path.find('/', r.size() + 1) == std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

VME_FUZZ_TARGET(txn) {
  using namespace vme::txn;
  static const std::vector<std::string> kPartition = {"/vme/data/small/2026_01",
                                                      "/vme/data/big/2026_01"};
  static const std::vector<std::string> kTable = {"/vme/indexdb/18E9F660777BD558"};
  vme::fuzz::Input in(data, size);
  const std::vector<std::string>& roots = in.U8() % 2 == 0 ? kPartition : kTable;
  const std::string_view text = in.Rest();
  const std::string name = "/vme/txn/0000000000000001";
  auto t = Parse(text, roots, name);
  if (!t.ok()) return;
  for (const std::string& s : t->sources) {
    VME_FUZZ_CHECK(ChildOf(s, roots, ""), "source outside the roots");
    VME_FUZZ_CHECK(NormalizePath(s) == s, "source not normal");
  }
  VME_FUZZ_CHECK(ChildOf(t->tmp, roots, "tmp"), "tmp path outside <root>/tmp");
  VME_FUZZ_CHECK(t->dst.empty() || ChildOf(t->dst, roots, ""), "final path outside the roots");
  VME_FUZZ_CHECK(NormalizePath(t->tmp) == t->tmp, "tmp path not normal");
  const std::string formatted = Format(*t);
  auto back = Parse(formatted, roots, name);
  VME_FUZZ_CHECK(back.ok(), "formatted transaction does not parse");
  VME_FUZZ_CHECK(back->sources == t->sources && back->tmp == t->tmp && back->dst == t->dst,
                 "parse(format(t)) differs from t");
}
