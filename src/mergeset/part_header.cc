#include "mergeset/part_header.h"

#include <cctype>
#include <cinttypes>
#include <cstdio>

#include "util/strings.h"

namespace vme::mergeset {
namespace {

std::string ToHex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * s.size());
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool FromHex(std::string_view h, std::string* out) {
  if (h.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < h.size(); i += 2) {
    const int a = HexVal(h[i]), b = HexVal(h[i + 1]);
    if (a < 0 || b < 0) return false;
    out->push_back(static_cast<char>(a * 16 + b));
  }
  return true;
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// A minimal reader for the flat JSON object of metadata.json. It never recurses: a nested
// object or array is not a scalar value and fails the parse ("trailing data" or "expected").
class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      pos_++;
    }
  }
  bool Consume(char c) {
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == c) {
      pos_++;
      return true;
    }
    return false;
  }
  bool Peek(char c) {
    SkipWs();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool String(std::string* out) {
    if (!Consume('"')) return false;
    out->clear();
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') return false;
      out->push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size()) return false;
    pos_++;
    return true;
  }
  // Returns the raw text of a scalar value (number, literal) or a string's contents.
  bool Value(std::string* out, bool* is_string) {
    SkipWs();
    if (Peek('"')) {
      *is_string = true;
      return String(out);
    }
    *is_string = false;
    out->clear();
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ' ' &&
           s_[pos_] != '\t' && s_[pos_] != '\n' && s_[pos_] != '\r') {
      out->push_back(s_[pos_++]);
    }
    return !out->empty();
  }
  bool AtEnd() {
    SkipWs();
    return pos_ == s_.size();
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::string PartHeader::ToJson() const {
  return "{\n\t\"ItemsCount\": " + std::to_string(items_count) +
         ",\n\t\"BlocksCount\": " + std::to_string(blocks_count) + ",\n\t\"FirstItem\": \"" +
         ToHex(first_item) + "\",\n\t\"LastItem\": \"" + ToHex(last_item) + "\"\n}";
}

Result<PartHeader> PartHeader::FromJson(std::string_view json, const std::string& path) {
  auto bad = [&](const std::string& what, size_t off) {
    return Status::Corruption("invalid " + path + " at offset " + std::to_string(off) + ": " +
                              what);
  };
  PartHeader ph;
  bool have_items = false, have_blocks = false;
  JsonReader r(json);
  if (!r.Consume('{')) return bad("expected '{'", r.pos());
  if (!r.Peek('}')) {
    for (;;) {
      std::string key, val;
      bool is_string = false;
      if (!r.String(&key)) return bad("expected a key", r.pos());
      if (!r.Consume(':')) return bad("expected ':'", r.pos());
      const size_t voff = r.pos();
      if (!r.Value(&val, &is_string)) return bad("expected a value", r.pos());
      if (EqualFold(key, "ItemsCount")) {
        if (is_string || !ParseUint64(val, &ph.items_count)) return bad("bad ItemsCount", voff);
        have_items = true;
      } else if (EqualFold(key, "BlocksCount")) {
        if (is_string || !ParseUint64(val, &ph.blocks_count)) return bad("bad BlocksCount", voff);
        have_blocks = true;
      } else if (EqualFold(key, "FirstItem")) {
        if (!is_string || !FromHex(val, &ph.first_item)) return bad("bad FirstItem", voff);
      } else if (EqualFold(key, "LastItem")) {
        if (!is_string || !FromHex(val, &ph.last_item)) return bad("bad LastItem", voff);
      }
      if (r.Consume(',')) continue;
      break;
    }
  }
  if (!r.Consume('}')) return bad("expected '}'", r.pos());
  if (!r.AtEnd()) return bad("trailing data", r.pos());
  if (!have_items || !have_blocks) return bad("missing ItemsCount or BlocksCount", 0);
  if (ph.items_count == 0) return bad("ItemsCount is 0", 0);
  if (ph.blocks_count == 0 || ph.blocks_count > ph.items_count) {
    return bad("BlocksCount " + std::to_string(ph.blocks_count) + " is out of range", 0);
  }
  if (ph.first_item > ph.last_item) return bad("FirstItem > LastItem", 0);
  return ph;
}

std::string PartName(uint64_t items_count, uint64_t blocks_count, uint64_t merge_idx) {
  return std::to_string(items_count) + "_" + std::to_string(blocks_count) + "_" + Hex16(merge_idx);
}

bool ParsePartName(std::string_view name, uint64_t* items_count, uint64_t* blocks_count,
                   uint64_t* merge_idx) {
  const size_t a = name.find('_');
  if (a == std::string_view::npos) return false;
  const size_t b = name.find('_', a + 1);
  if (b == std::string_view::npos || name.find('_', b + 1) != std::string_view::npos) {
    return false;
  }
  if (!ParseUint64(name.substr(0, a), items_count)) return false;
  if (!ParseUint64(name.substr(a + 1, b - a - 1), blocks_count)) return false;
  if (*items_count == 0 || *blocks_count == 0 || *blocks_count > *items_count) return false;
  if (merge_idx != nullptr) {
    const std::string_view h = name.substr(b + 1);
    uint64_t v = 0;
    if (h.empty() || h.size() > 16) {
      *merge_idx = 0;
    } else {
      for (char c : h) {
        const int d = HexVal(c);
        if (d < 0) {
          v = 0;
          break;
        }
        v = v * 16 + static_cast<uint64_t>(d);
      }
      *merge_idx = v;
    }
  }
  return true;
}

}  // namespace vme::mergeset
