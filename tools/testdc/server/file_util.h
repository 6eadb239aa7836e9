// Small file helpers for the test DC's data directory: whole-file reads and atomic writes
// (temp file, fsync, rename) with an explicit mode, so a crash never leaves half a key behind.
#pragma once

#include <string>

#include "base/status.h"

namespace mtjson::testdc::server {

Result<std::string> read_file(const std::string& path);
// Writes `text` to `path` atomically; the file gets exactly `mode` (umask ignored).
Status write_file_atomic(const std::string& path, const std::string& text, unsigned mode);
// Creates `dir` (mode 0700) if missing, with its parents.
Status make_dirs(const std::string& dir);
bool file_exists(const std::string& path);

}  // namespace mtjson::testdc::server
