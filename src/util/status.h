// Status and Result<T>: the error values used everywhere inside vmengine.
//
// Internal code returns Status / Result<T> instead of throwing. Exceptions are reserved for
// programming errors and allocation failure and are caught at the C boundary (src/capi).
// Codes map 1:1 onto the public vme_status codes of include/vmengine.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vme {

enum class Code : int32_t {
  kOk = 0,
  kInvalidArgument = -1,
  kNotFound = -2,
  kCorruption = -3,
  kIo = -4,
  kNoMemory = -5,
  kClosed = -6,
  kBusy = -7,
  kBufferTooSmall = -8,
  kMisuse = -9,
  kInternal = -10,
  kLocked = -11,
  kLimit = -12,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIo, std::move(m)}; }
  static Status Closed(std::string m) { return {Code::kClosed, std::move(m)}; }
  static Status Busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  static Status Locked(std::string m) { return {Code::kLocked, std::move(m)}; }
  static Status Limit(std::string m) { return {Code::kLimit, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context + ": "`.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }
  // Marks a deliberately ignored status.
  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// "invalid argument", "not found", ...; "unknown status" for a value outside the enum. Also the
// text of vme_status_string().
const char* CodeName(Code code);

inline std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace vme

#define VME_CONCAT_INNER(a, b) a##b
#define VME_CONCAT(a, b) VME_CONCAT_INNER(a, b)

#define VME_RETURN_IF_ERROR(expr)      \
  do {                                 \
    ::vme::Status vme_st_ = (expr);    \
    if (!vme_st_.ok()) return vme_st_; \
  } while (0)

#define VME_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define VME_ASSIGN_OR_RETURN(lhs, expr) \
  VME_ASSIGN_OR_RETURN_IMPL(VME_CONCAT(vme_res_, __LINE__), lhs, expr)
