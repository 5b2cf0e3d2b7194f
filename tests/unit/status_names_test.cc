// Status names have one source, vme::CodeName: vme_status_string() and Status::ToString()
// agree with it for every code.
#include <string>

#include "check.h"
#include "util/status.h"
#include "vmengine.h"

namespace {

void TestCApiNamesAreCodeNames() {
  for (int c = VME_ERR_LIMIT; c <= VME_OK; c++) {
    const vme::Code code = static_cast<vme::Code>(c);
    REQUIRE_EQ(vme_status_string(c), vme::CodeName(code));
    if (c != VME_OK) {
      REQUIRE_EQ(vme::Status(code, "m").ToString(), std::string(vme::CodeName(code)) + ": m");
    }
  }
  REQUIRE_EQ(vme_status_string(VME_DONE), "done");
  REQUIRE_EQ(vme_status_string(-999), "unknown status");
  REQUIRE_EQ(vme::CodeName(static_cast<vme::Code>(-999)), "unknown status");
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestCApiNamesAreCodeNames)}, argc, argv);
}
