// The saved session: writing it safely (it holds the auth key: anyone with the file is signed in
// as that user) and reading it back for --check.
#pragma once

#include <string>

#include "base/atomic_file.h"  // write_file_atomic: the session line is written with it, 0600
#include "base/status.h"
#include "signin/protocol.h"

namespace mtjson::signin {

Result<std::string> read_text_file(const std::string& path);

// The session object of a saved line: {"session":{...}} as mtjson-signin prints it, or the bare
// object. It must have a string "auth_key" and an integer "dc". Errors say what is wrong, never
// the key.
Result<Json> parse_session_text(const std::string& text);

}  // namespace mtjson::signin
