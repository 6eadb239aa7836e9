// The in-memory Telegram behind mtjson-testdc ("the world"): accounts, authorizations by
// auth_key_id, private messages, channels and supergroups (each with its own pts), pts/seq update
// state, 2FA. No sockets, no MTProto, no TL bytes:
// the server decodes a request to the JSON form of TL (README.md), strips the wrappers
// (invokeWithLayer, initConnection, invokeWithoutUpdates, invokeAfterMsg...) and hands the inner
// method to World::call(); results and pushed updates are JSON objects in the layer-228 shape.
//
// Thread-safety: every public member locks one internal mutex, so a World may be shared by the
// server's threads. Pushes are handed to the sink after that lock is released.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "base/status.h"

namespace mtjson::testdc {

// Who is calling. auth_key_id must be the permanent key's id (for a temp key bound with
// auth.bindTempAuthKey the server passes the perm key's id): authorizations hang off it.
struct Caller {
  int dc_id = 1;                   // the DC the request arrived at (1..dc_count)
  std::uint64_t auth_key_id = 0;
  std::int64_t session_id = 0;     // MTProto session, to address live sessions for updates
  int layer = 0;                   // informational
};

// An Updates object for one live session. For the calling session, pushes produced by a call
// (e.g. @echo's reply) must be sent AFTER that call's rpc_result: their pts follow the result's.
struct Push {
  std::uint64_t auth_key_id = 0;
  std::int64_t session_id = 0;
  nlohmann::json updates;
};

struct CallResult {
  bool ok = false;
  nlohmann::json result;           // when ok
  int error_code = 0;              // when !ok: rpc_error.error_code (303, 400, 401, 420, ...)
  std::string error_message;       // when !ok: rpc_error.error_message ("PHONE_MIGRATE_2")
  // Updates this call produced for live sessions, in order, when World::on_update is not set.
  std::vector<Push> pushes;

  static CallResult success(nlohmann::json r) { return {true, std::move(r), 0, {}, {}}; }
  static CallResult error(int code, std::string message) { return {false, nullptr, code, std::move(message), {}}; }
};

// An account created when the world starts (and when a loaded world lacks its phone).
struct SeedAccount {
  std::string phone;               // 99966XYYYY: lives on DC X
  std::string first_name;
  std::string last_name;
  std::string username;            // optional
  std::string password;            // optional 2FA password (empty: none)
};

struct WorldOptions {
  int dc_count = 3;
  std::string ip_address = "127.0.0.1";
  int base_port = 4430;            // DC n listens on base_port + (n - 1) ...
  std::vector<int> ports;          // ... unless listed here (DC n on ports[n - 1]: ephemeral ports)
  // Unix time in seconds; the fault hook set_clock_offset() is added to it.
  std::function<std::int64_t()> clock;                 // default: system clock
  crypto::RandomSource* random = nullptr;              // default: crypto::default_random()
  std::vector<SeedAccount> accounts;
  std::function<void(const std::string&)> log;         // e.g. "auth.sendCode: code for 9996621234 is 22222"
  int code_ttl_seconds = 300;      // PHONE_CODE_EXPIRED after this
  int difference_limit = 100;      // events per updates.getDifference answer (then differenceSlice)
  // updates.getChannelDifference: events per answer at most (a smaller `limit` wins), the gap
  // beyond which it answers channelDifferenceTooLong, and the `timeout` it suggests (seconds).
  int channel_difference_limit = 100;
  int channel_too_long = 1000;
  int channel_difference_timeout = 30;
};

// A stored MTProto auth key, for the server (persisted with the world).
struct AuthKeyRecord {
  std::uint64_t auth_key_id = 0;
  int dc_id = 0;
  std::vector<std::uint8_t> key;   // 256 bytes; secret: never log it
};

class World {
 public:
  explicit World(WorldOptions options);
  ~World();
  World(World&&) noexcept;
  World& operator=(World&&) noexcept;

  // One API method, e.g. {"_cons":"auth.sendCode", ...}. Never throws: malformed input gives
  // 400 INPUT_REQUEST_INVALID / INPUT_METHOD_INVALID, unknown methods 400 METHOD_INVALID.
  CallResult call(const Caller& caller, const nlohmann::json& method);

  // Live sessions: pushes go to every open session whose auth key is authorized as the recipient.
  void session_opened(const Caller& caller);
  void session_closed(std::uint64_t auth_key_id, std::int64_t session_id);
  // When set, call() hands its pushes here (after releasing its lock, before returning) instead of
  // returning them in CallResult::pushes. A sink must queue, not send, pushes for the calling
  // session (see Push).
  std::function<void(std::uint64_t auth_key_id, std::int64_t session_id, const nlohmann::json& updates)> on_update;

  // Persistence (--data DIR): DIR/world.json, written atomically (temp + fsync + rename), mode 0600.
  Status save(const std::string& dir) const;
  static Result<World> load(const std::string& dir, WorldOptions options);
  static std::string file_path(const std::string& dir);

  // Auth keys of the server, saved with the world.
  void put_auth_key(const AuthKeyRecord& record);
  std::optional<AuthKeyRecord> find_auth_key(std::uint64_t auth_key_id) const;
  void remove_auth_key(std::uint64_t auth_key_id);
  std::vector<std::uint64_t> auth_key_ids() const;

  // Fault hooks.
  // The next `count` calls of `method` (count < 0: all of them) fail with this error.
  void force_error(const std::string& method, int error_code, const std::string& error_message, int count = 1);
  void force_flood_wait(const std::string& method, int seconds, int count = 1) {
    force_error(method, 420, "FLOOD_WAIT_" + std::to_string(seconds), count);
  }
  void clear_forced_errors();
  // Logs the key out: its later calls that need a user get 401 AUTH_KEY_UNREGISTERED.
  bool destroy_authorization(std::uint64_t auth_key_id);
  void set_clock_offset(std::int64_t seconds);
  std::int64_t now() const;  // the world's unix time (clock + offset)
  // Moves a user's home DC ("Working with Different Data Centers", "User Migration"): calls on the old DC then get
  // 303 USER_MIGRATE_X.
  bool move_user(std::int64_t user_id, int dc_id);

  // Introspection for the server and tests.
  std::optional<std::int64_t> user_of(std::uint64_t auth_key_id) const;  // the authorized user
  std::optional<std::int64_t> user_by_phone(const std::string& phone) const;
  static constexpr std::int64_t kEchoUserId = 7700001;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mtjson::testdc
