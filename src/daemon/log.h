// The daemon's log: one line per event on stderr, "HH:MM:SS.mmm LEVEL text". Never given secrets
// (session_json.h redact_secrets for protocol lines).
#pragma once

#include <string>

namespace mtjson::daemon {

enum class LogLevel { debug, info, warn, error };

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, const std::string& text);
bool parse_log_level(const std::string& text, LogLevel& level);

}  // namespace mtjson::daemon
