// What the request parser's files share: a JSON object's keys in the order the daemon checks
// them, and integers as the protocol reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

namespace mtjson::daemon::request_detail {

using Field = std::pair<std::string_view, simdjson::dom::element>;

// Sorted by key, a repeated key once with its last value: sub-objects were always checked in
// this order (they went through a sorted map), so errors of doubly wrong objects stay the same.
std::vector<Field> sorted_fields(simdjson::dom::object object);

// An integer of either sign; one above INT64_MAX wraps (as the daemon always read it).
std::optional<std::int64_t> as_integer(simdjson::dom::element v);

}  // namespace mtjson::daemon::request_detail
