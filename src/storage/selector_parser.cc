#include "storage/selector_parser.h"

#include <string>
#include <vector>

#include "storage/metric_name.h"
#include "util/quote.h"

namespace vme::storage {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

struct Matcher {
  std::string name;
  std::string value;
  bool negative = false;
  bool regexp = false;
  size_t offset = 0;
  size_t value_offset = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Status Parse(TagFilters* out) {
    SkipSpace();
    if (AtEnd()) {
      return Status::InvalidArgument(
          "selector: unexpected end of input at offset " + std::to_string(pos_) +
          ": the selector is empty; give a metric name, matchers in braces or both, e.g. up, "
          "{job=\"node\"} or up{job=\"node\"}");
    }
    std::string metric;
    size_t metric_offset = 0;
    bool has_metric = false;
    if (!AtEnd() && (IsAlpha(Peek()) || Peek() == ':')) {
      metric_offset = pos_;
      while (!AtEnd() && (IsAlpha(Peek()) || IsDigit(Peek()) || Peek() == ':')) pos_++;
      metric.assign(s_.substr(metric_offset, pos_ - metric_offset));
      has_metric = true;
      SkipSpace();
    }
    std::vector<Matcher> matchers;
    if (has_metric) {
      Matcher m;
      m.name = "__name__";
      m.value = metric;
      m.offset = metric_offset;
      m.value_offset = metric_offset;
      matchers.push_back(std::move(m));
    }
    if (!AtEnd() && Peek() == '{') {
      pos_++;
      VME_RETURN_IF_ERROR(ParseMatchers(&matchers));
      SkipSpace();
    } else if (!has_metric) {
      return Unexpected("a metric name or '{'");
    }
    if (!AtEnd()) return Unexpected("end of selector");

    std::vector<TagFilter> filters;
    for (size_t i = 0; i < matchers.size(); i++) {
      const Matcher& m = matchers[i];
      if (has_metric && i > 0 && m.name == "__name__") {
        return Status::InvalidArgument(
            "selector: metric name must not be set twice: " + QuoteForMessage(metric) +
            " and the __name__ matcher at offset " + std::to_string(m.offset));
      }
      auto tf = TagFilter::Create(m.name, m.value, m.negative, m.regexp);
      if (!tf.ok()) {
        return Status::InvalidArgument("selector: " + tf.status().message() + " at offset " +
                                       std::to_string(m.value_offset));
      }
      filters.push_back(std::move(tf).value());
    }
    bool all_match_empty = true;
    for (const auto& tf : filters) all_match_empty = all_match_empty && tf.MatchesEmpty();
    if (all_match_empty) {
      // As Prometheus' parser: such a selector would select every series lacking the labels.
      return Status::InvalidArgument(
          std::string("selector: vector selector must contain at least one non-empty matcher, "
                      "i.e. at least one matcher that does not match the empty value \"\" (") +
          (filters.empty() ? "there is no matcher"
                           : "every matcher here matches \"\", so the selector would select every "
                             "series without these labels") +
          "); add a metric name or such a matcher (every series: {__name__=~\".+\"})");
    }
    for (auto& tf : filters) out->AddFilter(std::move(tf));
    return Status::OK();
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(Peek())) pos_++;
  }

  Status Unexpected(std::string_view expected) const {
    if (AtEnd()) {
      return Status::InvalidArgument("selector: unexpected end of input at offset " +
                                     std::to_string(pos_) + ", expected " + std::string(expected));
    }
    std::string ch;
    size_t n;
    char32_t r = DecodeRune(s_.substr(pos_), &n);
    if (r == '\'') {
      ch = "'\\''";
    } else if (IsPrintRune(r) && !(r == 0xfffd && n == 1)) {
      // Appended piecewise: `"'" + std::string(...)` trips gcc 12's -Wrestrict at -O3.
      ch.push_back('\'');
      ch.append(s_.substr(pos_, n));
      ch.push_back('\'');
    } else {
      ch = GoQuote(s_.substr(pos_, n));
    }
    return Status::InvalidArgument("selector: unexpected character " + ch + " at offset " +
                                   std::to_string(pos_) + ", expected " + std::string(expected));
  }

  Status ParseMatchers(std::vector<Matcher>* matchers) {
    for (;;) {
      SkipSpace();
      if (!AtEnd() && Peek() == '}') {
        pos_++;
        return Status::OK();
      }
      if (AtEnd() || !IsAlpha(Peek())) return Unexpected("a label name or '}'");
      Matcher m;
      m.offset = pos_;
      while (!AtEnd() && (IsAlpha(Peek()) || IsDigit(Peek()))) pos_++;
      m.name.assign(s_.substr(m.offset, pos_ - m.offset));
      SkipSpace();
      if (AtEnd()) return Unexpected("a match operator");
      if (Peek() == '=') {
        pos_++;
        if (!AtEnd() && Peek() == '~') {
          m.regexp = true;
          pos_++;
        }
      } else if (Peek() == '!') {
        pos_++;
        if (AtEnd() || (Peek() != '=' && Peek() != '~')) return Unexpected("'=' or '~'");
        m.negative = true;
        m.regexp = Peek() == '~';
        pos_++;
      } else {
        return Unexpected("a match operator");
      }
      SkipSpace();
      m.value_offset = pos_;
      VME_RETURN_IF_ERROR(ParseString(&m.value));
      matchers->push_back(std::move(m));
      SkipSpace();
      if (AtEnd()) return Unexpected("',' or '}'");
      if (Peek() == ',') {
        pos_++;
        SkipSpace();
        if (!AtEnd() && Peek() == '}') {
          pos_++;
          return Status::OK();
        }
        continue;
      }
      if (Peek() == '}') {
        pos_++;
        return Status::OK();
      }
      return Unexpected("',' or '}'");
    }
  }

  Status ParseString(std::string* out) {
    out->clear();
    if (AtEnd()) return Unexpected("a quoted string");
    const char quote = Peek();
    const size_t start = pos_;
    if (quote == '`') {
      size_t end = s_.find('`', pos_ + 1);
      if (end == std::string_view::npos) {
        return Status::InvalidArgument("selector: unterminated raw string starting at offset " +
                                       std::to_string(start));
      }
      for (char c : s_.substr(pos_ + 1, end - pos_ - 1)) {
        if (c != '\r') out->push_back(c);
      }
      pos_ = end + 1;
      return Status::OK();
    }
    if (quote != '"' && quote != '\'') return Unexpected("a quoted string");
    pos_++;
    for (;;) {
      if (AtEnd() || Peek() == '\n') {
        return Status::InvalidArgument("selector: unterminated quoted string starting at offset " +
                                       std::to_string(start));
      }
      char c = Peek();
      if (c == quote) {
        pos_++;
        return Status::OK();
      }
      if (c != '\\') {
        out->push_back(c);
        pos_++;
        continue;
      }
      VME_RETURN_IF_ERROR(ParseEscape(quote, out));
    }
  }

  Status EscapeError(size_t offset, const std::string& what) const {
    return Status::InvalidArgument("selector: " + what + " at offset " + std::to_string(offset));
  }

  Status ParseEscape(char quote, std::string* out) {
    const size_t start = pos_;
    pos_++;
    if (AtEnd()) return EscapeError(start, "escape sequence not terminated");
    char c = Peek();
    pos_++;
    int digits = 0;
    int base = 16;
    uint32_t max = 255;
    switch (c) {
      case 'a':
        out->push_back('\a');
        return Status::OK();
      case 'b':
        out->push_back('\b');
        return Status::OK();
      case 'f':
        out->push_back('\f');
        return Status::OK();
      case 'n':
        out->push_back('\n');
        return Status::OK();
      case 'r':
        out->push_back('\r');
        return Status::OK();
      case 't':
        out->push_back('\t');
        return Status::OK();
      case 'v':
        out->push_back('\v');
        return Status::OK();
      case '\\':
        out->push_back('\\');
        return Status::OK();
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        pos_--;
        digits = 3;
        base = 8;
        break;
      case 'x':
        digits = 2;
        break;
      case 'u':
        digits = 4;
        max = 0x10ffff;
        break;
      case 'U':
        digits = 8;
        max = 0x10ffff;
        break;
      default:
        if (c == quote) {
          out->push_back(c);
          return Status::OK();
        }
        return EscapeError(
            start, "unknown escape sequence " + QuoteForMessage(s_.substr(start, pos_ - start)));
    }
    uint64_t x = 0;
    for (int i = 0; i < digits; i++) {
      if (AtEnd()) return EscapeError(start, "escape sequence not terminated");
      int d = HexVal(Peek());
      if (d >= base) {
        return EscapeError(
            pos_, "illegal character " + GoQuote(s_.substr(pos_, 1)) + " in escape sequence");
      }
      x = x * base + d;
      pos_++;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) {
      return EscapeError(start, "escape sequence is an invalid Unicode code point");
    }
    if (c == 'u' || c == 'U') {
      AppendUtf8(out, static_cast<char32_t>(x));
    } else {
      out->push_back(static_cast<char>(x));
    }
    return Status::OK();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Status ParseSelector(std::string_view selector, TagFilters* out) {
  out->Reset();
  Status st = Parser(selector).Parse(out);
  if (!st.ok()) out->Reset();
  return st;
}

}  // namespace vme::storage
