// A client session and a server session wired through in-memory packet queues (no sockets),
// with a scripted application on the server side, and helpers to look inside packets.
#pragma once

#include <deque>
#include <functional>
#include <variant>

#include "crypto/random.h"
#include "mtproto/session/client_session.h"
#include "mtproto/session/ids.h"
#include "mtproto/session/server_session.h"
#include "test_util.h"

namespace mtjson::mtproto::session::test {

inline constexpr std::uint64_t kSalt = 0x1111222233334444ull;

template <typename T, typename Events>
std::vector<T> of_type(const Events& ev) {
  std::vector<T> out;
  for (const auto& e : ev)
    if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
  return out;
}

// Test payloads stand in for TL objects, so they are zero-padded to a multiple of 4 bytes.
inline Bytes bytes_of(std::string_view s) {
  Bytes b(s.begin(), s.end());
  b.resize((b.size() + 3) & ~std::size_t{3}, 0);
  return b;
}

// The messages inside a packet (a container's inner messages, or the single message).
inline std::vector<std::pair<std::uint64_t, Bytes>> open_packet(const AuthKey& key, Side sender, const Bytes& packet,
                                                                 MessageHeader* header = nullptr) {
  DecryptedMessage m;
  if (decrypt_packet(key, sender, packet, m)) throw std::runtime_error("open_packet: cannot decrypt");
  if (header) *header = m.header;
  std::vector<std::pair<std::uint64_t, Bytes>> out;
  if (constructor_of(m.body()) == ids::msg_container) {
    auto inner = parse_container(m.body());
    if (!inner) throw std::runtime_error(inner.message());
    for (auto& im : *inner) out.emplace_back(im.msg_id, Bytes(im.body.begin(), im.body.end()));
  } else {
    out.emplace_back(m.header.msg_id, Bytes(m.body().begin(), m.body().end()));
  }
  return out;
}

inline bool has_constructor(const std::vector<std::pair<std::uint64_t, Bytes>>& msgs, std::uint32_t ctor) {
  for (auto& [id, b] : msgs)
    if (constructor_of(b) == ctor) return true;
  return false;
}

struct Pipe {
  AuthKey key = sample_key();
  crypto::ReplayRandom client_random;
  crypto::ReplayRandom server_random;
  TimePoint now = t0();
  Duration client_skew{0};  // the client's clock minus the true (server) clock
  ServerSession server;
  ClientSession client;
  std::vector<ClientEvent> client_events;
  std::vector<ServerEvent> server_events;
  std::vector<Query> queries;  // every Query the app saw
  // The app: by default answers every query with "re:" + body.
  std::function<void(const Query&)> app;
  std::size_t packets_to_server = 0, packets_to_client = 0;

  explicit Pipe(ClientConfig cc = {}, ServerConfig sc = {})
      : server([this](std::uint64_t id) -> const AuthKey* { return id == key.id ? &key : nullptr; },
               {FutureSalt{static_cast<std::int32_t>(to_unix_seconds(t0()) - 600),
                           static_cast<std::int32_t>(to_unix_seconds(t0()) + 3600), kSalt}},
               server_random, sc),
        client(key, kSalt, client_random, cc) {
    app = [this](const Query& q) {
      std::string text(q.body.begin(), q.body.end());
      while (!text.empty() && text.back() == 0) text.pop_back();
      server.reply(q.msg_id, bytes_of("re:" + text), now);
    };
  }

  TimePoint client_now() const { return now + client_skew; }

  void to_server(const Bytes& packet) {
    ++packets_to_server;
    for (auto& e : server.on_packet(packet, now)) {
      if (auto* q = std::get_if<Query>(&e)) {
        queries.push_back(*q);
        if (app) app(*q);
      }
      server_events.push_back(std::move(e));
    }
  }
  void to_client(const Bytes& packet) {
    ++packets_to_client;
    for (auto& e : client.on_packet(packet, client_now())) client_events.push_back(std::move(e));
  }
  std::vector<Bytes> drain_client() {
    std::vector<Bytes> out;
    while (auto p = client.take_outgoing(client_now())) out.push_back(std::move(*p));
    return out;
  }
  std::vector<Bytes> drain_server() {
    std::vector<Bytes> out;
    while (auto p = server.take_outgoing(now)) out.push_back(std::move(*p));
    return out;
  }
  // Exchanges packets until both sides are quiet, letting ack timers fire.
  void run(int rounds = 8) {
    for (int i = 0; i < rounds; ++i) {
      for (auto& p : drain_client()) to_server(p);
      for (auto& p : drain_server()) to_client(p);
      now += std::chrono::seconds(1);
    }
  }
  std::uint64_t query(std::string_view body, std::uint64_t token) {
    return client.send_query(bytes_of(body), token, client_now());
  }
  std::vector<RpcResult> results() const { return of_type<RpcResult>(client_events); }
  std::size_t results_for(std::uint64_t token) const {
    std::size_t n = 0;
    for (auto& r : results()) n += r.token == token;
    return n;
  }
  // A message from the "server" built by hand, straight into the client.
  std::vector<ClientEvent> inject(const Bytes& body, bool content_related, std::uint64_t msg_id = 0) {
    static std::uint32_t seq = 1001;
    MessageHeader h{kSalt, client.session_id(), msg_id ? msg_id : (raw_msg_id(now) | 1) + 4 * (seq++), 0};
    h.seq_no = content_related ? (seq += 2) : (seq += 2) - 1;
    crypto::ReplayRandom r;
    return client.on_packet(encrypt_packet(key, Side::server, h, body, r), client_now());
  }
};

}  // namespace mtjson::mtproto::session::test
