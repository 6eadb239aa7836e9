// A named session on disk (--session-dir): one file DIR/NAME.json per session, mode 0600,
// replaced atomically (temp file, fsync, rename, fsync of the directory), versioned JSON:
//
//   {"version": 1, "name": "alice", "home_dc": 2, "user_id": 1000001, "bot": false,
//    "dcs": {"2": {"auth_key": base64, "server_salt": N, "time_offset": S}, ...},
//    "server": {...the server object...}, "update_state": {...}, "seq": N}
//
// "seq" is the last update number handed out (or a reservation above it, so that numbers are
// never reused after a crash); "update_state" belongs to the update tracker and is kept as is.
//
// Beside it, DIR/NAME.updates.jsonl (0600, atomic too) holds the session's update ring as it was
// at its last clean close: a header line {"version":1,"name":...,"last_seq":N}, then one line
// {"seq":N,"message":{...}} per update, oldest first. It is used only while its last_seq equals
// the session file's seq (after a crash the session file's seq is a reservation above it, and
// the numbers in between are lost: the ring would have a hole).
// The directory is locked (flock on DIR/.lock) for the daemon's lifetime: one daemon per dir.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "daemon/account/account.h"
#include "daemon/account/server_settings.h"
#include "daemon/sessions/update_ring.h"

namespace mtjson::daemon {

constexpr int kSessionFileVersion = 1;

struct SessionRecord {
  std::string name;
  SessionState state;  // home DC, its key, other DCs' keys, user_id, bot
  nlohmann::json server = nlohmann::json::object();
  nlohmann::json update_state = nlohmann::json::object();
  std::uint64_t seq = 0;
};

nlohmann::json session_record_to_json(const SessionRecord& r);
// Errors name the file's key ("dcs.2.auth_key: expected 256 bytes, got 12").
Result<SessionRecord> session_record_from_json(const nlohmann::json& j);

class SessionStore {
 public:
  // Creates DIR (0700) if missing and takes its lock; fails naming DIR (and the pid holding the
  // lock, when it wrote one) if another daemon has it.
  static Result<std::unique_ptr<SessionStore>> open(const std::string& dir);
  ~SessionStore();

  const std::string& dir() const { return dir_; }
  std::string path_of(const std::string& name) const { return dir_ + "/" + name + ".json"; }
  // nullopt: no file for `name`.
  Result<std::optional<SessionRecord>> load(const std::string& name) const;
  Status save(const SessionRecord& r) const;

  std::string updates_path_of(const std::string& name) const { return dir_ + "/" + name + ".updates.jsonl"; }
  // The ring of `name` as saved with last_seq; nullopt when there is no file.
  struct SavedUpdates {
    std::uint64_t last_seq = 0;
    std::vector<UpdateRing::Entry> entries;
  };
  Result<std::optional<SavedUpdates>> load_updates(const std::string& name) const;
  Status save_updates(const std::string& name, const UpdateRing& ring) const;

 private:
  SessionStore(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  std::string dir_;
  int lock_fd_ = -1;
};

}  // namespace mtjson::daemon
