// Replacing a file so that a crash or a full disk never leaves a half-written one behind: the
// session files, the sign-in tool's output, the test DC's keys and world hold secrets (auth keys,
// private keys), so a reader must see either the old file or the whole new one.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/status.h"

namespace mtjson {

// Writes `contents` to a new temporary file next to `path` (same directory, so the rename below
// cannot cross file systems), created with exactly `mode` (the umask does not widen or narrow
// it; the default 0600 because these files hold secrets), fsyncs it, renames it over `path` and
// fsyncs the directory (the rename is durable only then). On any failure the temporary file is
// removed, `path` is left as it was, and the error names the path and the system's reason.
Status write_file_atomic(const std::string& path, std::string_view contents, mode_t mode = 0600);

}  // namespace mtjson
