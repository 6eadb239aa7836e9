// Names of shared sessions ({"session":{"name":...}}): 1..64 of [A-Za-z0-9_.-], not starting
// with '.' (a name is a file name in --session-dir, where dot files are the daemon's own).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace mtjson::daemon {

constexpr std::size_t kMaxSessionName = 64;

// An error naming the problem ("session.name: character ' ' at offset 1 (...)").
Status valid_session_name(std::string_view name);

}  // namespace mtjson::daemon
