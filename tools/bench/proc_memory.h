// Memory of the processes under load, from Linux /proc (proc(5)): VmHWM (the peak resident set
// since the process started) and VmRSS (now) in /proc/PID/status; the daemon is found as the
// process holding the socket that listens on --port (/proc/net/tcp{,6} give the socket inode,
// /proc/PID/fd/* link to "socket:[inode]").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mtjson::bench {

struct ProcMemory {
  std::uint64_t vm_hwm_kib = 0;
  std::uint64_t vm_rss_kib = 0;
};

// The text parsers (tested on fixed input).
std::optional<ProcMemory> parse_proc_status(std::string_view status_text);
// One row of /proc/net/tcp or tcp6.
struct TcpSocketRow {
  int local_port = 0;
  int remote_port = 0;
  int state = 0;  // include/net/tcp_states.h: 1 ESTABLISHED, 10 LISTEN
  std::uint64_t inode = 0;
};
std::vector<TcpSocketRow> parse_net_tcp(std::string_view net_tcp_text);
// Inodes of the sockets in state LISTEN on `port` in a /proc/net/tcp or tcp6 table.
std::vector<std::uint64_t> listening_inodes(std::string_view net_tcp_text, int port);
// The parent pid and command name from /proc/PID/stat text ("pid (comm) state ppid ...").
bool parse_proc_stat(std::string_view stat_text, int& ppid, std::string& comm);

// Live /proc readers; nullopt when the process is gone or not readable.
std::optional<ProcMemory> read_proc_memory(int pid);
std::optional<int> find_listening_pid(int port);
// A child of `parent` whose command name contains `name_part`.
std::optional<int> find_child_named(int parent, std::string_view name_part);
// A process whose command name contains `name_part` and that listens on a port `pid` has an
// established TCP connection to: the daemon's upstream, e.g. an external mtjson-testdc.
std::optional<int> find_upstream_named(int pid, std::string_view name_part);
std::string process_name(int pid);

// Follows one process through the run: its RSS at the start, the largest sampled, and VmHWM.
class MemoryTracker {
 public:
  explicit MemoryTracker(int pid);
  void sample();

  int pid() const { return pid_; }
  const std::string& name() const { return name_; }
  bool seen() const { return seen_; }
  std::uint64_t start_rss_kib() const { return start_rss_kib_; }
  std::uint64_t max_rss_kib() const { return max_rss_kib_; }
  // Samples now and keeps this VmRSS as the one after every connection finished its setup.
  void sample_after_setup();
  std::uint64_t setup_rss_kib() const { return setup_rss_kib_; }
  // The peak over the process's life: VmHWM, or the largest sample if VmHWM was never readable.
  std::uint64_t peak_kib() const { return hwm_kib_ > max_rss_kib_ ? hwm_kib_ : max_rss_kib_; }

 private:
  int pid_;
  std::string name_;
  bool seen_ = false;
  std::uint64_t start_rss_kib_ = 0;
  std::uint64_t max_rss_kib_ = 0;
  std::uint64_t setup_rss_kib_ = 0;
  std::uint64_t hwm_kib_ = 0;
};

}  // namespace mtjson::bench
