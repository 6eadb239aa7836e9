// The one success-or-error type of the code base: no exceptions cross a library's API. An error
// carries a message naming what failed and where (never secret values); Result<T> is a value or
// such an error.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace mtjson {

class Status {
 public:
  Status() = default;
  static Status error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return message_; }

  // The same error with context in front ("session.auth_key: " + message).
  Status prefixed(const std::string& context) const {
    return failed_ ? Status(context + message_) : Status();
  }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose (return value;)
  Result(Status status) : error_(std::move(status)) {
    if (error_.ok()) error_ = Status::error("internal: Result built from an ok Status");
  }
  static Result error(std::string message) { return Result(Status::error(std::move(message))); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // The error message; empty when ok().
  const std::string& message() const { return error_.message(); }
  const Status& status() const { return error_; }

  // Precondition: ok().
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  std::optional<T> value_;
  Status error_;
};

}  // namespace mtjson
