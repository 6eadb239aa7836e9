#include "tests/bench/standin_server.h"

#include <cstdint>
#include <asio.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <random>
#include <vector>

namespace mtjson::bench::test {

using asio::ip::tcp;
using nlohmann::json;

struct StandinServer::Impl {
  struct Session;

  Impl(StandinMode m, int delay) : mode(m), max_delay_us(delay), acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}

  void accept();

  StandinMode mode;
  int max_delay_us;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  StandinStats stats;
  std::mt19937 rng{12345};
  std::uint64_t global_plain = 0;  // io thread only
  int sessions = 0;
  std::set<std::string> registered;
  std::set<std::int64_t> random_ids;
};

struct StandinServer::Impl::Session : std::enable_shared_from_this<Session> {
  Session(Impl& i, tcp::socket s, int n) : impl(i), sock(std::move(s)), index(n) {}

  void read() {
    auto self = shared_from_this();
    asio::async_read_until(sock, buf, '\n', [self](const std::error_code& ec, std::size_t n) {
      if (ec) return;
      std::string line(asio::buffers_begin(self->buf.data()), asio::buffers_begin(self->buf.data()) + n - 1);
      self->buf.consume(n);
      self->handle(line);
      if (self->sock.is_open()) self->read();
    });
  }

  // Writes `lines` after a random delay: requests overtake each other.
  void later(std::vector<std::string> lines, std::int64_t id) {
    auto timer = std::make_shared<asio::steady_timer>(impl.io);
    std::uniform_int_distribution<int> d(0, impl.max_delay_us);
    timer->expires_after(std::chrono::microseconds(d(impl.rng)));
    auto self = shared_from_this();
    timer->async_wait([self, timer, lines = std::move(lines), id](const std::error_code&) {
      if (id > 0) {
        if (id < self->last_written_id) ++self->impl.stats.out_of_order;
        self->last_written_id = id;
      }
      for (const auto& l : lines) self->out += l + "\n";
      self->flush();
    });
  }

  void flush() {
    if (busy || out.empty() || !sock.is_open()) return;
    writing.swap(out);
    out.clear();
    busy = true;
    auto self = shared_from_this();
    asio::async_write(sock, asio::buffer(writing), [self](const std::error_code& ec, std::size_t) {
      self->busy = false;
      if (!ec) self->flush();
    });
  }

  json update(const std::string& text) {
    ++impl.stats.updates_sent;
    return {{"id", 0}, {"message", {{"_cons", "updateShortMessage"}, {"message", text}, {"user_id", 42}}}};
  }

  void handle(const std::string& line) {
    StandinStats& st = impl.stats;
    ++st.lines;
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer()) {
      later({json{{"id", -2}, {"error", "json"}, {"msg", "stand-in: not a request"}}.dump()}, -2);
      return;
    }
    std::int64_t id = j["id"].get<std::int64_t>();
    if (!ids.insert(id).second) ++st.id_reused;

    json reply = {{"id", id}};
    std::vector<json> before;  // updates written just before the answer
    bool plain = false;
    std::string cons;
    if (j.contains("server")) {
      ++st.server_gets;
      reply["server"] = {{"host", "127.0.0.1"}, {"port", 443}, {"dc", 2}};
    } else if (j.contains("message") && j["message"].is_object()) {
      json m = j["message"];
      bool wrapped = false;
      while (m.is_object() && (m.value("_cons", "") == "invokeWithLayer" || m.value("_cons", "") == "initConnection")) {
        json q = m["query"];
        m = q;
        wrapped = true;
      }
      cons = m.is_object() ? m.value("_cons", "") : "";
      plain = !wrapped && (cons == "help.getConfig" || cons == "ping" || cons == "messages.sendMessage");
      if (cons == "help.getConfig") {
        reply["message"] = {{"_cons", "config"}, {"date", 1700000000}, {"this_dc", 2}};
      } else if (cons == "ping") {
        reply["message"] = {{"_cons", "pong"}, {"msg_id", 0}, {"ping_id", m["ping_id"]}};
      } else if (cons == "auth.sendCode") {
        ++st.send_codes;
        reply["message"] = {{"_cons", "auth.sentCode"}, {"phone_code_hash", "h" + m.value("phone_number", "")}};
        if (impl.mode == StandinMode::refuse_signin)
          reply["message"] = {{"_cons", "rpc_error"}, {"error_code", 400}, {"error_message", "PHONE_NUMBER_BANNED"}};
      } else if (cons == "auth.signIn") {
        ++st.sign_ins;
        std::string phone = m.value("phone_number", "");
        if (phone.size() != 10 || m.value("phone_code", "") != std::string(5, phone[5]) ||
            m.value("phone_code_hash", "") != "h" + phone) {
          reply["message"] = {{"_cons", "rpc_error"}, {"error_code", 400}, {"error_message", "PHONE_CODE_INVALID"}};
        } else if (impl.registered.count(phone)) {
          reply["message"] = {{"_cons", "auth.authorization"}, {"user", {{"_cons", "user"}, {"id", 1000}}}};
        } else {
          reply["message"] = {{"_cons", "auth.authorizationSignUpRequired"}};
        }
      } else if (cons == "auth.signUp") {
        ++st.sign_ups;
        impl.registered.insert(m.value("phone_number", ""));
        reply["message"] = {{"_cons", "auth.authorization"}, {"user", {{"_cons", "user"}, {"id", 1000}}}};
      } else if (cons == "contacts.resolveUsername") {
        ++st.resolves;
        reply["message"] = {{"_cons", "contacts.resolvedPeer"},
                            {"peer", {{"_cons", "peerUser"}, {"user_id", 42}}},
                            {"chats", json::array()},
                            {"users", {{{"_cons", "user"}, {"id", 42}, {"access_hash", 4242}, {"username", "echo"}}}}};
      } else if (cons == "messages.sendMessage") {
        ++st.send_messages;
        const json& peer = m["peer"];
        if (!peer.is_object() || peer.value("user_id", 0) != 42 || peer.value("access_hash", 0) != 4242) ++st.bad_peer;
        if (!impl.random_ids.insert(m.value("random_id", std::int64_t{0})).second) ++st.random_id_reused;
        reply["message"] = {{"_cons", "updateShortSentMessage"}, {"id", id}, {"date", 1700000000}};
        before.push_back(update(m.value("message", "")));  // @echo's reply
      } else {
        reply["message"] = {{"_cons", "rpc_error"}, {"error_code", 400}, {"error_message", "METHOD_INVALID"}};
      }
    } else {
      later({json{{"id", id}, {"error", "request"}, {"msg", "stand-in: nothing to do"}}.dump()}, id);
      return;
    }

    std::uint64_t n = 0, g = 0;
    if (plain) {
      ++st.plain_requests;
      n = ++plain_count;
      g = ++impl.global_plain;
    }
    if (++answers % 10 == 0) before.push_back(update("now and then"));

    std::vector<std::string> lines;
    for (const auto& u : before) lines.push_back(u.dump());
    StandinMode mode = impl.mode;
    if (mode == StandinMode::disconnect && index == 0 && n == 10) {
      std::error_code ignored;
      sock.close(ignored);
      return;
    }
    if (mode == StandinMode::drop_one && g == 3) return;
    if (mode == StandinMode::errors && cons == "help.getConfig") {
      if (n == 5) reply["message"] = {{"_cons", "rpc_error"}, {"error_code", 420}, {"error_message", "FLOOD_WAIT_1"}};
      if (n == 6) reply = {{"id", id}, {"error", "tl"}, {"msg", "stand-in: message: pretend it did not encode"}};
      if (n == 7) reply["message"] = {{"_cons", "rpc_timeout"}};
    }
    lines.push_back(reply.dump());
    if (mode == StandinMode::duplicate && g == 3) lines.push_back(reply.dump());
    if (mode == StandinMode::unknown_id && g == 3) lines.push_back(json{{"id", 999999999}, {"message", reply["message"]}}.dump());
    if (mode == StandinMode::bad_line && g == 3) lines.push_back("this is not json");
    later(std::move(lines), id);
  }

  Impl& impl;
  tcp::socket sock;
  int index;
  asio::streambuf buf;
  std::string out, writing;
  bool busy = false;
  std::set<std::int64_t> ids;
  std::int64_t last_written_id = 0;
  std::uint64_t plain_count = 0;
  std::uint64_t answers = 0;
};

void StandinServer::Impl::accept() {
  acceptor.async_accept([this](const std::error_code& ec, tcp::socket s) {
    if (ec) return;
    ++stats.connections;
    std::make_shared<Session>(*this, std::move(s), sessions++)->read();
    accept();
  });
}

StandinServer::StandinServer(StandinMode mode, int max_delay_us) : impl_(std::make_unique<Impl>(mode, max_delay_us)) {
  impl_->acceptor.listen(4096);
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

StandinServer::~StandinServer() { stop(); }

const StandinStats& StandinServer::stats() const { return impl_->stats; }

void StandinServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace mtjson::bench::test
