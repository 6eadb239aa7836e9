// Small file helpers for the test DC's data directory: whole-file reads and directory creation;
// keys are written with write_file_atomic (base/atomic_file.h), so a crash never leaves half a
// key behind.
#pragma once

#include <string>

#include "base/atomic_file.h"  // write_file_atomic, with an explicit mode
#include "base/status.h"

namespace mtjson::testdc::server {

Result<std::string> read_file(const std::string& path);
// Creates `dir` (mode 0700) if missing, with its parents.
Status make_dirs(const std::string& dir);
bool file_exists(const std::string& path);

}  // namespace mtjson::testdc::server
