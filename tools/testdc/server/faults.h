// Fault injection of the test DC: what is configured now (CLI flags at start, admin commands
// later, see admin.h) and the counters the "stats" command reports. Plain data owned by the
// ServerCore, read and changed on the io thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/random.h"

namespace mtjson::testdc::server {

// An answer forced on the next calls of one API method (matched by its TL name after the
// wrappers invokeWithLayer / initConnection / invokeWithoutUpdates / invokeAfterMsg(s)).
struct MethodFault {
  enum class Kind { error, swallow };
  std::string method;      // e.g. "help.getConfig"; "*" = any method
  Kind kind = Kind::error;
  std::int32_t code = 0;   // rpc_error.error_code (error)
  std::string message;     // rpc_error.error_message (error)
  int remaining = 1;       // calls left; < 0: every call until reset

  std::string describe() const;  // "help.getConfig -> 420 FLOOD_WAIT_3 (1 call)"
};

struct FaultConfig {
  // Cut a connection right after it has received this many more encrypted packets.
  struct DropAfter {
    int packets = 0;
    std::optional<int> dc;  // only connections to this DC
  };
  std::optional<DropAfter> drop_after;
  std::uint64_t drop_after_generation = 0;  // bumped on every change: connections restart counting
  double drop_rate = 0;                     // per encrypted packet, 0..1
  std::chrono::milliseconds delay{0};       // every API answer (rpc_result) is held this long
  std::chrono::seconds salt_rotate{0};      // periodic rotate_salt; 0: off
  std::int64_t clock_skew = 0;              // seconds the server's clock is ahead (< 0: behind)
  std::vector<MethodFault> methods;         // tried in order; the first with calls left fires
  // The next N updates pushed to sessions are dropped (the world's pts/seq still advance), so
  // clients see a gap ("Working with Updates", "Recovering gaps"). One per Updates object and session.
  std::int64_t skip_updates = 0;
  // The next N update pushes are replaced by updatesTooLong: the client must call
  // updates.getDifference to learn what they held ("Working with Updates", "updatesTooLong").
  std::int64_t too_long_updates = 0;

  // Consumes one call of the first rule matching `method` (nullopt: none does).
  std::optional<MethodFault> take_method_fault(const std::string& method);
};

struct Stats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t handshakes_completed = 0;
  std::map<std::string, std::uint64_t> calls;  // decoded API methods by TL name (faulted ones too)
  std::uint64_t rpc_errors_sent = 0;           // rpc_error answers, from the world or from faults
  std::uint64_t dropped_by_faults = 0;         // connections cut by drop_connections/drop_after/drop_rate
  std::uint64_t faults_fired = 0;              // every fault that fired (one per log line)
  std::uint64_t quick_acks_sent = 0;
  std::uint64_t transport_errors_sent = 0;     // -404 and friends
  std::uint64_t salt_rotations = 0;
  std::uint64_t updates_skipped = 0;           // pushes dropped by skip_updates
  std::uint64_t updates_too_long = 0;          // pushes replaced by too_long_updates
  std::uint64_t sessions_forgotten = 0;        // by forget_sessions
};

// True with probability p (0..1), from 32 random bits.
bool chance(crypto::RandomSource& random, double p);

}  // namespace mtjson::testdc::server
