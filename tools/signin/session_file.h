// The saved session: writing it safely (it holds the auth key: anyone with the file is signed in
// as that user) and reading it back for --check.
#pragma once

#include <string>

#include "base/status.h"
#include "signin/protocol.h"

namespace mtjson::signin {

// Writes `text` to `path` atomically: a temporary file in the same directory (mode 0600 from the
// start, whatever the umask), fsync, rename over `path`, fsync of the directory. A reader sees the
// old file or the whole new one, never a part; the temporary file is removed on failure.
Status write_file_atomic(const std::string& path, const std::string& text);

Result<std::string> read_text_file(const std::string& path);

// The session object of a saved line: {"session":{...}} as mtjson-signin prints it, or the bare
// object. It must have a string "auth_key" and an integer "dc". Errors say what is wrong, never
// the key.
Result<Json> parse_session_text(const std::string& text);

}  // namespace mtjson::signin
