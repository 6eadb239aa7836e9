#include "daemon/updates/update_entry.h"

#include <string>

namespace mtjson::daemon::updates {

using nlohmann::json;

namespace {

// Updates of a channel's own message box (api.tl, layer 228). Their channel is `channel_id`, or
// the message's peer for the two that carry a whole message.
bool is_channel_box(const std::string& cons) {
  return cons == "updateNewChannelMessage" || cons == "updateEditChannelMessage" ||
         cons == "updateDeleteChannelMessages" || cons == "updateChannelWebPage" ||
         cons == "updatePinnedChannelMessages" || cons == "updateReadChannelInbox";
}

std::optional<std::int64_t> channel_of(const json& update) {
  if (auto it = update.find("channel_id"); it != update.end()) return json_long(*it);
  auto m = update.find("message");
  if (m == update.end() || !m->is_object()) return std::nullopt;
  auto peer = m->find("peer_id");
  if (peer == m->end() || !peer->is_object() || peer->value("_cons", "") != "peerChannel") return std::nullopt;
  auto id = peer->find("channel_id");
  return id == peer->end() ? std::nullopt : json_long(*id);
}

}  // namespace

Sequence sequence_of(const json& update) {
  Sequence s;
  if (!update.is_object()) return s;
  const std::string cons = update.value("_cons", "");
  if (cons == "updateChannelTooLong") {
    if (auto id = channel_of(update)) {
      s.box = Sequence::Box::channel_too_long;
      s.channel_id = *id;
      s.pts = json_int(update, "pts");
    }
    return s;
  }
  // "there is a qts instead of pts, and events are never grouped" ("Working with Updates").
  if (auto q = update.find("qts"); q != update.end() && q->is_number_integer()) {
    s.box = Sequence::Box::secondary;
    s.pts = q->get<std::int32_t>();
    s.count = 1;
    return s;
  }
  auto p = update.find("pts");
  if (p == update.end() || !p->is_number_integer()) return s;
  // "with some exceptions, in this case, the pts_count is considered to be 0".
  s.pts = p->get<std::int32_t>();
  s.count = json_int(update, "pts_count", 0);
  if (is_channel_box(cons)) {
    auto id = channel_of(update);
    if (!id) return Sequence{};  // e.g. messageEmpty without a peer: nothing to check it against
    s.box = Sequence::Box::channel;
    s.channel_id = *id;
  } else {
    s.box = Sequence::Box::common;
  }
  return s;
}

Check check_pts(std::int32_t local, std::int32_t pts, std::int32_t count) {
  const std::int64_t expected = static_cast<std::int64_t>(local) + count;
  if (expected == pts) return Check::apply;
  return expected > pts ? Check::duplicate : Check::gap;
}

Check check_seq(std::int32_t local_seq, std::int32_t seq_start) {
  if (seq_start == 0) return Check::apply;  // unordered: applied at once
  const std::int64_t expected = static_cast<std::int64_t>(local_seq) + 1;
  if (expected == seq_start) return Check::apply;
  return expected > seq_start ? Check::duplicate : Check::gap;
}

}  // namespace mtjson::daemon::updates
