// Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest decimal that round-trips, in the
// form Go prints it (exponent form when the decimal exponent is < -4 or >= 6, at least two
// exponent digits: "1e+06", "1.8087e-05", "100.72"). Non-finite values print as Prometheus
// does: "NaN", "+Inf", "-Inf".
#pragma once

#include <string>

namespace vme::cli {

void AppendGoFloat(std::string* out, double v);
std::string FormatGoFloat(double v);

}  // namespace vme::cli
