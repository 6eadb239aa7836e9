#include "daemon/updates/update_state.h"

#include "daemon/updates/update_entry.h"

namespace mtjson::daemon::updates {

using nlohmann::json;

json state_to_json(const UpdateState& s) {
  json channels = json::object();
  for (const auto& [id, pts] : s.channel_pts) channels[std::to_string(id)] = pts;
  return {{"pts", s.pts}, {"qts", s.qts}, {"seq", s.seq}, {"date", s.date}, {"channels", channels}};
}

Result<UpdateState> state_from_json(const json& j) {
  if (!j.is_object()) {
    return Status::error("update state: not an object");
  }
  UpdateState s;
  for (auto [key, field] : {std::pair{"pts", &s.pts}, {"qts", &s.qts}, {"seq", &s.seq}, {"date", &s.date}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
      return Status::error(std::string("update state: \"") + key + "\" missing or not an integer");
    }
    *field = it->get<std::int32_t>();
  }
  if (auto c = j.find("channels"); c != j.end()) {
    if (!c->is_object()) {
      return Status::error("update state: \"channels\" is not an object");
    }
    for (const auto& [id, pts] : c->items()) {
      auto channel = json_long(json(id));
      if (!channel || !pts.is_number_integer()) {
        return Status::error("update state: channel \"" + id + "\" is not an id with an integer pts");
      }
      s.channel_pts[*channel] = pts.get<std::int32_t>();
    }
  }
  return s;
}

}  // namespace mtjson::daemon::updates
