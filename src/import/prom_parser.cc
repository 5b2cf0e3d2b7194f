#include "import/prom_parser.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "util/quote.h"

namespace vme::prom {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ValidMetricName(std::string_view s) {
  if (s.empty() || !(IsAlpha(s[0]) || s[0] == ':')) return false;
  for (char c : s) {
    if (!IsAlpha(c) && !IsDigit(c) && c != ':') return false;
  }
  return true;
}

bool ValidLabelName(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsAlpha(c) && !IsDigit(c)) return false;
  }
  return true;
}

void SkipSpaces(std::string_view s, size_t* pos) {
  while (*pos < s.size() && IsSpace(s[*pos])) ++*pos;
}

std::string Quoted(std::string_view s) { return QuoteForMessage(s); }

std::string_view Token(std::string_view s, size_t* pos) {
  const size_t start = *pos;
  while (*pos < s.size() && !IsSpace(s[*pos])) ++*pos;
  return s.substr(start, *pos - start);
}

// Advances *pos past the closing '}' of a label set starting at '{'. Quoted values may hold
// any byte, including '}'.
bool SkipLabelSet(std::string_view s, size_t* pos, std::string* error) {
  bool in_quotes = false;
  for (size_t i = *pos + 1; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == '}') {
      *pos = i + 1;
      return true;
    }
  }
  *error = in_quotes ? "unterminated quoted label value" : "missing '}' after the label set";
  return false;
}

}  // namespace

bool ParsePromValue(std::string_view s, double* v) {
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  }
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return false;
  double d = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), d, std::chars_format::general);
  if (res.ptr != s.data() + s.size()) return false;
  if (res.ec == std::errc::result_out_of_range) {
    // Underflow gives 0 or a subnormal as in Go; overflow is an error.
    std::string copy(s);
    char* end = nullptr;
    d = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || std::isinf(d)) return false;
  } else if (res.ec != std::errc()) {
    return false;
  }
  *v = negative ? -d : d;
  return true;
}

PromLineKind ParsePromLine(std::string_view line, PromLine* out, std::string* error) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t pos = 0;
  SkipSpaces(line, &pos);
  if (pos == line.size() || line[pos] == '#') return PromLineKind::kSkip;

  const size_t series_start = pos;
  while (pos < line.size() && line[pos] != '{' && !IsSpace(line[pos])) ++pos;
  const std::string_view name = line.substr(series_start, pos - series_start);
  if (!name.empty() && !ValidMetricName(name)) {
    *error = "invalid metric name " + Quoted(name);
    return PromLineKind::kError;
  }
  size_t brace = pos;
  SkipSpaces(line, &brace);
  if (brace < line.size() && line[brace] == '{') {
    pos = brace;
    if (!SkipLabelSet(line, &pos, error)) return PromLineKind::kError;
  } else if (name.empty()) {
    *error = "missing metric name";
    return PromLineKind::kError;
  }
  out->series = line.substr(series_start, pos - series_start);

  if (pos < line.size() && !IsSpace(line[pos])) {
    *error = "unexpected " + Quoted(line.substr(pos)) + " after the label set";
    return PromLineKind::kError;
  }
  SkipSpaces(line, &pos);
  const std::string_view value = Token(line, &pos);
  if (value.empty()) {
    *error = "missing value";
    return PromLineKind::kError;
  }
  if (!ParsePromValue(value, &out->value)) {
    *error = "invalid value " + Quoted(value);
    return PromLineKind::kError;
  }
  SkipSpaces(line, &pos);
  out->has_timestamp = false;
  if (pos < line.size()) {
    const std::string_view ts = Token(line, &pos);
    const char* first = ts.data();
    const char* last = ts.data() + ts.size();
    if (first < last && *first == '+') ++first;
    auto res = std::from_chars(first, last, out->timestamp_ms);
    if (res.ec != std::errc() || res.ptr != last) {
      *error = "invalid timestamp " + Quoted(ts) + " (want integer milliseconds)";
      return PromLineKind::kError;
    }
    out->has_timestamp = true;
    SkipSpaces(line, &pos);
    if (pos < line.size()) {
      *error = "unexpected trailing text " + Quoted(line.substr(pos)) + " after the timestamp";
      return PromLineKind::kError;
    }
  }
  return PromLineKind::kSample;
}

bool ParsePromSeries(std::string_view s, std::vector<Label>* labels, std::string* error) {
  labels->clear();
  size_t pos = 0;
  while (pos < s.size() && s[pos] != '{' && !IsSpace(s[pos])) ++pos;
  const std::string_view name = s.substr(0, pos);
  SkipSpaces(s, &pos);
  if (!name.empty()) {
    if (!ValidMetricName(name)) {
      *error = "invalid metric name " + Quoted(name);
      return false;
    }
    labels->push_back({std::string(kMetricNameLabel), std::string(name)});
  }
  bool has_name = !name.empty();
  if (pos < s.size() && s[pos] == '{') {
    ++pos;
    while (true) {
      SkipSpaces(s, &pos);
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        break;
      }
      const size_t name_start = pos;
      while (pos < s.size() && s[pos] != '=' && s[pos] != ',' && s[pos] != '}' && s[pos] != '"' &&
             !IsSpace(s[pos])) {
        ++pos;
      }
      const std::string_view label = s.substr(name_start, pos - name_start);
      if (!ValidLabelName(label)) {
        *error = label.empty() ? "missing label name" : "invalid label name " + Quoted(label);
        return false;
      }
      SkipSpaces(s, &pos);
      if (pos >= s.size() || s[pos] != '=') {
        *error = "missing '=' after label name " + Quoted(label);
        return false;
      }
      ++pos;
      SkipSpaces(s, &pos);
      if (pos >= s.size() || s[pos] != '"') {
        *error = "missing '\"' before the value of label " + Quoted(label);
        return false;
      }
      ++pos;
      std::string value;
      bool closed = false;
      while (pos < s.size()) {
        const char c = s[pos++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value.push_back(c);
          continue;
        }
        // \\, \" and \n are escapes; any other backslash is kept as it is, with the byte
        // after it, as Prometheus' text parser and VictoriaMetrics' unescapeValue do.
        if (pos >= s.size()) {
          value.push_back('\\');
          continue;
        }
        const char e = s[pos++];
        if (e == '\\' || e == '"') {
          value.push_back(e);
        } else if (e == 'n') {
          value.push_back('\n');
        } else {
          value.push_back('\\');
          value.push_back(e);
        }
      }
      if (!closed) {
        *error = "unterminated quoted label value";
        return false;
      }
      if (label == kMetricNameLabel) has_name = true;
      labels->push_back({std::string(label), std::move(value)});
      SkipSpaces(s, &pos);
      if (pos < s.size() && s[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        break;
      }
      *error = "missing ',' or '}' after the value of label " + Quoted(label);
      return false;
    }
  }
  if (pos != s.size()) {
    *error = "unexpected " + Quoted(s.substr(pos)) + " after the label set";
    return false;
  }
  if (!has_name) {
    *error = "missing metric name";
    return false;
  }
  return true;
}

}  // namespace vme::prom
