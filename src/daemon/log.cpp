#include "daemon/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace mtjson::daemon {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
const char* name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "DEBUG";
    case LogLevel::info: return "INFO";
    case LogLevel::warn: return "WARN";
    case LogLevel::error: return "ERROR";
  }
  return "?";
}
}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }
bool log_enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void log_line(LogLevel level, const std::string& text) {
  if (!log_enabled(level)) return;
  static std::mutex mutex;
  std::timespec ts{};
  std::timespec_get(&ts, TIME_UTC);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
               name(level), text.c_str());
  std::fflush(stderr);
}

bool parse_log_level(const std::string& text, LogLevel& level) {
  if (text == "debug") level = LogLevel::debug;
  else if (text == "info") level = LogLevel::info;
  else if (text == "warn") level = LogLevel::warn;
  else if (text == "error") level = LogLevel::error;
  else return false;
  return true;
}

}  // namespace mtjson::daemon
