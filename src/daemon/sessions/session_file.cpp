#include "daemon/sessions/session_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/base64.h"
#include "crypto/kdf.h"

namespace mtjson::daemon {

using nlohmann::json;

namespace {

json key_to_json(const KeyState& k) {
  return {{"auth_key", base64_encode(k.auth_key.key)},
          {"server_salt", k.server_salt},
          {"time_offset", std::chrono::duration_cast<std::chrono::seconds>(k.time_offset).count()}};
}

Status key_from_json(const json& j, const std::string& where, KeyState& k) {
  if (!j.is_object()) return Status::error(where + ": expected an object");
  if (!j.contains("auth_key") || !j["auth_key"].is_string()) return Status::error(where + ".auth_key: expected base64");
  auto decoded = base64_decode(j["auth_key"].get<std::string>());
  if (!decoded) return Status::error(where + ".auth_key: expected base64 (" + decoded.message() + ")");
  const std::vector<std::uint8_t>& bytes = *decoded;
  if (bytes.size() != 256) return Status::error(where + ".auth_key: expected 256 bytes, got " + std::to_string(bytes.size()));
  std::copy(bytes.begin(), bytes.end(), k.auth_key.key.begin());
  // auth_key_id: the low 64 bits of SHA1(auth_key) ("Mobile Protocol: Detailed Description").
  k.auth_key.id = crypto::auth_key_id_u64(k.auth_key.key);
  if (j.contains("server_salt")) {
    if (!j["server_salt"].is_number_integer()) return Status::error(where + ".server_salt: expected an integer");
    k.server_salt = j["server_salt"].get<std::uint64_t>();
  }
  if (j.contains("time_offset")) {
    if (!j["time_offset"].is_number_integer()) return Status::error(where + ".time_offset: expected an integer");
    k.time_offset = std::chrono::seconds(j["time_offset"].get<std::int64_t>());
  }
  return {};
}

std::string errno_text() { return std::strerror(errno); }

// The whole file; nullopt when it does not exist.
Result<std::optional<std::string>> read_whole(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Status::error(path + ": " + errno_text());
    return std::optional<std::string>();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(path + ": cannot read it");
  std::stringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

}  // namespace

json session_record_to_json(const SessionRecord& r) {
  json dcs = json::object();
  if (r.state.key) dcs[std::to_string(r.state.dc)] = key_to_json(*r.state.key);
  for (const auto& [id, k] : r.state.other_keys)
    if (id != r.state.dc) dcs[std::to_string(id)] = key_to_json(k);
  return {{"version", kSessionFileVersion}, {"name", r.name},          {"home_dc", r.state.dc},
          {"user_id", r.state.user_id},     {"bot", r.state.bot},      {"dcs", dcs},
          {"server", r.server},             {"update_state", r.update_state}, {"seq", r.seq}};
}

Result<SessionRecord> session_record_from_json(const json& j) {
  if (!j.is_object()) return Status::error("expected a JSON object");
  if (!j.contains("version") || !j["version"].is_number_integer())
    return Status::error("version: missing (not a session file?)");
  if (j["version"].get<std::int64_t>() != kSessionFileVersion)
    return Status::error("version: " + j["version"].dump() + " is not supported (this daemon reads version " +
                   std::to_string(kSessionFileVersion) + ")");
  SessionRecord r;
  if (!j.contains("name") || !j["name"].is_string()) return Status::error("name: expected a string");
  r.name = j["name"].get<std::string>();
  if (!j.contains("home_dc") || !j["home_dc"].is_number_integer() || j["home_dc"].get<std::int64_t>() <= 0 ||
      j["home_dc"].get<std::int64_t>() > 1000)
    return Status::error("home_dc: expected a DC id");
  r.state.dc = static_cast<int>(j["home_dc"].get<std::int64_t>());
  if (j.contains("user_id")) {
    if (!j["user_id"].is_number_integer()) return Status::error("user_id: expected an integer");
    r.state.user_id = j["user_id"].get<std::int64_t>();
  }
  if (j.contains("bot")) {
    if (!j["bot"].is_boolean()) return Status::error("bot: expected true or false");
    r.state.bot = j["bot"].get<bool>();
  }
  if (j.contains("dcs")) {
    if (!j["dcs"].is_object()) return Status::error("dcs: expected an object");
    for (const auto& [key, v] : j["dcs"].items()) {
      char* end = nullptr;
      const long id = std::strtol(key.c_str(), &end, 10);
      if (key.empty() || *end || id <= 0 || id > 1000) return Status::error("dcs: '" + key + "' is not a DC id");
      KeyState k;
      if (auto st = key_from_json(v, "dcs." + key, k); !st) return st;
      if (id == r.state.dc) r.state.key = k;
      else r.state.other_keys[static_cast<int>(id)] = k;
    }
  }
  if (j.contains("server")) {
    if (!j["server"].is_object()) return Status::error("server: expected an object");
    r.server = j["server"];
  }
  if (j.contains("update_state")) r.update_state = j["update_state"];
  if (j.contains("seq")) {
    if (!j["seq"].is_number_unsigned() && !(j["seq"].is_number_integer() && j["seq"].get<std::int64_t>() >= 0))
      return Status::error("seq: expected a non-negative integer");
    r.seq = j["seq"].get<std::uint64_t>();
  }
  return r;
}

Result<std::unique_ptr<SessionStore>> SessionStore::open(const std::string& dir) {
  using R = Result<std::unique_ptr<SessionStore>>;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return R::error("--session-dir " + dir + ": cannot create it: " + errno_text());
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return R::error("--session-dir " + dir + ": not a directory");
  const std::string lock = dir + "/.lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return R::error("--session-dir " + dir + ": cannot open " + lock + ": " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder;
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) {
      std::string pid(buf, static_cast<std::size_t>(n));
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      if (!pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos) holder = " (pid " + pid + ")";
    }
    ::close(fd);
    if (err == EWOULDBLOCK)
      return R::error("--session-dir " + dir + " is in use by another mtjson" + holder +
                      ": one daemon per session directory (its lock: " + lock + ")");
    return R::error("--session-dir " + dir + ": cannot lock " + lock + ": " + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the message for a second daemon is poorer.
  }
  return std::unique_ptr<SessionStore>(new SessionStore(dir, fd));
}

SessionStore::~SessionStore() {
  if (lock_fd_ >= 0) {
    if (::ftruncate(lock_fd_, 0) != 0) {
    }
    ::close(lock_fd_);  // releases the flock
  }
}

Result<std::optional<SessionRecord>> SessionStore::load(const std::string& name) const {
  const std::string path = path_of(name);
  auto text = read_whole(path);
  if (!text) return text.status();
  if (!*text) return std::optional<SessionRecord>();
  json j = json::parse(**text, nullptr, false);
  if (j.is_discarded()) return Status::error(path + ": not valid JSON");
  auto r = session_record_from_json(j);
  if (!r) return r.status().prefixed(path + ": ");
  if (r->name != name) return Status::error(path + ": holds session '" + r->name + "', expected '" + name + "'");
  return std::optional<SessionRecord>(std::move(*r));
}

Status SessionStore::save(const SessionRecord& r) const {
  return write_file_atomic(path_of(r.name), session_record_to_json(r).dump(1) + "\n");
}

Status SessionStore::save_updates(const std::string& name, const UpdateRing& ring) const {
  std::string text = json{{"version", kSessionFileVersion}, {"name", name}, {"last_seq", ring.last_seq()}}.dump();
  text += '\n';
  for (const auto& [seq, message] : ring.entries()) {
    text += "{\"seq\":" + std::to_string(seq) + ",\"message\":";
    text += message;
    text += "}\n";
  }
  return write_file_atomic(updates_path_of(name), text);
}

Result<std::optional<SessionStore::SavedUpdates>> SessionStore::load_updates(const std::string& name) const {
  const std::string path = updates_path_of(name);
  auto read = read_whole(path);
  if (!read) return read.status();
  if (!*read) return std::optional<SavedUpdates>();
  const std::optional<std::string>& text = *read;
  SavedUpdates out;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  auto fail = [&](const std::string& what) -> Result<std::optional<SavedUpdates>> {
    return Status::error(path + ":" + std::to_string(line_no) + ": " + what);
  };
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    const std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    if (line_no == 1) {
      if (j.value("version", json()) != kSessionFileVersion) return fail("version: expected " + std::to_string(kSessionFileVersion));
      if (j.value("name", json()) != name) return fail("name: expected '" + name + "'");
      if (!j.contains("last_seq") || !j["last_seq"].is_number_unsigned()) return fail("last_seq: expected a non-negative integer");
      out.last_seq = j["last_seq"].get<std::uint64_t>();
      continue;
    }
    if (!j.contains("seq") || !j["seq"].is_number_unsigned()) return fail("seq: expected a non-negative integer");
    if (!j.contains("message") || !j["message"].is_object()) return fail("message: expected an object");
    // The text as the daemon sent it (the line is {"seq":N,"message":TEXT}), not a re-serialization.
    const std::string prefix = "{\"seq\":" + std::to_string(j["seq"].get<std::uint64_t>()) + ",\"message\":";
    if (line.substr(0, prefix.size()) != prefix || line.back() != '}') return fail("not a line this daemon wrote");
    out.entries.emplace_back(j["seq"].get<std::uint64_t>(),
                             std::string(line.substr(prefix.size(), line.size() - prefix.size() - 1)));
  }
  if (line_no == 0) return fail("empty file");
  return std::optional<SavedUpdates>(std::move(out));
}

}  // namespace mtjson::daemon
