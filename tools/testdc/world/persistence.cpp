// --data DIR: the world as one JSON file, DIR/world.json (accounts with their boxes, channels,
// secret chats, authorizations, auth keys). It holds authorizations and auth keys, so it is written 0600,
// atomically (base/atomic_file.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "testdc/world/args.h"
#include "testdc/world/state.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "mtjson-testdc-world";
constexpr int kVersion = 1;

std::vector<std::uint8_t> unb64(const json& v, const char* what) {
  if (!v.is_string()) throw std::runtime_error(std::string(what) + ": not base64");
  auto decoded = base64_decode(v.get_ref<const std::string&>());
  if (!decoded) throw std::runtime_error(std::string(what) + ": not base64 (" + decoded.message() + ")");
  return std::move(decoded).value();
}

json message_to_json(const Message& m) {
  return {{"id", m.id}, {"peer", m.peer_user_id}, {"from", m.from_user_id}, {"out", m.out},
          {"date", m.date}, {"text", m.text}, {"entities", m.entities}, {"edit_date", m.edit_date},
          {"random_id", m.random_id}, {"counterpart_id", m.counterpart_id}, {"pts", m.pts}};
}

Message message_from_json(const json& j) {
  Message m;
  m.id = j.at("id").get<std::int32_t>();
  m.peer_user_id = j.at("peer").get<std::int64_t>();
  m.from_user_id = j.at("from").get<std::int64_t>();
  m.out = j.at("out").get<bool>();
  m.date = j.at("date").get<std::int32_t>();
  m.text = j.at("text").get<std::string>();
  m.entities = j.at("entities");
  m.edit_date = j.at("edit_date").get<std::int32_t>();
  m.random_id = j.at("random_id").get<std::int64_t>();
  m.counterpart_id = j.at("counterpart_id").get<std::int32_t>();
  m.pts = j.at("pts").get<std::int32_t>();
  return m;
}

json account_to_json(const Account& a) {
  json box = {{"next_id", a.box.next_id}, {"pts", a.box.pts}, {"seq", a.box.seq}};
  box["messages"] = json::array();
  for (const auto& [id, m] : a.box.messages) box["messages"].push_back(message_to_json(m));
  box["events"] = json::array();
  for (const Event& e : a.box.events)
    box["events"].push_back({{"pts", e.pts}, {"pts_count", e.pts_count}, {"date", e.date}, {"update", e.update}});
  box["qts"] = a.box.qts;
  box["qts_events"] = json::array();
  for (const QtsEvent& e : a.box.qts_events)
    box["qts_events"].push_back({{"qts", e.qts}, {"date", e.date}, {"message", e.message}});
  box["dialogs"] = json::array();
  for (const auto& [peer, d] : a.box.dialogs)
    box["dialogs"].push_back({{"peer", peer}, {"read_inbox_max_id", d.read_inbox_max_id},
                              {"read_outbox_max_id", d.read_outbox_max_id}});
  json j = {{"id", a.id}, {"access_hash", a.access_hash}, {"phone", a.phone}, {"first_name", a.first_name},
            {"last_name", a.last_name}, {"username", a.username}, {"dc_id", a.dc_id}, {"bot", a.bot},
            {"bot_secret", a.bot_secret}, {"new_salt1", b64(a.new_salt1)}, {"box", box}, {"password", nullptr}};
  if (a.password) {
    const Password& p = *a.password;
    j["password"] = {{"salt1", b64(p.algo.salt1)}, {"salt2", b64(p.algo.salt2)}, {"g", p.algo.g},
                     {"p", b64(p.algo.p)}, {"v", b64(p.v)}, {"hint", p.hint}};
  }
  return j;
}

Account account_from_json(const json& j) {
  Account a;
  a.id = j.at("id").get<std::int64_t>();
  a.access_hash = j.at("access_hash").get<std::int64_t>();
  a.phone = j.at("phone").get<std::string>();
  a.first_name = j.at("first_name").get<std::string>();
  a.last_name = j.at("last_name").get<std::string>();
  a.username = j.at("username").get<std::string>();
  a.dc_id = j.at("dc_id").get<int>();
  a.bot = j.at("bot").get<bool>();
  a.bot_secret = j.at("bot_secret").get<std::string>();
  a.new_salt1 = unb64(j.at("new_salt1"), "new_salt1");
  const json& pw = j.at("password");
  if (!pw.is_null()) {
    a.password = Password{{unb64(pw.at("salt1"), "salt1"), unb64(pw.at("salt2"), "salt2"), pw.at("g").get<std::int32_t>(),
                           unb64(pw.at("p"), "p")},
                          unb64(pw.at("v"), "v"),
                          pw.at("hint").get<std::string>()};
  }
  const json& box = j.at("box");
  a.box.next_id = box.at("next_id").get<std::int32_t>();
  a.box.pts = box.at("pts").get<std::int32_t>();
  a.box.seq = box.at("seq").get<std::int32_t>();
  for (const json& mj : box.at("messages")) {
    Message m = message_from_json(mj);
    if (m.random_id != 0) a.box.by_random_id[m.random_id] = m.id;
    a.box.messages.emplace(m.id, std::move(m));
  }
  for (const json& e : box.at("events"))
    a.box.events.push_back(Event{e.at("pts").get<std::int32_t>(), e.at("pts_count").get<std::int32_t>(),
                                 e.at("date").get<std::int32_t>(), e.at("update")});
  // qts came later within version 1: a box without it has no secondary events.
  a.box.qts = box.value("qts", 0);
  if (box.contains("qts_events"))
    for (const json& e : box.at("qts_events"))
      a.box.qts_events.push_back(QtsEvent{e.at("qts").get<std::int32_t>(), e.at("date").get<std::int32_t>(), e.at("message")});
  for (const json& d : box.at("dialogs"))
    a.box.dialogs[d.at("peer").get<std::int64_t>()] =
        DialogState{d.at("read_inbox_max_id").get<std::int32_t>(), d.at("read_outbox_max_id").get<std::int32_t>()};
  return a;
}

json channel_to_json(const Channel& ch) {
  json j = {{"id", ch.id}, {"access_hash", ch.access_hash}, {"title", ch.title}, {"about", ch.about},
            {"username", ch.username}, {"broadcast", ch.broadcast}, {"creator_id", ch.creator_id},
            {"date", ch.date}, {"next_id", ch.next_id}, {"pts", ch.pts}};
  j["members"] = json::array();
  for (const auto& [user_id, m] : ch.members)
    j["members"].push_back({{"user_id", user_id}, {"inviter_id", m.inviter_id}, {"date", m.date}});
  j["messages"] = json::array();
  for (const auto& [id, m] : ch.messages)
    j["messages"].push_back({{"id", m.id}, {"from", m.from_user_id}, {"date", m.date}, {"text", m.text},
                             {"entities", m.entities}, {"random_id", m.random_id}, {"pts", m.pts},
                             {"edit_date", m.edit_date}, {"action", m.action}});
  j["events"] = json::array();
  for (const Event& e : ch.events)
    j["events"].push_back({{"pts", e.pts}, {"pts_count", e.pts_count}, {"date", e.date}, {"update", e.update}});
  return j;
}

Channel channel_from_json(const json& j) {
  Channel ch;
  ch.id = j.at("id").get<std::int64_t>();
  ch.access_hash = j.at("access_hash").get<std::int64_t>();
  ch.title = j.at("title").get<std::string>();
  ch.about = j.at("about").get<std::string>();
  ch.username = j.at("username").get<std::string>();
  ch.broadcast = j.at("broadcast").get<bool>();
  ch.creator_id = j.at("creator_id").get<std::int64_t>();
  ch.date = j.at("date").get<std::int32_t>();
  ch.next_id = j.at("next_id").get<std::int32_t>();
  ch.pts = j.at("pts").get<std::int32_t>();
  for (const json& m : j.at("members"))
    ch.members[m.at("user_id").get<std::int64_t>()] =
        ChannelMember{m.at("inviter_id").get<std::int64_t>(), m.at("date").get<std::int32_t>()};
  for (const json& mj : j.at("messages")) {
    ChannelMessage m;
    m.id = mj.at("id").get<std::int32_t>();
    m.from_user_id = mj.at("from").get<std::int64_t>();
    m.date = mj.at("date").get<std::int32_t>();
    m.text = mj.at("text").get<std::string>();
    m.entities = mj.at("entities");
    m.random_id = mj.at("random_id").get<std::int64_t>();
    m.pts = mj.at("pts").get<std::int32_t>();
    m.edit_date = mj.value("edit_date", 0);
    m.action = mj.at("action");
    if (m.random_id != 0) ch.by_random_id[{m.from_user_id, m.random_id}] = m.id;
    ch.messages.emplace(m.id, std::move(m));
  }
  for (const json& e : j.at("events"))
    ch.events.push_back(Event{e.at("pts").get<std::int32_t>(), e.at("pts_count").get<std::int32_t>(),
                              e.at("date").get<std::int32_t>(), e.at("update")});
  return ch;
}

json secret_chat_to_json(const SecretChat& chat) {
  json sent = json::array();
  for (const auto& [key, date] : chat.sent) sent.push_back({{"from", key.first}, {"random_id", key.second}, {"date", date}});
  return {{"id", chat.id}, {"access_hash", chat.access_hash}, {"date", chat.date}, {"admin_id", chat.admin_id},
          {"participant_id", chat.participant_id}, {"g_a", b64(chat.g_a)}, {"g_b", b64(chat.g_b)},
          {"key_fingerprint", chat.key_fingerprint}, {"state", static_cast<int>(chat.state)},
          {"history_deleted", chat.history_deleted}, {"sent", sent}};
}

SecretChat secret_chat_from_json(const json& j) {
  SecretChat chat;
  chat.id = j.at("id").get<std::int32_t>();
  chat.access_hash = j.at("access_hash").get<std::int64_t>();
  chat.date = j.at("date").get<std::int32_t>();
  chat.admin_id = j.at("admin_id").get<std::int64_t>();
  chat.participant_id = j.at("participant_id").get<std::int64_t>();
  chat.g_a = unb64(j.at("g_a"), "g_a");
  chat.g_b = unb64(j.at("g_b"), "g_b");
  chat.key_fingerprint = j.at("key_fingerprint").get<std::int64_t>();
  int state = j.at("state").get<int>();
  if (state < 0 || state > static_cast<int>(SecretChat::State::discarded))
    throw std::runtime_error("secret chat " + std::to_string(chat.id) + ": bad state " + std::to_string(state));
  chat.state = static_cast<SecretChat::State>(state);
  chat.history_deleted = j.at("history_deleted").get<bool>();
  for (const json& s : j.at("sent"))
    chat.sent[{s.at("from").get<std::int64_t>(), s.at("random_id").get<std::int64_t>()}] = s.at("date").get<std::int32_t>();
  return chat;
}

Status sys_error(const std::string& what, const std::string& path) {
  return Status::error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string World::file_path(const std::string& dir) { return dir + "/world.json"; }

Status World::save(const std::string& dir) const {
  std::string text;
  {
    std::lock_guard lock(impl_->mutex);
    const Impl& w = *impl_;
    json j = {{"format", kFormat}, {"version", kVersion}, {"next_user_id", w.next_user_id}};
    j["accounts"] = json::array();
    for (const auto& [id, a] : w.accounts) j["accounts"].push_back(account_to_json(a));
    j["authorizations"] = json::array();
    for (const auto& [key, a] : w.authorizations)
      j["authorizations"].push_back({{"auth_key_id", key}, {"user_id", a.user_id}, {"dc_id", a.dc_id}, {"date", a.date}});
    j["next_channel_id"] = w.next_channel_id;
    j["channels"] = json::array();
    for (const auto& [id, ch] : w.channels) j["channels"].push_back(channel_to_json(ch));
    j["next_secret_chat_id"] = w.next_secret_chat_id;
    j["secret_chats"] = json::array();
    for (const auto& [id, chat] : w.secret_chats) j["secret_chats"].push_back(secret_chat_to_json(chat));
    j["auth_keys"] = json::array();
    for (const auto& [key, k] : w.auth_keys)
      j["auth_keys"].push_back({{"auth_key_id", key}, {"dc_id", k.dc_id}, {"key", b64(k.key)}});
    text = j.dump(1) + "\n";
  }

  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("cannot create", dir);
  return write_file_atomic(file_path(dir), text);
}

Result<World> World::load(const std::string& dir, WorldOptions options) {
  std::string path = file_path(dir);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    // First start with --data: a new (seeded) world, saved later by the server.
    return World(std::move(options));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return sys_error("cannot open", path);
  std::stringstream buffer;
  buffer << in.rdbuf();

  World world(WorldOptions{});
  Impl& w = *world.impl_;
  w.accounts.clear();
  try {
    json j = json::parse(buffer.str());
    if (j.at("format") != kFormat) return Status::error(path + ": not a mtjson-testdc world file");
    if (j.at("version") != kVersion) return Status::error(path + ": unsupported version " + j.at("version").dump());
    w.next_user_id = j.at("next_user_id").get<std::int64_t>();
    for (const json& aj : j.at("accounts")) {
      Account a = account_from_json(aj);
      std::int64_t id = a.id;
      if (!w.accounts.emplace(id, std::move(a)).second)
        return Status::error(path + ": account " + std::to_string(id) + " appears twice");
    }
    // Channels came later within version 1: a file without them has none.
    if (j.contains("next_channel_id")) w.next_channel_id = j.at("next_channel_id").get<std::int64_t>();
    if (j.contains("channels")) {
      for (const json& cj : j.at("channels")) {
        Channel ch = channel_from_json(cj);
        std::int64_t id = ch.id;
        if (!w.channels.emplace(id, std::move(ch)).second)
          return Status::error(path + ": channel " + std::to_string(id) + " appears twice");
      }
    }
    // Secret chats came later within version 1 too.
    if (j.contains("next_secret_chat_id")) w.next_secret_chat_id = j.at("next_secret_chat_id").get<std::int32_t>();
    if (j.contains("secret_chats")) {
      for (const json& sj : j.at("secret_chats")) {
        SecretChat chat = secret_chat_from_json(sj);
        std::int32_t id = chat.id;
        if (!w.secret_chats.emplace(id, std::move(chat)).second)
          return Status::error(path + ": secret chat " + std::to_string(id) + " appears twice");
      }
    }
    for (const json& aj : j.at("authorizations"))
      w.authorizations[aj.at("auth_key_id").get<std::uint64_t>()] =
          Authorization{aj.at("user_id").get<std::int64_t>(), aj.at("dc_id").get<int>(), aj.at("date").get<std::int32_t>()};
    for (const json& kj : j.at("auth_keys")) {
      AuthKeyRecord k{kj.at("auth_key_id").get<std::uint64_t>(), kj.at("dc_id").get<int>(), unb64(kj.at("key"), "key")};
      w.auth_keys[k.auth_key_id] = std::move(k);
    }
  } catch (const std::exception& e) {
    return Status::error(path + ": " + e.what());
  }
  w.options = std::move(options);
  if (w.options.dc_count < 1) w.options.dc_count = 1;
  if (w.options.dc_count > 9) w.options.dc_count = 9;
  w.add_builtin_accounts();  // seeds whose phone the file lacks
  return world;
}

}  // namespace mtjson::testdc
