#include "bench/connection.h"

#include <cstring>
#include <iostream>

namespace mtjson::bench {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// README, "The daemon's protocol": the daemon's own line limit is 16 MiB; an answer longer than this is broken.
constexpr std::size_t kMaxLine = 256 * 1024 * 1024;

std::uint64_t ns_between(Clock::time_point from, Clock::time_point to) {
  auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
  return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

}  // namespace

Connection::Connection(asio::io_context& io, ConnectionHost& host, const Options& options, int index, Role role,
                       std::uint64_t random_base)
    : socket_(io),
      host_(host),
      options_(options),
      index_(index),
      role_(role),
      workload_(options, random_base),
      setup_(options, index),
      rbuf_(kReadChunk + simdjson::SIMDJSON_PADDING) {}

void Connection::connect(const asio::ip::tcp::endpoint& endpoint) {
  socket_.async_connect(endpoint, [this](const std::error_code& ec) {
    if (!ec) {
      alive_ = true;
      std::error_code ignored;
      socket_.set_option(asio::ip::tcp::no_delay(true), ignored);  // writes are batched here already
      read_more();
    }
    host_.on_connected(*this, ec);
  });
}

void Connection::start() {
  if (role_ == Role::idle && options_.idle_call) {
    apply(setup_.start_idle_call());
    return;
  }
  if (role_ == Role::idle) {
    // The idle clients' only request: {"id":1,"server":{}}.
    std::int64_t id = ledger_.issue(Clock::now(), Tag::control);
    append_server_get_line(out_, id);
    flush();
    return;
  }
  apply(setup_.start());
}

void Connection::apply(const SetupFlow::Step& step) {
  using Kind = SetupFlow::Step::Kind;
  switch (step.kind) {
    case Kind::send_message:
    case Kind::send_server: {
      if (options_.verbose) std::cerr << "client " << index_ << ": " << step.what << "\n";
      std::int64_t id = ledger_.issue(Clock::now(), Tag::control);
      if (step.kind == Kind::send_message) {
        append_message_line(out_, id, step.body);
      } else {
        out_ += "{\"id\":" + std::to_string(id) + ",\"server\":" + step.body + "}\n";
      }
      flush();
      return;
    }
    case Kind::done:
      workload_.set_peer(setup_.peer());
      ready_ = true;
      host_.on_ready(*this);
      return;
    case Kind::failed:
      host_.on_setup_failed(*this, step.error);
      return;
  }
}

void Connection::fill() {
  if (!alive_ || !ready_ || role_ != Role::load) return;
  auto now = Clock::now();
  Tag tag;
  while (ledger_.in_flight() < static_cast<std::size_t>(options_.inflight) && host_.may_issue(tag)) {
    std::int64_t id = ledger_.issue(now, tag);
    workload_.append_request(out_, id);
    if (tag == Tag::measure) ++host_.counters().sent;
  }
  flush();
}

void Connection::flush() {
  if (write_busy_ || out_.empty() || !alive_) return;
  writing_.swap(out_);
  out_.clear();
  write_busy_ = true;
  asio::async_write(socket_, asio::buffer(writing_), [this](const std::error_code& ec, std::size_t) {
    write_busy_ = false;
    if (ec) {
      broken("write: " + ec.message());
      return;
    }
    flush();
  });
}

void Connection::read_more() {
  socket_.async_read_some(asio::buffer(rbuf_.data(), kReadChunk),
                          [this](const std::error_code& ec, std::size_t n) { on_read(ec, n); });
}

void Connection::on_read(const std::error_code& ec, std::size_t n) {
  if (ec) {
    if (ec != asio::error::operation_aborted) broken(ec == asio::error::eof ? "closed by the daemon" : ec.message());
    return;
  }
  // One clock reading per read: every line in it arrived by now.
  auto now = Clock::now();
  const char* p = rbuf_.data();
  const char* end = p + n;
  while (p < end && alive_) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!nl) {
      partial_.append(p, end);
      if (partial_.size() > kMaxLine) {
        ++host_.counters().bad_lines;
        broken("an answer line over " + std::to_string(kMaxLine) + " bytes");
        return;
      }
      break;
    }
    if (!partial_.empty()) {
      partial_.append(p, nl);
      partial_.reserve(partial_.size() + simdjson::SIMDJSON_PADDING);
      handle_line(partial_.data(), partial_.size(), true, now);
      partial_.clear();
    } else {
      // The bytes after the line are inside rbuf_ (the padding slack at worst).
      handle_line(p, static_cast<std::size_t>(nl - p), true, now);
    }
    p = nl + 1;
  }
  if (!alive_) return;
  if (ready_) fill();
  host_.after_batch();
  if (alive_) read_more();
}

void Connection::handle_line(const char* data, std::size_t len, bool padded, Clock::time_point now) {
  if (len && data[len - 1] == '\r') --len;
  if (len == 0) return;
  Counters& c = host_.counters();
  Answer a = parser_.parse(data, len, padded);
  if (a.kind == Answer::Kind::bad_line) {
    ++c.bad_lines;
    if (options_.verbose) std::cerr << "client " << index_ << ": bad line (" << a.detail << ")\n";
    return;
  }
  if (a.kind == Answer::Kind::update) {
    if (host_.measuring()) ++c.updates;
    return;
  }
  if (a.kind == Answer::Kind::protocol_error && a.id < 0) {
    // README, "The daemon's protocol": -2 when the daemon could not read the request's id; no request to match.
    ++c.protocol_errors[std::string(a.error_kind)];
    if (options_.verbose) std::cerr << "client " << index_ << ": error line " << a.error_kind << ": " << a.detail << "\n";
    return;
  }
  RequestLedger::Outcome o = ledger_.on_answer(a.id);
  if (o.verdict == RequestLedger::Verdict::duplicate) {
    ++c.duplicates;
    if (options_.verbose) std::cerr << "client " << index_ << ": duplicate answer for id " << a.id << "\n";
    return;
  }
  if (o.verdict == RequestLedger::Verdict::unexpected) {
    ++c.unexpected_ids;
    if (options_.verbose) std::cerr << "client " << index_ << ": answer for unknown id " << a.id << "\n";
    return;
  }
  switch (o.sent.tag) {
    case Tag::control:
      handle_control(data, len);
      return;
    case Tag::warmup:
      ++c.warmup_answers;
      return;
    case Tag::measure:
      break;
  }
  host_.measured_answer_at(now);
  switch (a.kind) {
    case Answer::Kind::result:
      ++c.ok;
      host_.latency().record(ns_between(o.sent.at, now));
      break;
    case Answer::Kind::rpc_error:
      ++c.rpc_errors[a.error_message.empty() ? std::string("?") : std::string(a.error_message)];
      break;
    case Answer::Kind::rpc_timeout:
      ++c.rpc_timeouts;
      break;
    case Answer::Kind::protocol_error:
      ++c.protocol_errors[std::string(a.error_kind)];
      if (options_.verbose) std::cerr << "client " << index_ << ": error line " << a.error_kind << ": " << a.detail << "\n";
      break;
    case Answer::Kind::update:
    case Answer::Kind::bad_line:
      break;
  }
}

void Connection::handle_control(const char* data, std::size_t len) {
  nlohmann::json answer = nlohmann::json::parse(data, data + len, nullptr, false);
  if (role_ == Role::idle && !options_.idle_call) {
    if (answer.is_object() && answer.contains("server") && !answer.contains("error")) {
      ready_ = true;
      host_.on_ready(*this);
    } else {
      host_.on_setup_failed(*this, "idle hello {\"server\":{}}: unexpected answer " + std::string(data, len));
    }
    return;
  }
  apply(setup_.on_answer(answer));
}

void Connection::broken(const std::string& why) {
  if (!alive_) return;
  alive_ = false;
  std::error_code ignored;
  socket_.close(ignored);
  host_.on_disconnect(*this, why);
}

void Connection::close() {
  alive_ = false;
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace mtjson::bench
