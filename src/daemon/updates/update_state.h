// The account's update state as "Working with Updates" defines it ("Fetching state"):
// the common message box (pts), the secondary sequence (qts), the Updates sequence (seq, date)
// and one pts per channel message box. JSON form for session files: {"pts","qts","seq","date",
// "channels":{"<channel_id>":pts}}.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace mtjson::daemon::updates {

struct UpdateState {
  std::int32_t pts = 0;
  std::int32_t qts = 0;
  std::int32_t seq = 0;
  std::int32_t date = 0;
  std::map<std::int64_t, std::int32_t> channel_pts;

  bool operator==(const UpdateState&) const = default;
};

nlohmann::json state_to_json(const UpdateState& s);
// An error naming the field that is missing or not an integer.
Result<UpdateState> state_from_json(const nlohmann::json& j);

}  // namespace mtjson::daemon::updates
