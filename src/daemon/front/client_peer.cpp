#include "daemon/front/client_peer.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/read_scratch.h"
#include "daemon/daemon.h"
#include "daemon/front/session_json.h"
#include "daemon/log.h"

namespace mtjson::daemon {

using nlohmann::json;

namespace {

std::string json_quoted(std::string_view text) { return json(std::string(text)).dump(); }

}  // namespace

ClientPeer::ClientPeer(Daemon& daemon, asio::ip::tcp::socket socket, std::uint64_t number)
    : daemon_(daemon), socket_(std::move(socket)), number_(number), encoder_(daemon.config().schema),
      server_(daemon.config().server) {
  if (!daemon.auth_required()) {
    authed_ = true;
    grant_.all = true;
  }
  std::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = "client " + std::to_string(number_) + (ec ? std::string() : " (" + ep.address().to_string() + ":" + std::to_string(ep.port()) + ")");
}

ClientPeer::~ClientPeer() {
  // A named session outlives its clients: it must not keep a pointer to this one.
  if (named_) named_->detach(this);
}

void ClientPeer::start() {
  std::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (daemon_.config().verbose) log_line(LogLevel::info, peer_ + ": connected");
  asio::co_spawn(daemon_.io(), [self = shared_from_this()] { return self->reader(); }, asio::detached);
}

asio::awaitable<void> ClientPeer::reader() {
  auto self = shared_from_this();
  const std::size_t max_line = daemon_.config().max_line;
  // The part of a line that has not ended yet; long lines accumulate here.
  std::string buffer;
  bool skipping = false;  // inside an oversized line: drop bytes up to its newline
  std::uint64_t line_number = 0;

  // Splits what one read returned into lines and handles each; false once the peer closed.
  auto consume = [&](const char* data, std::size_t n) {
    std::size_t pos = 0;
    while (pos < n) {
      const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
      const std::size_t end = nl ? static_cast<std::size_t>(nl - data) : n;
      const std::string_view piece(data + pos, end - pos);
      pos = end + 1;
      if (skipping) {
        skipping = !nl;
        continue;
      }
      if (buffer.size() + piece.size() > max_line) {
        ++line_number;
        error_line(std::nullopt, "too_long",
                   "line " + std::to_string(line_number) + ": longer than the limit of " + std::to_string(max_line) +
                       " bytes (--max-line); skipped");
        std::string().swap(buffer);
        skipping = !nl;
        continue;
      }
      if (!nl) {
        buffer.append(piece);
        break;
      }
      // A whole line: handled in place unless it began in an earlier read.
      std::string_view line = piece;
      if (!buffer.empty()) {
        buffer.append(piece);
        line = buffer;
      }
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      handle_line(line, line_number);
      buffer.clear();
      if (closed_) return false;
    }
    // A long line grew the buffer: an idle client keeps no large allocation.
    if (buffer.empty() && buffer.capacity() > 64 * 1024) std::string().swap(buffer);
    return true;
  };

  // Readiness first, then non-blocking reads into the thread's scratch buffer, consumed before
  // the next suspension: an idle client holds no receive buffer, and no read finds nothing.
  std::error_code ignored;
  socket_.non_blocking(true, ignored);
  for (;;) {
    auto [wait_ec] =
        co_await socket_.async_wait(asio::ip::tcp::socket::wait_read, asio::experimental::as_tuple(asio::use_awaitable));
    if (closed_) co_return;
    std::error_code ec = wait_ec;
    while (!ec) {
      const std::span<std::uint8_t> scratch = thread_read_scratch();
      const std::size_t n = socket_.read_some(asio::buffer(scratch.data(), scratch.size()), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        break;
      }
      if (ec) break;
      if (!consume(reinterpret_cast<const char*>(scratch.data()), n)) co_return;
      if (n < scratch.size()) break;  // the kernel had no more; a full buffer may have left some
    }
    if (ec == asio::error::eof) {
      // A half-close (`echo ... | nc`): the requests already read still get their answers.
      if (!skipping && buffer.find_first_not_of(" \t\r") != std::string::npos) handle_line(buffer, ++line_number);
      input_ended_ = true;
      finish_if_done();
      co_return;
    }
    if (ec) {
      close(ec.message());
      co_return;
    }
  }
}

void ClientPeer::handle_line(std::string_view line, std::uint64_t line_number) {
  if (is_blank_line(line)) return;
  if (daemon_.config().verbose) log_line(LogLevel::info, peer_ + " <- " + redact_secrets(std::string(line)));
  const std::string where = "line " + std::to_string(line_number) + ": ";
  auto parsed = parse_request_line(line, parser_);
  if (!parsed) {
    error_line(std::nullopt, "json", where + parsed.message());
    return;
  }
  const Request& req = *parsed;
  auto fail = [&](const std::string& kind, const Status& st) { error_line(req.id, kind, where + st.message()); };
  if (!req.invalid.ok()) return fail("request", req.invalid);
  // Authentication first: before it, nothing else is looked at.
  auto auth = apply_auth(req);
  if (!auth) {
    fail("auth", auth.status());
    if (auth_failures_ >= kMaxAuthFailures) close("too many wrong tokens");
    return;
  }
  std::string extra = std::move(*auth);
  Duration rpc_timeout = daemon_.config().rpc_timeout;
  if (req.timeout_seconds) {
    if (!*req.timeout_seconds) return fail("request", req.timeout_seconds->status());
    rpc_timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(**req.timeout_seconds));
  }
  // Encode before changing anything, so a bad message leaves the client's state alone.
  MethodCall call;
  if (req.message)
    if (auto st = encoder_.encode(*req.message, call); !st) return fail("tl", st);
  auto options = apply_options(req);
  if (!options) return fail("request", options.status());
  extra += *options;
  auto server = apply_server(req);
  if (!server) return fail("server", server.status());
  extra += *server;
  std::optional<UpdateRing::Replay> replay;
  if (req.session) {
    if (!*req.session) return fail("session", req.session->status());
    if (auto st = may_use(**req.session); !st) return fail("auth", st);
    auto answer = apply_session(**req.session);
    if (!answer) return fail("session", answer.status());
    extra += answer->extra;
    replay = std::move(answer->replay);
  }
  if (req.message && !named_ && !grant_.all)
    return fail("auth", Status::error("this token is limited to named sessions: attach one with {\"session\":{\"name\":...}} first"));
  // Updates a re-attaching client missed, in order, before any newer one (the loop is ours
  // until this handler returns).
  auto write_replay = [&] {
    if (!replay) return;
    for (auto& [seq, text] : replay->updates) on_session_update(seq, text);
  };
  if (!req.message) {
    if (auto st = req.nothing_to_do(); !st) return fail("request", st);
    write("{\"id\":" + std::to_string(req.id) + extra + "}\n");
    write_replay();
    return;
  }
  write_replay();
  if (!extra.empty()) extras_.emplace(req.id, std::move(extra));
  ++in_flight_;
  account().submit(this, req.id, std::move(call.query), call.method, std::move(call.init_prefix), rpc_timeout);
}

Account& ClientPeer::account() {
  if (named_) return named_->account();
  if (!account_) {
    SessionState s;
    if (restore_) s = *restore_;
    else s.dc = server_.dc;
    AccountOptions o = daemon_.config().account;
    const std::string who = peer_;
    o.log = [who](const std::string& line) { log_line(LogLevel::info, who + ": " + line); };
    account_ = std::make_shared<Account>(daemon_.io(), daemon_.workers(), daemon_.config().schema, server_, s, o,
                                         daemon_.random());
    account_->attach(this);
  }
  return *account_;
}

void ClientPeer::release_account(const std::string& reason) {
  if (named_) {
    // The named session stays (its other clients, its idle time); this client leaves it.
    named_->detach(this, reason);
    named_.reset();
    account_.reset();
    restore_.reset();
    return;
  }
  if (!account_) return;
  // Keep its session around for a later {"session":{}} of this client.
  restore_ = account_->session();
  if (!restore_->key) restore_.reset();
  account_->detach(this, reason);
  if (account_->clients() == 0) daemon_.retire(account_);
  account_.reset();
}

void ClientPeer::on_answer(std::int64_t id, std::string message_json) {
  std::string line = "{\"id\":" + std::to_string(id);
  if (auto it = extras_.find(id); it != extras_.end()) {
    line += it->second;
    extras_.erase(it);
  }
  line += ",\"message\":";
  line += message_json;
  line += "}\n";
  if (in_flight_) --in_flight_;
  write(std::move(line));
  finish_if_done();
}

void ClientPeer::on_failure(std::int64_t id, std::string kind, std::string what) {
  extras_.erase(id);
  if (in_flight_) --in_flight_;
  error_line(id, kind, what);
  finish_if_done();
}

void ClientPeer::finish_if_done() {
  if (input_ended_ && in_flight_ == 0 && out_.idle()) close("client closed the connection");
}

void ClientPeer::on_update(std::string message_json) {
  write("{\"id\":0,\"message\":" + message_json + "}\n");
}

void ClientPeer::on_session_update(std::uint64_t seq, const std::string& message_json) {
  std::string line = "{\"id\":0,\"seq\":" + std::to_string(seq) + ",\"message\":";
  line += message_json;
  line += "}\n";
  write(std::move(line));
}

void ClientPeer::error_line(std::optional<std::int64_t> id, const std::string& kind, const std::string& what) {
  write("{\"id\":" + std::to_string(id.value_or(-2)) + ",\"error\":" + json_quoted(kind) + ",\"msg\":" + json_quoted(what) + "}\n");
}

void ClientPeer::write(std::string line) {
  if (closed_) return;
  if (daemon_.config().verbose) log_line(LogLevel::info, peer_ + " -> " + redact_secrets(line.substr(0, line.size() - 1)));
  // Lines of one event-loop turn (a container's answers, a burst of updates) leave in one write,
  // at the end of the turn.
  if (out_.append(line)) {
    asio::post(daemon_.io(), [self = shared_from_this()] {
      if (!self->closed_ && !self->out_.writing()) self->write_some();
    });
  }
  if (out_.queued_bytes() > daemon_.config().max_output) {
    close("output queue over " + std::to_string(daemon_.config().max_output) +
          " bytes (--max-output): the client does not read its answers");
    return;
  }
}

void ClientPeer::write_some() {
  if (closed_) return;
  const std::span<const std::uint8_t> bytes = out_.start_write();
  if (bytes.empty()) return;
  asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), [self = shared_from_this()](std::error_code ec, std::size_t) {
    if (self->closed_) return;
    const bool more = self->out_.finish_write();
    if (ec) {
      self->close("write failed: " + ec.message());
      return;
    }
    if (more) {
      self->write_some();
    } else if (self->shutting_down_) {
      self->close("daemon shutting down");
    } else {
      self->finish_if_done();
    }
  });
}

void ClientPeer::shutdown() {
  shutting_down_ = true;
  if (out_.idle()) close("daemon shutting down");
}

void ClientPeer::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  log_line(daemon_.config().verbose || reason.find("output queue") != std::string::npos ? LogLevel::info : LogLevel::debug,
           peer_ + ": disconnected (" + reason + ")");
  std::error_code ignored;
  // Lines of this turn (the error that explains the close) still go out, best effort and
  // without blocking: the flush posted for them would find the socket closed.
  if (!out_.writing()) {
    const std::span<const std::uint8_t> last = out_.start_write();
    socket_.non_blocking(true, ignored);
    if (!last.empty()) asio::write(socket_, asio::buffer(last.data(), last.size()), ignored);
  }
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  out_.clear();
  if (named_) {
    named_->detach(this);
    named_.reset();
    account_.reset();
  } else if (account_) {
    account_->detach(this);
    if (account_->clients() == 0) daemon_.retire(account_);
    account_.reset();
  }
  daemon_.forget(this);
}

}  // namespace mtjson::daemon
