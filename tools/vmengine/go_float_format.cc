#include "go_float_format.h"

#include <charconv>
#include <cmath>

namespace vme::cli {

namespace {

void AppendExponent(std::string* out, int exp) {
  out->push_back('e');
  if (exp < 0) {
    out->push_back('-');
    exp = -exp;
  } else {
    out->push_back('+');
  }
  if (exp < 10) {
    out->push_back('0');
    out->push_back(static_cast<char>('0' + exp));
  } else {
    out->append(std::to_string(exp));
  }
}

}  // namespace

void AppendGoFloat(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  // Shortest round-trip digits from to_chars, e.g. "-1.2345e+08".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const char* p = buf;
  const char* end = res.ptr;
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[32];
  int nd = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[nd++] = *p;
    ++p;
  }
  int exp10 = 0;
  if (p < end) std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp10);
  while (nd > 1 && digits[nd - 1] == '0') --nd;
  const int dp = exp10 + 1;  // position of the decimal point relative to the digits
  if (exp10 < -4 || exp10 >= 6) {
    out->push_back(digits[0]);
    if (nd > 1) {
      out->push_back('.');
      out->append(digits + 1, nd - 1);
    }
    AppendExponent(out, exp10);
    return;
  }
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) out->push_back(i < nd ? digits[i] : '0');
  } else {
    out->push_back('0');
  }
  const int frac = nd - dp;
  if (frac > 0) {
    out->push_back('.');
    for (int i = dp; i < nd; ++i) out->push_back(i < 0 ? '0' : digits[i]);
  }
}

std::string FormatGoFloat(double v) {
  std::string s;
  AppendGoFloat(&s, v);
  return s;
}

}  // namespace vme::cli
