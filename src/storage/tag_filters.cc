#include "storage/tag_filters.h"

#include <re2/re2.h>

#include <algorithm>
#include <iterator>

#include "util/quote.h"

namespace vme::storage {
namespace {

constexpr std::string_view kMetricNameLabel = "__name__";
constexpr std::string_view kMetaChars = "\\.+*?()|[]{}^$";

bool IsEscapablePunct(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
    return false;
  }
  return true;
}

size_t RuneLen(std::string_view s) {
  size_t n;
  char32_t r = DecodeRune(s, &n);
  if (r == 0xfffd && n == 1) return 0;
  return n;
}

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Expands a regexp into the finite set of strings it may match. The result is a superset of the
// real language (anchors are treated as empty strings); callers filter it with RE2. Groups are
// handled with an explicit stack, so the expansion never recurses however deep they nest.
class OrValuesExpander {
 public:
  OrValuesExpander(std::string_view s, size_t max) : s_(s), max_(max) {}

  bool Run(std::vector<std::string>* out) {
    // stack[0] is the whole regexp, every other entry an open group.
    std::vector<Group> stack(1);
    while (!AtEnd()) {
      const char c = Peek();
      if (c == '|') {
        pos_++;
        if (!EndBranch(&stack.back())) return false;
        continue;
      }
      if (c == '(') {
        pos_++;
        if (!AtEnd() && Peek() == '?') {
          if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != ':') return false;
          pos_ += 2;
        }
        stack.emplace_back();
        continue;
      }
      std::vector<std::string> atom;
      if (c == ')') {
        if (stack.size() == 1) return false;
        pos_++;
        if (!EndBranch(&stack.back())) return false;
        atom = std::move(stack.back().alt);
        stack.pop_back();
      } else if (!ParseAtom(&atom)) {
        return false;
      }
      if (!AppendAtom(&stack.back(), std::move(atom))) return false;
    }
    if (stack.size() != 1) return false;
    if (!EndBranch(&stack.back())) return false;
    *out = std::move(stack.back().alt);
    return true;
  }

 private:
  // An alternation being read: the values of its finished branches and of the current one.
  struct Group {
    std::vector<std::string> alt;
    std::vector<std::string> concat{std::string()};
  };

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }

  // Ends the current branch of g at '|' or ')'.
  bool EndBranch(Group* g) {
    g->alt.insert(g->alt.end(), std::make_move_iterator(g->concat.begin()),
                  std::make_move_iterator(g->concat.end()));
    SortUnique(&g->alt);
    g->concat.assign(1, std::string());
    return g->alt.size() <= max_;
  }

  // Appends an atom (with an optional `?`) to the current branch of g.
  bool AppendAtom(Group* g, std::vector<std::string> atom) {
    if (!AtEnd() && Peek() == '?') {
      pos_++;
      if (!AtEnd() && Peek() == '?') pos_++;
      atom.emplace_back();
      SortUnique(&atom);
    }
    if (!AtEnd() && (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{')) {
      return false;
    }
    std::vector<std::string>& out = g->concat;
    if (atom.size() == 1) {
      // In place, so that a long literal costs linear time.
      for (auto& a : out) a.append(atom[0]);
      return true;
    }
    if (out.size() * atom.size() > max_ * max_) return false;
    std::vector<std::string> next;
    next.reserve(out.size() * atom.size());
    for (const auto& a : out) {
      for (const auto& b : atom) next.push_back(a + b);
    }
    SortUnique(&next);
    if (next.size() > max_) return false;
    out = std::move(next);
    return true;
  }

  // One atom other than a group.
  bool ParseAtom(std::vector<std::string>* out) {
    out->clear();
    char c = Peek();
    switch (c) {
      case '[':
        return ParseClass(out);
      case '\\':
        if (pos_ + 1 >= s_.size() || !IsEscapablePunct(s_[pos_ + 1])) return false;
        out->emplace_back(1, s_[pos_ + 1]);
        pos_ += 2;
        return true;
      case '^':
      case '$':
        pos_++;
        out->emplace_back();
        return true;
      default:
        break;
    }
    if (kMetaChars.find(c) != std::string_view::npos) return false;
    size_t n = RuneLen(s_.substr(pos_));
    if (n == 0) return false;
    out->emplace_back(s_.substr(pos_, n));
    pos_ += n;
    return true;
  }

  // One ASCII class member; false if unsupported.
  bool ClassChar(char* c) {
    if (AtEnd()) return false;
    char x = Peek();
    if (x == '\\') {
      if (pos_ + 1 >= s_.size() || !IsEscapablePunct(s_[pos_ + 1])) return false;
      *c = s_[pos_ + 1];
      pos_ += 2;
      return true;
    }
    if (x == '[' || x == ']' || static_cast<unsigned char>(x) >= 0x80) return false;
    *c = x;
    pos_++;
    return true;
  }

  bool ParseClass(std::vector<std::string>* out) {
    pos_++;
    if (AtEnd() || Peek() == '^' || Peek() == ']') return false;
    bool members[128] = {};
    bool first = true;
    while (!AtEnd() && Peek() != ']') {
      if (Peek() == '-' && !first && (pos_ + 1 >= s_.size() || s_[pos_ + 1] != ']')) return false;
      char lo;
      if (!ClassChar(&lo)) return false;
      char hi = lo;
      if (!AtEnd() && Peek() == '-' && pos_ + 1 < s_.size() && s_[pos_ + 1] != ']') {
        pos_++;
        if (!ClassChar(&hi)) return false;
        if (hi < lo) return false;
      }
      for (int ch = lo; ch <= hi; ch++) members[ch] = true;
      first = false;
    }
    if (AtEnd()) return false;
    pos_++;
    for (int ch = 0; ch < 128; ch++) {
      if (!members[ch]) continue;
      out->emplace_back(1, static_cast<char>(ch));
      if (out->size() > max_) return false;
    }
    return !out->empty();
  }

  std::string_view s_;
  size_t pos_ = 0;
  size_t max_;
};

// Parses `[.*|.+] lit [.*|.+]` where lit is a plain literal without '\n'.
bool ParseDotStarForm(std::string_view s, int* head, int* tail, std::string* lit) {
  auto dot = [](std::string_view t) -> int {
    if (t.size() >= 2 && t[0] == '.') {
      if (t[1] == '*') return 1;
      if (t[1] == '+') return 2;
    }
    return 0;
  };
  *head = dot(s);
  if (*head != 0) s.remove_prefix(2);
  lit->clear();
  while (!s.empty()) {
    char c = s[0];
    if (c == '\\') {
      if (s.size() < 2 || !IsEscapablePunct(s[1])) return false;
      lit->push_back(s[1]);
      s.remove_prefix(2);
      continue;
    }
    if (c == '\n') return false;
    if (kMetaChars.find(c) != std::string_view::npos) break;
    lit->push_back(c);
    s.remove_prefix(1);
  }
  *tail = dot(s);
  if (*tail != 0) s.remove_prefix(2);
  if (!s.empty()) return false;
  if (*head == 0 && *tail == 0) return false;
  if (lit->empty() && *head != 0 && *tail != 0) return false;
  return true;
}

std::string CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) n++;
  return std::string(a.substr(0, n));
}

// The error for a regexp RE2 rejects. RE2's own text ends with the offending part of the
// pattern, which may be the whole pattern: it is quoted and shortened like the pattern.
Status RegexpError(std::string_view regexp, const re2::RE2& re) {
  std::string_view what = re.error();
  const std::string& arg = re.error_arg();
  std::string detail;
  if (!arg.empty() && what.size() >= arg.size() + 2 &&
      what.substr(what.size() - arg.size()) == arg &&
      what.substr(what.size() - arg.size() - 2, 2) == ": ") {
    what.remove_suffix(arg.size() + 2);
    detail = ": " + QuoteForMessage(arg);
  }
  if (what.size() > kMaxQuotedInputBytes) what = what.substr(0, kMaxQuotedInputBytes);
  return Status::InvalidArgument("invalid regexp " + QuoteForMessage(regexp) + ": " +
                                 SanitizeMessage(what) + detail);
}

}  // namespace

Status CheckRegexpNesting(std::string_view regexp) {
  size_t depth = 0;
  size_t pos = 0;
  const size_t n = regexp.size();
  while (pos < n) {
    const char c = regexp[pos];
    if (c == '\\') {
      if (pos + 1 < n && regexp[pos + 1] == 'Q') {
        // \Q...\E: everything up to \E (or the end) is literal.
        const size_t end = regexp.find("\\E", pos + 2);
        pos = end == std::string_view::npos ? n : end + 2;
      } else {
        pos += 2;
      }
      continue;
    }
    if (c == '[') {
      // A character class: its parentheses are literal. `]` right after `[` or `[^` is a
      // member; `[:name:]` is a POSIX class; `\x` is an escaped member.
      pos++;
      if (pos < n && regexp[pos] == '^') pos++;
      if (pos < n && regexp[pos] == ']') pos++;
      while (pos < n && regexp[pos] != ']') {
        if (regexp[pos] == '\\') {
          pos += 2;
        } else if (regexp.substr(pos, 2) == "[:") {
          const size_t end = regexp.find(":]", pos + 2);
          pos = end == std::string_view::npos ? pos + 1 : end + 2;
        } else {
          pos++;
        }
      }
      pos++;
      continue;
    }
    if (c == '(') {
      if (++depth > kMaxRegexpNesting) {
        return Status::InvalidArgument(
            "invalid regexp " + QuoteForMessage(regexp) +
            ": expression nests too deeply (groups are nested more than " +
            std::to_string(kMaxRegexpNesting) + " deep)");
      }
    } else if (c == ')' && depth > 0) {
      depth--;
    }
    pos++;
  }
  return Status::OK();
}

bool RegexpOrValues(std::string_view regexp, const re2::RE2& re, size_t max_values,
                    std::vector<std::string>* values) {
  std::vector<std::string> candidates;
  OrValuesExpander expander(regexp, max_values);
  if (!expander.Run(&candidates)) return false;
  values->clear();
  for (auto& v : candidates) {
    if (re2::RE2::FullMatch(v, re)) values->push_back(std::move(v));
  }
  SortUnique(values);
  return true;
}

std::string RegexpLiteralPrefix(const re2::RE2& re) {
  std::string min, max;
  if (!re.PossibleMatchRange(&min, &max, 512)) return std::string();
  if (min > max) return std::string();
  return CommonPrefix(min, max);
}

Result<TagFilter> TagFilter::Create(std::string_view key, std::string_view value, bool is_negative,
                                    bool is_regexp) {
  TagFilter tf;
  if (key != kMetricNameLabel) tf.key_.assign(key);
  tf.value_.assign(value);
  tf.is_negative_ = is_negative;
  tf.is_regexp_ = is_regexp;
  if (!is_regexp) {
    tf.kind_ = Kind::kEqual;
    tf.has_or_values_ = true;
    tf.or_values_.assign(1, tf.value_);
    tf.literal_prefix_ = tf.value_;
  } else {
    VME_RETURN_IF_ERROR(CheckRegexpNesting(value));
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    {
      re2::RE2 standalone(value, opts);
      if (!standalone.ok()) return RegexpError(value, standalone);
    }
    std::string anchored = "(?:";
    anchored.append(value);
    anchored.push_back(')');
    auto re = std::make_shared<const re2::RE2>(anchored, opts);
    if (!re->ok()) return RegexpError(value, *re);
    tf.re_ = re;
    if (RegexpOrValues(value, *re, kMaxOrValues, &tf.or_values_)) {
      tf.kind_ = Kind::kOrValues;
      tf.has_or_values_ = true;
      if (!tf.or_values_.empty()) {
        tf.literal_prefix_ = tf.or_values_.front();
        for (const auto& v : tf.or_values_) {
          tf.literal_prefix_ = CommonPrefix(tf.literal_prefix_, v);
        }
      }
    } else if (ParseDotStarForm(value, &tf.head_, &tf.tail_, &tf.lit_)) {
      tf.kind_ = Kind::kDotStar;
      if (tf.head_ == 0) tf.literal_prefix_ = tf.lit_;
    } else if (value.substr(0, 4) == "(?s)" &&
               ParseDotStarForm(value.substr(4), &tf.head_, &tf.tail_, &tf.lit_)) {
      tf.kind_ = Kind::kDotStar;
      tf.dot_nl_ = true;
      if (tf.head_ == 0) tf.literal_prefix_ = tf.lit_;
    } else {
      tf.kind_ = Kind::kRegexp;
      tf.literal_prefix_ = RegexpLiteralPrefix(*re);
    }
  }
  tf.matches_empty_ = tf.Matches("");
  return tf;
}

bool TagFilter::MatchesPositive(std::string_view v) const {
  switch (kind_) {
    case Kind::kEqual:
      return v == value_;
    case Kind::kOrValues:
      return std::binary_search(or_values_.begin(), or_values_.end(), v);
    case Kind::kDotStar: {
      if (!dot_nl_ && v.find('\n') != std::string_view::npos) return false;
      const size_t n = lit_.size();
      if (head_ == 0) {
        if (v.substr(0, n) != lit_) return false;
        return tail_ == 1 || v.size() > n;
      }
      if (tail_ == 0) {
        if (v.size() < n || v.substr(v.size() - n) != lit_) return false;
        return head_ == 1 || v.size() > n;
      }
      size_t pos = v.find(lit_, head_ == 2 ? 1 : 0);
      if (pos == std::string_view::npos) return false;
      return tail_ == 1 || pos + n < v.size();
    }
    case Kind::kRegexp:
      return re2::RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
  }
  return false;
}

std::string TagFilter::ToString() const {
  std::string out = key_.empty() ? std::string(kMetricNameLabel) : key_;
  if (is_negative_) {
    out.append(is_regexp_ ? "!~" : "!=");
  } else {
    out.append(is_regexp_ ? "=~" : "=");
  }
  AppendGoQuote(&out, value_);
  return out;
}

Status TagFilters::Add(std::string_view key, std::string_view value, bool is_negative,
                       bool is_regexp) {
  if (is_regexp && !is_negative && value == ".*") return Status::OK();
  VME_ASSIGN_OR_RETURN(TagFilter tf, TagFilter::Create(key, value, is_negative, is_regexp));
  filters_.push_back(std::move(tf));
  return Status::OK();
}

void TagFilters::AddFilter(TagFilter tf) {
  if (tf.is_regexp() && !tf.is_negative() && tf.value() == ".*") return;
  filters_.push_back(std::move(tf));
}

bool TagFilters::AllMatchEmpty() const {
  for (const TagFilter& tf : filters_) {
    if (!tf.MatchesEmpty()) return false;
  }
  return true;
}

bool TagFilters::Matches(const MetricName& mn) const {
  for (const TagFilter& tf : filters_) {
    const std::string* v = mn.GetTagValue(tf.key());
    if (!tf.Matches(v == nullptr ? std::string_view() : std::string_view(*v))) return false;
  }
  return true;
}

std::string TagFilters::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < filters_.size(); i++) {
    if (i > 0) out.push_back(',');
    out.append(filters_[i].ToString());
  }
  out.push_back('}');
  return out;
}

}  // namespace vme::storage
