// From an API query's TL bytes to its answer, sans-I/O: peel the wrappers (wrappers.h), decode
// the method with the session's layer schema, call the world, encode its layer-228-shaped
// answer in the session's layer (lenient JsonToTl). invokeAfterMsg(s) queries wait for the
// named messages ("Calling API Methods", "Sequential Requests": MSG_WAIT_FAILED / MSG_WAIT_TIMEOUT).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "mtproto/session/session_clock.h"
#include "testdc/server/auth_keys.h"
#include "testdc/server/faults.h"
#include "testdc/server/layer_schemas.h"
#include "testdc/server/wrappers.h"
#include "testdc/world/world.h"

namespace mtjson::testdc::server {

using Bytes = std::vector<std::uint8_t>;
using TimePoint = mtproto::session::TimePoint;

// What the API layer remembers about one MTProto session.
struct SessionApiState {
  LayerSchema* layer = nullptr;  // nullptr: none declared yet (the newest is used)
  bool without_updates = false;  // some query came in invokeWithoutUpdates: push nothing here
  // invokeAfterMsg bookkeeping: finished queries (true = answered with a result).
  std::unordered_map<std::uint64_t, bool> finished;
  std::deque<std::uint64_t> finished_order;
  struct Deferred {
    std::uint64_t msg_id = 0;
    Bytes body;
    TimePoint deadline;
  };
  std::vector<Deferred> deferred;
};

struct CallContext {
  int dc_id = 0;
  std::uint64_t auth_key_id = 0;
  std::uint64_t session_id = 0;
};

struct Answer {
  std::uint64_t req_msg_id = 0;
  bool ok = false;
  Bytes result;                // ok: the result object in the session's layer
  std::int32_t error_code = 0;
  std::string error_message;
  std::vector<Push> pushes;    // updates the call produced, to deliver after the answer
  bool swallowed = false;      // internal: a "swallow" fault; never handed to the caller
};

class ApiHandler {
 public:
  // "Calling API Methods": "If the waiting period exceeds 0.5 seconds ... MSG_WAIT_TIMEOUT".
  static constexpr std::chrono::milliseconds kMsgWaitTimeout{500};
  static constexpr std::size_t kFinishedMemory = 1024;

  ApiHandler(World& world, LayerSchemas& layers, AuthKeyStore& keys, std::function<void(const std::string&)> log,
             bool verbose = false);

  // Fault injection (faults.h): method faults fire before the world is called, calls are
  // counted by name. Either may be nullptr (none).
  void set_fault_hooks(FaultConfig* faults, Stats* stats) {
    faults_ = faults;
    stats_ = stats;
  }

  // One query; returns the answers due now: this one (unless it waits for another message or
  // a "swallow" fault ate it) and any waiting query it unblocked.
  std::vector<Answer> on_query(const CallContext& ctx, SessionApiState& s, std::uint64_t msg_id,
                               std::span<const std::uint8_t> body, TimePoint now);
  // Waiting queries past their deadline: MSG_WAIT_TIMEOUT.
  std::vector<Answer> on_timer(SessionApiState& s, TimePoint now);
  std::optional<TimePoint> next_deadline(const SessionApiState& s) const;

  // An Updates object (layer-228 JSON) in the session's layer; nullopt (logged) if it does not encode.
  std::optional<Bytes> encode_updates(const SessionApiState& s, const nlohmann::json& updates);

  // The layer a session starts with: the one its auth key declared last, else none.
  LayerSchema* initial_layer(std::uint64_t auth_key_id, std::int64_t now_unix);
  LayerSchema& layer_of(const SessionApiState& s) const { return s.layer ? *s.layer : layers_.newest(); }

 private:
  enum class Wait { ready, wait, failed };
  Wait check_after(const SessionApiState& s, const std::vector<std::uint64_t>& ids) const;
  Answer execute(const CallContext& ctx, SessionApiState& s, std::uint64_t msg_id, std::span<const std::uint8_t> body,
                 const Unwrapped& u);
  Answer call_method(const CallContext& ctx, SessionApiState& s, std::uint64_t msg_id,
                     std::span<const std::uint8_t> method_bytes);
  void finish(SessionApiState& s, const Answer& a);
  void run_unblocked(const CallContext& ctx, SessionApiState& s, std::vector<Answer>& out);
  Status encode_json(tl::JsonToTl& encoder, const nlohmann::json& value, const tl::TypeExpr* type, Bytes& out);

  World& world_;
  LayerSchemas& layers_;
  AuthKeyStore& keys_;
  std::function<void(const std::string&)> log_;
  bool verbose_;
  FaultConfig* faults_ = nullptr;
  Stats* stats_ = nullptr;
  simdjson::dom::parser parser_;
  std::string scratch_;
};

}  // namespace mtjson::testdc::server
