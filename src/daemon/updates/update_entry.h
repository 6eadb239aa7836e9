// Which event sequence one Update object belongs to ("Working with Updates", "Message-related event
// sequences"): the common box (pts/pts_count), the secondary one (qts, count always 1), a
// channel's box (pts/pts_count with a channel id), none (applied in place), or the server's
// request to fetch a channel's difference (updateChannelTooLong).
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

// json_long / json_int: a TL long as the decoder writes it (a number, or a string with
// longs_as_strings), an int field with a fallback.
#include "base/json_fields.h"

namespace mtjson::daemon::updates {


struct Sequence {
  enum class Box { none, common, secondary, channel, channel_too_long };
  Box box = Box::none;
  std::int64_t channel_id = 0;  // channel, channel_too_long
  std::int32_t pts = 0;         // pts or qts after the event; channel_too_long: 0 when absent
  std::int32_t count = 0;       // pts_count (0 when the constructor has none), 1 for qts
};

// `update`: one Update object in TL JSON ({"_cons":"updateNewMessage",...}).
Sequence sequence_of(const nlohmann::json& update);

// What checking `pts`/`qts`/`seq` against the local state says ("Working with Updates", "pts: checking
// and applying" and "seq: checking and applying").
enum class Check { apply, duplicate, gap };
Check check_pts(std::int32_t local, std::int32_t pts, std::int32_t count);
Check check_seq(std::int32_t local_seq, std::int32_t seq_start);

}  // namespace mtjson::daemon::updates
