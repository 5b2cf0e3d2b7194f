#include "storage/wal_state.h"

#include <xxhash.h>

#include <cstring>

#include "encoding/int.h"
#include "util/fs.h"

namespace vme::storage {
namespace {

constexpr char kStateMagic[8] = {'v', 'M', 'W', 'A', 'c', 'k', 'p', '1'};
constexpr size_t kStateSize = 48;

}  // namespace

std::string WalSegmentName(uint64_t seq) {
  char b[17];
  std::snprintf(b, sizeof(b), "%016llX", static_cast<unsigned long long>(seq));
  return b;
}

bool ParseWalSegmentName(const std::string& name, uint64_t* seq) {
  if (name.size() != 16) return false;
  uint64_t v = 0;
  for (char c : name) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *seq = v;
  return true;
}

Result<std::vector<uint64_t>> ListWalSegments(const std::string& dir) {
  std::vector<uint64_t> out;
  if (!fs::IsDir(dir)) return out;
  VME_ASSIGN_OR_RETURN(auto names, fs::ListDir(dir));
  for (const auto& n : names) {
    uint64_t seq;
    if (ParseWalSegmentName(n, &seq)) out.push_back(seq);
  }
  return out;  // ListDir sorts names; equal-width hex sorts as numbers
}

Status ReadWalState(const std::string& dir, WalState* state) {
  *state = WalState{};
  const std::string path = fs::Join(dir, "checkpoint");
  if (!fs::Exists(path)) return Status::OK();
  VME_ASSIGN_OR_RETURN(std::string b, fs::ReadFile(path));
  if (b.size() != kStateSize || std::memcmp(b.data(), kStateMagic, 8) != 0 ||
      XXH3_64bits(b.data(), 40) != enc::LoadU64(b.data() + 40)) {
    return Status::Corruption("WAL checkpoint file " + path + " is damaged (" +
                              std::to_string(b.size()) + " bytes; expected " +
                              std::to_string(kStateSize) + " with a valid magic and checksum)");
  }
  state->durable = {enc::LoadU64(b.data() + 8), enc::LoadU64(b.data() + 16)};
  state->check_until = {enc::LoadU64(b.data() + 24), enc::LoadU64(b.data() + 32)};
  return Status::OK();
}

Status WriteWalState(const std::string& dir, const WalState& state) {
  std::string b(kStateMagic, 8);
  enc::AppendU64(&b, state.durable.segment);
  enc::AppendU64(&b, state.durable.offset);
  enc::AppendU64(&b, state.check_until.segment);
  enc::AppendU64(&b, state.check_until.offset);
  enc::AppendU64(&b, XXH3_64bits(b.data(), b.size()));
  return fs::WriteFileAtomically(fs::Join(dir, "checkpoint"), b, /*overwrite=*/true);
}

}  // namespace vme::storage
