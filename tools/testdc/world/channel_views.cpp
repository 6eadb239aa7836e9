#include "testdc/world/channel_views.h"

#include "testdc/world/args.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

json peer_channel(std::int64_t channel_id) { return {{"_cons", "peerChannel"}, {"channel_id", channel_id}}; }

json channel_json(const Channel& ch, const Account& viewer) {
  const bool member = ch.is_member(viewer.id);
  if (!member && ch.username.empty()) {
    json j = {{"_cons", "channelForbidden"}, {"id", ch.id}, {"access_hash", ch.access_hash}, {"title", ch.title}};
    j[ch.broadcast ? "broadcast" : "megagroup"] = true;
    return j;
  }
  json j = {{"_cons", "channel"},
            {"id", ch.id},
            {"access_hash", ch.access_hash},
            {"title", ch.title},
            {"photo", {{"_cons", "chatPhotoEmpty"}}},
            {"date", member ? ch.members.at(viewer.id).date : ch.date},
            {"participants_count", static_cast<std::int32_t>(ch.members.size())}};
  j[ch.broadcast ? "broadcast" : "megagroup"] = true;
  if (!ch.username.empty()) j["username"] = ch.username;
  if (!member) j["left"] = true;
  if (member && ch.creator_id == viewer.id) {
    j["creator"] = true;
    j["admin_rights"] = {{"_cons", "chatAdminRights"}, {"change_info", true},  {"post_messages", true},
                         {"edit_messages", true},      {"delete_messages", true}, {"ban_users", true},
                         {"invite_users", true},       {"pin_messages", true},  {"add_admins", true},
                         {"manage_call", true},        {"other", true}};
  }
  return j;
}

json channel_message_json(const Channel& ch, const ChannelMessage& m, std::int64_t viewer_id) {
  json j = {{"_cons", m.action.is_null() ? "message" : "messageService"},
            {"id", m.id},
            {"peer_id", peer_channel(ch.id)},
            {"date", m.date}};
  if (m.action.is_null()) {
    j["message"] = m.text;
    if (!m.entities.is_null()) j["entities"] = m.entities;
  } else {
    j["action"] = m.action;
  }
  if (ch.broadcast)
    j["post"] = true;
  else
    j["from_id"] = peer_user(m.from_user_id);
  if (m.from_user_id == viewer_id) j["out"] = true;
  if (m.edit_date != 0) j["edit_date"] = m.edit_date;
  return j;
}

json channel_event_update(const Channel& ch, const Event& e, std::int64_t viewer_id) {
  json u = e.update;
  const std::string cons = u.value("_cons", "");
  if (cons == "updateNewChannelMessage" || cons == "updateEditChannelMessage") {
    auto m = ch.messages.find(u.at("message").at("id").get<std::int32_t>());
    if (m != ch.messages.end()) u["message"] = channel_message_json(ch, m->second, viewer_id);
  }
  return u;
}

Channel& resolve_input_channel(Ctx& c, const json& input) {
  std::string cons = cons_of(input);
  if (cons != "inputChannel" && cons != "inputPeerChannel") fail(400, "CHANNEL_INVALID");
  Channel* ch = c.w.find_channel(long_arg(input, "channel_id"));
  if (!ch || ch->access_hash != long_arg(input, "access_hash")) fail(400, "CHANNEL_INVALID");
  return *ch;
}

void require_read_access(const Ctx& c, const Channel& ch) {
  if (!ch.is_member(c.self->id) && ch.username.empty()) fail(400, "CHANNEL_PRIVATE");
}

}  // namespace mtjson::testdc
