// Names of shared sessions ({"session":{"name":...}}): 1..64 of [A-Za-z0-9_.-], not starting
// with '.' (a name is a file name in --session-dir, where dot files are the daemon's own).
#pragma once

#include <string>
#include <string_view>

namespace mtjson::daemon {

constexpr std::size_t kMaxSessionName = 64;

// False with a message naming the problem ("session.name: 'a b' has ' ' at 2; ...").
bool valid_session_name(std::string_view name, std::string& error);

}  // namespace mtjson::daemon
