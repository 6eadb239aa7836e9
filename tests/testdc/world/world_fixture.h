// Shared helpers for the world tests: a World with a fixed clock, callers, sign-in shortcuts.
#pragma once

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "testdc/world/world.h"

namespace mtjson::testdc::test {

using nlohmann::json;

struct Fixture {
  std::int64_t clock = 1700000000;
  std::vector<std::string> log;
  World world;

  explicit Fixture(std::vector<SeedAccount> seeds = {}, const std::function<void(WorldOptions&)>& tweak = {})
      : world(options(std::move(seeds), tweak)) {}

  WorldOptions options(std::vector<SeedAccount> seeds, const std::function<void(WorldOptions&)>& tweak = {}) {
    WorldOptions o;
    o.clock = [this] { return clock; };
    o.log = [this](const std::string& line) { log.push_back(line); };
    o.accounts = std::move(seeds);
    o.base_port = 20443;
    if (tweak) tweak(o);
    return o;
  }

  // `from` saved with --data to a fresh directory and loaded back with this fixture's options
  // (its clock and log); the directory is removed again.
  World reloaded(const World& from, const std::string& tag) {
    auto dir = (std::filesystem::temp_directory_path() / ("mtjson-world-" + tag + "-" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(dir);
    REQUIRE(from.save(dir).ok());
    auto loaded = World::load(dir, options({}));
    std::filesystem::remove_all(dir);
    REQUIRE(loaded.ok());
    return std::move(loaded.value());
  }

  static Caller caller(int dc, std::uint64_t key, std::int64_t session = 1) { return Caller{dc, key, session, 228}; }

  CallResult call(const Caller& c, const json& m) { return world.call(c, m); }

  json ok(const Caller& c, const json& m) {
    CallResult r = world.call(c, m);
    INFO(m.dump() << " -> " << r.error_code << " " << r.error_message);
    REQUIRE(r.ok);
    return r.result;
  }

  // The rpc_error "CODE MESSAGE" of a call that must fail.
  std::string err(const Caller& c, const json& m) {
    CallResult r = world.call(c, m);
    INFO(m.dump() << " -> " << r.result.dump());
    REQUIRE_FALSE(r.ok);
    return std::to_string(r.error_code) + " " + r.error_message;
  }

  static json send_code(const std::string& phone) {
    return {{"_cons", "auth.sendCode"}, {"phone_number", phone}, {"api_id", 17349}, {"api_hash", "abc"},
            {"settings", {{"_cons", "codeSettings"}}}};
  }
  static json sign_in(const std::string& phone, const std::string& hash, const std::string& code) {
    return {{"_cons", "auth.signIn"}, {"phone_number", phone}, {"phone_code_hash", hash}, {"phone_code", code}};
  }
  static json sign_up(const std::string& phone, const std::string& hash, const std::string& first) {
    return {{"_cons", "auth.signUp"}, {"phone_number", phone}, {"phone_code_hash", hash},
            {"first_name", first}, {"last_name", ""}};
  }

  // Full sign-up (or sign-in) of a test number on its own DC; returns the user object.
  json login(const std::string& phone, std::uint64_t key, const std::string& first = "Test") {
    int dc = phone[5] - '0';
    Caller c = caller(dc, key);
    json sent = ok(c, send_code(phone));
    std::string hash = sent["phone_code_hash"];
    json a = ok(c, sign_in(phone, hash, std::string(5, phone[5])));
    if (a["_cons"] == "auth.authorizationSignUpRequired") a = ok(c, sign_up(phone, hash, first));
    REQUIRE(a["_cons"] == "auth.authorization");
    return a["user"];
  }

  static json input_peer(const json& user) {
    return {{"_cons", "inputPeerUser"}, {"user_id", user["id"]}, {"access_hash", user["access_hash"]}};
  }
  static json send(const json& user, const std::string& text, std::int64_t random_id) {
    return {{"_cons", "messages.sendMessage"}, {"peer", input_peer(user)}, {"message", text}, {"random_id", random_id}};
  }

  // Channels: `chat` is a channel object as a result's "chats" carries it.
  static json create_channel(const std::string& title, bool megagroup = false) {
    json m = {{"_cons", "channels.createChannel"}, {"title", title}, {"about", "about " + title}};
    m[megagroup ? "megagroup" : "broadcast"] = true;
    return m;
  }
  static json input_channel(const json& chat) {
    return {{"_cons", "inputChannel"}, {"channel_id", chat["id"]}, {"access_hash", chat["access_hash"]}};
  }
  static json input_peer_channel(const json& chat) {
    return {{"_cons", "inputPeerChannel"}, {"channel_id", chat["id"]}, {"access_hash", chat["access_hash"]}};
  }
  static json post(const json& chat, const std::string& text, std::int64_t random_id) {
    return {{"_cons", "messages.sendMessage"}, {"peer", input_peer_channel(chat)}, {"message", text},
            {"random_id", random_id}};
  }
  static json channel_difference(const json& chat, int pts, int limit = 100) {
    return {{"_cons", "updates.getChannelDifference"}, {"channel", input_channel(chat)},
            {"filter", {{"_cons", "channelMessagesFilterEmpty"}}}, {"pts", pts}, {"limit", limit}};
  }
  static json set_username(const json& chat, const std::string& name) {
    return {{"_cons", "channels.updateUsername"}, {"channel", input_channel(chat)}, {"username", name}};
  }
};

}  // namespace mtjson::testdc::test
