#include "testdc/server/faults.h"

#include "base/bytes.h"

namespace mtjson::testdc::server {

std::string MethodFault::describe() const {
  std::string s = method + " -> ";
  s += kind == Kind::swallow ? std::string("no answer") : std::to_string(code) + " " + message;
  s += remaining < 0 ? std::string(" (every call)")
                     : " (" + std::to_string(remaining) + (remaining == 1 ? " call)" : " calls)");
  return s;
}

std::optional<MethodFault> FaultConfig::take_method_fault(const std::string& method) {
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    if (it->remaining == 0 || (it->method != "*" && it->method != method)) continue;
    MethodFault fired = *it;
    if (it->remaining > 0 && --it->remaining == 0) methods.erase(it);
    return fired;
  }
  return std::nullopt;
}

bool chance(crypto::RandomSource& random, double p) {
  if (p <= 0) return false;
  if (p >= 1) return true;
  std::uint8_t b[4];
  random.fill(b);
  const std::uint32_t v = load_le32(b);
  return static_cast<double>(v) < p * 4294967296.0;
}

}  // namespace mtjson::testdc::server
