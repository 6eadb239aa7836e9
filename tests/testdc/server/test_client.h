// OUR client side over a real loopback socket, for the test DC's integration tests and bench:
// transport ClientConnection + ClientHandshake + ClientSession, blocking I/O with poll().
// reconnect() moves the session to a new TCP connection (as after a network failure).
#pragma once

#include <poll.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <simdjson.h>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "crypto/random.h"
#include "crypto/telegram_keys.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/handshake/plain_message.h"
#include "mtproto/session/client_session.h"
#include "testdc/server/layer_schemas.h"
#include "testdc/server/padding.h"
#include "testdc/server/server.h"
#include "tl/json_to_tl.h"
#include "tl/schema_loader.h"
#include "tl/tl_to_json.h"
#include "transport/client_connection.h"

namespace mtjson::testdc::server::test {

using Bytes = std::vector<std::uint8_t>;

inline std::string source_root() {
  const char* r = std::getenv("MTJSON_SOURCE_ROOT");
  return r && *r ? r : ".";
}

inline std::shared_ptr<const tl::Schema> load_api(const std::string& api_file) {
  std::shared_ptr<const tl::Schema> s;
  auto st = tl::load_schema_files({source_root() + "/" + api_file, source_root() + "/tl/mtproto.tl"}, s);
  if (!st) throw std::runtime_error(st.message());
  return s;
}

// Layers 144, 198, 228 as the server loads them by default.
inline LayerSchemas default_layers() {
  LayerSchemas l;
  auto st = LayerSchemas::load({source_root() + "/scheme.tl", source_root() + "/tl/api-144.tl",
                                source_root() + "/tl/api-198.tl"},
                               source_root() + "/tl/mtproto.tl", l);
  if (!st) throw std::runtime_error(st.message());
  return l;
}

inline const crypto::RsaPrivateKey& test_rsa_key() {
  static const crypto::RsaPrivateKey key = *crypto::RsaPrivateKey::generate(2048);
  return key;
}

// A server on 127.0.0.1 ephemeral ports, run on its own thread.
struct TestServer {
  explicit TestServer(std::string data_dir = {}, std::vector<transport::ProxySecret> secrets = {},
                      bool keep_log = true, const std::function<void(ServerConfig&)>& configure = {}) {
    ServerConfig cfg;
    cfg.port = 0;
    cfg.dcs = 3;
    cfg.data_dir = std::move(data_dir);
    cfg.rsa_keys.push_back(test_rsa_key());
    cfg.secrets = std::move(secrets);
    cfg.layers = default_layers();
    if (keep_log) cfg.log = [this](const std::string& line) {
      std::lock_guard lock(mutex);
      log.push_back(line);
    };
    if (configure) configure(cfg);
    auto s = Server::create(std::move(cfg));
    if (!s) throw std::runtime_error(s.message());
    server = std::move(*s);
    thread = std::thread([this] { (void)server->run(); });
  }
  ~TestServer() { shutdown(); }
  void shutdown() {
    if (thread.joinable()) {
      server->stop();
      thread.join();
    }
  }
  std::uint16_t port(int dc) const { return server->ports().at(static_cast<std::size_t>(dc - 1)); }
  bool logged(const std::string& needle) {
    std::lock_guard lock(mutex);
    for (auto& l : log)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  // Log lines are written on the io thread: wait a little for one.
  bool wait_logged(const std::string& needle, int ms = 5000) {
    for (int waited = 0; waited < ms; waited += 10) {
      if (logged(needle)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return logged(needle);
  }
  std::vector<std::string> log_copy() {
    std::lock_guard lock(mutex);
    return log;
  }

  std::unique_ptr<Server> server;
  std::thread thread;
  std::mutex mutex;
  std::vector<std::string> log;
};

// JSON <-> TL for one layer, as a client of that layer would do it.
struct ClientCodec {
  explicit ClientCodec(std::shared_ptr<const tl::Schema> s) : schema(s), enc(s), dec(s) {}
  Bytes encode(const std::string& json_text) {
    simdjson::dom::element doc;
    if (parser.parse(json_text).get(doc)) throw std::runtime_error("bad JSON in test");
    Bytes out;
    const tl::Combinator* m = nullptr;
    auto st = enc.encode_function(doc, out, &m);
    if (!st) throw std::runtime_error(st.message());
    return out;
  }
  // Any boxed object (e.g. a constructor sent where a method belongs).
  Bytes encode_boxed(const std::string& json_text) {
    simdjson::dom::element doc;
    if (parser.parse(json_text).get(doc)) throw std::runtime_error("bad JSON in test");
    Bytes out;
    auto st = enc.encode_boxed(doc, out);
    if (!st) throw std::runtime_error(st.message());
    return out;
  }
  nlohmann::json decode_result(const Bytes& body, const std::string& method) {
    const tl::Combinator* m = schema->by_name(method);
    if (!m) throw std::runtime_error("no method " + method);
    std::string out;
    auto st = dec.decode_result(body, *m, out);
    if (!st) throw std::runtime_error("decode " + method + ": " + st.message());
    return nlohmann::json::parse(out);
  }
  nlohmann::json decode_boxed(const Bytes& body) {
    std::string out;
    auto st = dec.decode_boxed(body, out);
    if (!st) throw std::runtime_error("decode: " + st.message());
    return nlohmann::json::parse(out);
  }
  std::shared_ptr<const tl::Schema> schema;
  tl::JsonToTl enc;
  tl::TlToJson dec;
  simdjson::dom::parser parser;
};

inline std::string wrap_layer(int layer, const std::string& inner) {
  return R"({"_cons":"invokeWithLayer","layer":)" + std::to_string(layer) +
         R"(,"query":{"_cons":"initConnection","api_id":12345,"device_model":"test","system_version":"linux",)"
         R"("app_version":"1.0","system_lang_code":"en","lang_pack":"","lang_code":"en","query":)" +
         inner + "}}";
}

inline mtproto::session::TimePoint now_tp() {
  return std::chrono::time_point_cast<mtproto::session::Duration>(std::chrono::system_clock::now());
}

struct Reply {
  bool ok = false;
  Bytes body;
  std::int32_t code = 0;
  std::string message;
};

class TestClient {
 public:
  TestClient(std::uint16_t port, int dc_id, transport::ClientOptions options = {})
      : socket_(io_), padded_(options.mode == transport::Mode::padded_intermediate ||
                             (options.secret && options.secret->kind != transport::ProxySecret::Kind::plain)),
        options_(std::move(options)), port_(port), dc_id_(dc_id) {
    connect();
  }

  // A new TCP connection for the same session (the client's on_reconnect re-sends what the
  // server did not acknowledge).
  void reconnect() {
    asio::error_code ec;
    socket_.close(ec);
    socket_ = asio::ip::tcp::socket(io_);
    closed = false;
    transport_error.reset();
    pending_.clear();
    connect();
    if (session) session->on_reconnect(now_tp());
    flush();
  }

  // Key exchange; returns the key and first salt.
  void handshake(const crypto::RsaPublicKey& server_key) {
    namespace hs = mtproto::handshake;
    hs::ClientConfig cfg;
    cfg.dc_id = dc_id_;
    cfg.keys.add(server_key);
    hs::ClientHandshake h(cfg, random_, hs::system_clock());
    hs::PlainChannel channel(crypto::Side::client, hs::system_clock());
    send(channel.wrap(h.start()));
    while (!h.done()) {
      Bytes frame = read_frame();
      auto body = channel.unwrap(frame);
      if (!body) throw std::runtime_error("handshake unwrap: " + body.message());
      auto out = h.on_message(*body);
      if (!out) throw std::runtime_error("handshake: " + out.message());
      if (!out->send.empty()) send(channel.wrap(out->send));
    }
    key = h.result().auth_key;
    salt = h.result().server_salt;
    server_time_offset = h.result().server_time_offset;
  }

  void start_session() { session = std::make_unique<mtproto::session::ClientSession>(key, salt, random_); }
  void start_session(const mtproto::session::ClientConfig& config) {
    session = std::make_unique<mtproto::session::ClientSession>(key, salt, random_, config);
  }
  void start_session(const mtproto::AuthKey& k, std::uint64_t s) {
    key = k;
    salt = s;
    start_session();
  }

  std::uint64_t send_query(Bytes body, std::uint64_t token) {
    const std::uint64_t id = session->send_query(std::move(body), token, now_tp());
    flush();
    return id;
  }

  // Queues a query and sends the packet carrying it with the transport's quick-ACK flag; returns
  // that packet (to compute the expected token).
  Bytes send_query_quick_ack(Bytes body, std::uint64_t token) {
    session->send_query(std::move(body), token, now_tp());
    auto packet = session->take_outgoing(now_tp());
    if (!packet) throw std::runtime_error("no packet to send");
    auto st = conn_->send_frame(*packet, true);
    if (!st.ok()) throw std::runtime_error(st.message());
    ++packets_sent;
    write_out();
    return *packet;
  }

  // Reads until the server closes the connection (true) or `ms` pass (false).
  bool wait_closed(int ms = 5000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!closed && std::chrono::steady_clock::now() < deadline) pump(20);
    return closed;
  }

  bool has_reply(std::uint64_t token) const { return replies_.count(token) != 0; }

  // Waits for the answer to `token`.
  Reply wait(std::uint64_t token, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto it = replies_.find(token); it != replies_.end()) {
        Reply r = std::move(it->second);
        replies_.erase(it);
        return r;
      }
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no answer in time");
      if (closed) throw std::runtime_error("connection closed while waiting for an answer");
      pump(50);
    }
  }

  Reply call(Bytes body) {
    const std::uint64_t token = next_token_++;
    send_query(std::move(body), token);
    return wait(token);
  }

  // Reads what arrives for up to `ms` milliseconds (one poll).
  void pump(int ms) {
    flush();
    for (Bytes& frame : read_frames(ms)) {
      for (auto& ev : session->on_packet(frame, now_tp())) {
        if (auto* r = std::get_if<mtproto::session::RpcResult>(&ev)) {
          replies_[r->token] = Reply{true, r->body, 0, {}};
        } else if (auto* e = std::get_if<mtproto::session::RpcError>(&ev)) {
          replies_[e->token] = Reply{false, {}, e->code, e->message};
        } else if (std::get_if<mtproto::session::Pong>(&ev)) {
          ++pongs;
        } else if (std::get_if<mtproto::session::NewSession>(&ev)) {
          ++new_sessions;
        } else if (auto* u = std::get_if<mtproto::session::Update>(&ev)) {
          updates.push_back(u->body);
        }
      }
    }
    flush();
  }

  void send(const Bytes& payload) {
    auto st = conn_->send_frame(payload);
    if (!st.ok()) throw std::runtime_error(st.message());
    write_out();
  }

  Bytes read_frame(int timeout_ms = 10000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (pending_.empty()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("no frame in time");
      for (Bytes& f : read_frames(50)) pending_.push_back(std::move(f));
    }
    Bytes f = std::move(pending_.front());
    pending_.erase(pending_.begin());
    return f;
  }

  std::optional<std::int32_t> transport_error;
  bool closed = false;
  mtproto::AuthKey key;
  std::uint64_t salt = 0;
  std::int32_t server_time_offset = 0;  // from the handshake: server_time - local time
  std::vector<std::uint32_t> quick_acks;  // tokens received
  std::size_t packets_sent = 0;         // encrypted packets written (flush / quick ack)
  std::unique_ptr<mtproto::session::ClientSession> session;
  std::vector<Bytes> updates;
  int new_sessions = 0;  // new_session_created notices received
  std::size_t pongs = 0;

 private:
  void connect() {
    conn_ = std::make_unique<transport::ClientConnection>(options_, random_);
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    socket_.set_option(asio::ip::tcp::no_delay(true));
    auto st = conn_->start();
    if (!st.ok()) throw std::runtime_error(st.message());
  }
  void flush() {
    if (!session || closed) return;
    while (auto p = session->take_outgoing(now_tp())) {
      auto st = conn_->send_frame(*p);
      if (!st.ok()) throw std::runtime_error(st.message());
      ++packets_sent;
    }
    write_out();
  }
  void write_out() {
    Bytes out = conn_->take_output();
    if (out.empty() || closed) return;
    asio::error_code ec;
    asio::write(socket_, asio::buffer(out), ec);
    if (ec) closed = true;  // reset by the server
  }
  std::vector<Bytes> read_frames(int ms) {
    std::vector<Bytes> frames;
    pollfd p{socket_.native_handle(), POLLIN, 0};
    if (closed || ::poll(&p, 1, ms) <= 0) return frames;
    std::uint8_t buf[65536];
    asio::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(buf), ec);
    if (ec) {
      closed = true;
      return frames;
    }
    conn_->on_bytes_received(std::span<const std::uint8_t>(buf, n));
    for (;;) {
      auto d = conn_->next();
      if (d.kind == transport::Decoded::Kind::frame) {
        // Padded intermediate: the receiver trims the random tail (see padding.h).
        auto p = padded_ ? strip_transport_padding(d.payload) : std::span<const std::uint8_t>(d.payload);
        frames.emplace_back(p.begin(), p.end());
      } else if (d.kind == transport::Decoded::Kind::transport_error) {
        transport_error = d.error_code;
      } else if (d.kind == transport::Decoded::Kind::quick_ack) {
        quick_acks.push_back(d.quick_ack_token);
      } else if (d.kind == transport::Decoded::Kind::error) {
        throw std::runtime_error("client transport: " + d.reason);
      } else if (d.kind == transport::Decoded::Kind::need_more) {
        break;
      }
    }
    return frames;
  }

  asio::io_context io_;
  crypto::SecureRandom random_;
  asio::ip::tcp::socket socket_;
  bool padded_;
  transport::ClientOptions options_;
  std::uint16_t port_;
  std::unique_ptr<transport::ClientConnection> conn_;
  int dc_id_;
  std::map<std::uint64_t, Reply> replies_;
  std::vector<Bytes> pending_;
  std::uint64_t next_token_ = 1;
};

}  // namespace mtjson::testdc::server::test
