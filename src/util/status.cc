#include "util/status.h"

namespace vme {

// The one table of status names: Status::ToString and the C API's vme_status_string use it.
const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kNotFound:
      return "not found";
    case Code::kCorruption:
      return "corruption";
    case Code::kIo:
      return "I/O error";
    case Code::kNoMemory:
      return "out of memory";
    case Code::kClosed:
      return "closed";
    case Code::kBusy:
      return "busy";
    case Code::kBufferTooSmall:
      return "buffer too small";
    case Code::kMisuse:
      return "misuse";
    case Code::kInternal:
      return "internal error";
    case Code::kLocked:
      return "locked";
    case Code::kLimit:
      return "limit exceeded";
  }
  return "unknown status";
}

}  // namespace vme
