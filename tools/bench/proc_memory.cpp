#include "bench/proc_memory.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace mtjson::bench {

namespace {

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "VmHWM:\t   1234 kB" -> 1234
bool field_kib(std::string_view line, std::string_view name, std::uint64_t& out) {
  if (line.substr(0, name.size()) != name) return false;
  std::string_view rest = line.substr(name.size());
  std::size_t i = rest.find_first_not_of(" \t");
  if (i == std::string_view::npos) return false;
  auto r = std::from_chars(rest.data() + i, rest.data() + rest.size(), out);
  return r.ec == std::errc();
}

std::vector<int> numeric_entries(const std::string& dir) {
  std::vector<int> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    int n = 0;
    std::string_view name = e->d_name;
    auto r = std::from_chars(name.data(), name.data() + name.size(), n);
    if (r.ec == std::errc() && r.ptr == name.data() + name.size()) out.push_back(n);
  }
  closedir(d);
  return out;
}

}  // namespace

std::optional<ProcMemory> parse_proc_status(std::string_view text) {
  ProcMemory m;
  bool hwm = false, rss = false;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    hwm = field_kib(line, "VmHWM:", m.vm_hwm_kib) || hwm;
    rss = field_kib(line, "VmRSS:", m.vm_rss_kib) || rss;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  if (!hwm || !rss) return std::nullopt;  // a kernel thread or a zombie has neither
  return m;
}

std::vector<TcpSocketRow> parse_net_tcp(std::string_view text) {
  std::vector<TcpSocketRow> out;
  std::istringstream in{std::string(text)};
  std::string line;
  std::getline(in, line);  // the header
  auto port_of = [](const std::string& addr, int& port) {
    std::size_t colon = addr.rfind(':');
    if (colon == std::string::npos) return false;
    unsigned p = 0;
    auto r = std::from_chars(addr.data() + colon + 1, addr.data() + addr.size(), p, 16);
    port = static_cast<int>(p);
    return r.ec == std::errc();
  };
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout;
    TcpSocketRow row;
    if (!(f >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> row.inode)) continue;
    unsigned st = 0;
    if (std::from_chars(state.data(), state.data() + state.size(), st, 16).ec != std::errc()) continue;
    row.state = static_cast<int>(st);
    if (!port_of(local, row.local_port) || !port_of(remote, row.remote_port)) continue;
    out.push_back(row);
  }
  return out;
}

std::vector<std::uint64_t> listening_inodes(std::string_view text, int port) {
  std::vector<std::uint64_t> out;
  for (const auto& row : parse_net_tcp(text))
    if (row.state == 10 && row.local_port == port && row.inode != 0) out.push_back(row.inode);
  return out;
}

bool parse_proc_stat(std::string_view text, int& ppid, std::string& comm) {
  // comm may hold spaces and parentheses: it runs from the first '(' to the last ')'.
  std::size_t open = text.find('(');
  std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
  comm = std::string(text.substr(open + 1, close - open - 1));
  std::string_view rest = text.substr(close + 1);  // " S PPID ..."
  std::size_t i = rest.find_first_not_of(' ');
  if (i == std::string_view::npos) return false;
  i = rest.find(' ', i);  // skip the state
  if (i == std::string_view::npos) return false;
  ++i;
  auto r = std::from_chars(rest.data() + i, rest.data() + rest.size(), ppid);
  return r.ec == std::errc();
}

std::optional<ProcMemory> read_proc_memory(int pid) {
  auto text = slurp("/proc/" + std::to_string(pid) + "/status");
  if (!text) return std::nullopt;
  return parse_proc_status(*text);
}

namespace {

std::vector<TcpSocketRow> all_tcp_rows() {
  std::vector<TcpSocketRow> rows;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    if (auto text = slurp(table)) {
      auto found = parse_net_tcp(*text);
      rows.insert(rows.end(), found.begin(), found.end());
    }
  }
  return rows;
}

// The socket inodes among the process's descriptors ("socket:[inode]").
std::set<std::uint64_t> socket_inodes_of(int pid) {
  std::set<std::uint64_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (int fd : numeric_entries(dir)) {
    char target[128];
    std::string link = dir + "/" + std::to_string(fd);
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    std::string_view t(target, static_cast<std::size_t>(n));
    if (t.rfind("socket:[", 0) != 0 || t.back() != ']') continue;
    std::uint64_t inode = 0;
    if (std::from_chars(t.data() + 8, t.data() + t.size() - 1, inode).ec == std::errc()) out.insert(inode);
  }
  return out;
}

// Processes holding any of `inodes`, in /proc order.
std::vector<int> owners_of(const std::set<std::uint64_t>& inodes) {
  std::vector<int> out;
  if (inodes.empty()) return out;
  for (int pid : numeric_entries("/proc")) {
    for (auto inode : socket_inodes_of(pid)) {
      if (inodes.count(inode)) {
        out.push_back(pid);
        break;
      }
    }
  }
  return out;
}

}  // namespace

std::optional<int> find_listening_pid(int port) {
  std::set<std::uint64_t> inodes;
  for (const auto& row : all_tcp_rows())
    if (row.state == 10 && row.local_port == port && row.inode != 0) inodes.insert(row.inode);
  auto owners = owners_of(inodes);
  if (owners.empty()) return std::nullopt;
  return owners.front();
}

std::optional<int> find_upstream_named(int pid, std::string_view name_part) {
  std::set<std::uint64_t> mine = socket_inodes_of(pid);
  auto rows = all_tcp_rows();
  std::set<int> remote_ports;
  for (const auto& row : rows)
    if (row.state == 1 && mine.count(row.inode)) remote_ports.insert(row.remote_port);
  std::set<std::uint64_t> listening;
  for (const auto& row : rows)
    if (row.state == 10 && remote_ports.count(row.local_port) && !mine.count(row.inode)) listening.insert(row.inode);
  for (int owner : owners_of(listening))
    if (owner != pid && process_name(owner).find(name_part) != std::string::npos) return owner;
  return std::nullopt;
}

std::optional<int> find_child_named(int parent, std::string_view name_part) {
  for (int pid : numeric_entries("/proc")) {
    auto text = slurp("/proc/" + std::to_string(pid) + "/stat");
    int ppid = 0;
    std::string comm;
    if (text && parse_proc_stat(*text, ppid, comm) && ppid == parent && comm.find(name_part) != std::string::npos)
      return pid;
  }
  return std::nullopt;
}

std::string process_name(int pid) {
  auto text = slurp("/proc/" + std::to_string(pid) + "/stat");
  int ppid = 0;
  std::string comm;
  if (text && parse_proc_stat(*text, ppid, comm)) return comm;
  return {};
}

MemoryTracker::MemoryTracker(int pid) : pid_(pid), name_(process_name(pid)) {}

void MemoryTracker::sample_after_setup() {
  sample();
  if (auto m = read_proc_memory(pid_)) setup_rss_kib_ = m->vm_rss_kib;
}

void MemoryTracker::sample() {
  auto m = read_proc_memory(pid_);
  if (!m) return;
  if (!seen_) start_rss_kib_ = m->vm_rss_kib;
  seen_ = true;
  if (m->vm_rss_kib > max_rss_kib_) max_rss_kib_ = m->vm_rss_kib;
  if (m->vm_hwm_kib > hwm_kib_) hwm_kib_ = m->vm_hwm_kib;
}

}  // namespace mtjson::bench
