// The client's table of sent messages: every content-related message it sent (queries and the
// internal requests ping/get_future_salts/destroy_session/rpc_drop_answer) stays here until it is
// answered, so it can be re-sent under a new msg_id. Every msg_id a request was ever sent under is
// kept as an alias, so an answer to any copy finds it, and erasing it on the first answer makes
// delivery exactly-once whichever copy the server answers.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "mtproto/session/service_codec.h"
#include "mtproto/session/session_clock.h"

namespace mtjson::mtproto::session {

enum class RequestKind { query, ping, get_future_salts, destroy_session, drop_answer };
enum class RequestState { queued, sent, acked };

struct Request {
  std::uint64_t key = 0;  // the first msg_id: stable over re-sends
  std::uint64_t token = 0;
  RequestKind kind = RequestKind::query;
  Bytes body;
  bool content_related = true;
  RequestState state = RequestState::queued;
  std::uint64_t msg_id = 0;  // current copy
  std::vector<std::uint64_t> earlier_msg_ids;  // of re-sent copies (usually none: no allocation)
  std::uint32_t seq_no = 0;
  TimePoint sent_at{};
  std::uint64_t ping_id = 0;         // ping: to report in Pong
  std::uint64_t target_session = 0;  // destroy_session
};

class SentTable {
 public:
  // Adds a request whose msg_id is already set; its key becomes that msg_id.
  Request& add(Request r);
  // By current or any earlier msg_id; nullptr if unknown (or already answered).
  Request* find(std::uint64_t msg_id);
  Request* find_by_key(std::uint64_t key);
  Request* find_by_token(std::uint64_t token);
  // Gives the request a new msg_id, keeping the old one as an alias.
  void rekey(Request& r, std::uint64_t new_msg_id);
  void erase(std::uint64_t key);

  std::map<std::uint64_t, Request>& all() { return by_key_; }
  const std::map<std::uint64_t, Request>& all() const { return by_key_; }
  std::size_t size() const { return by_key_.size(); }

 private:
  std::map<std::uint64_t, Request> by_key_;
  std::unordered_map<std::uint64_t, std::uint64_t> key_of_msg_id_;
};

}  // namespace mtjson::mtproto::session
