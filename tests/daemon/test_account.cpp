// Account (src/daemon/account) against in-memory DCs (fake_dc.h) on a clock the test moves: the
// links are real DcLinks, driven as link_harness.h drives one, through the injected LinkFactory.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "daemon/account/account.h"
#include "daemon_test_util.h"
#include "link_harness.h"
#include "tl/json_to_tl.h"

namespace mtjson::daemon::test {
namespace {

using namespace std::chrono_literals;
using Reply = FakeDc::Reply;

class ManualClock : public Clock {
 public:
  struct ManualAlarm : Alarm {
    std::optional<TimePoint> when;
    std::function<void()> fire;
    void set(TimePoint t, std::function<void()> f) override { when = t, fire = std::move(f); }
    void cancel() override { when.reset(); }
  };
  TimePoint now_value = start_time();
  std::vector<std::weak_ptr<ManualAlarm>> alarms;
  TimePoint now() const override { return now_value; }
  std::unique_ptr<Alarm> make_alarm() override {
    auto owned = std::make_shared<ManualAlarm>();
    alarms.push_back(owned);
    struct Handle : Alarm {
      std::shared_ptr<ManualAlarm> a;
      void set(TimePoint t, std::function<void()> f) override { a->set(t, std::move(f)); }
      void cancel() override { a->cancel(); }
    };
    auto h = std::make_unique<Handle>();
    h->a = owned;
    return h;
  }
};

struct FakeLink : AccountLink {
  FakeLink(const TimePoint& now, FakeDc& dc, DcLinkConfig config, std::optional<KeyState> key, LinkEventSink sink)
      : now_(now), dc_(dc), random_(7), link_(std::move(config), random_, std::move(key)), sink_(std::move(sink)) {}
  void start() override { link_.start(now_); }
  void send_query(Bytes body, std::uint64_t token) override { link_.send_query(std::move(body), token, now_); }
  bool cancel(std::uint64_t token) override { return link_.cancel(token, now_); }
  void close() override { link_.close(now_); }
  void drop_connection() override {
    if (!open_) return;
    open_ = false;
    dc_.disconnect();
    link_.on_disconnected("connection dropped", now_);
  }
  const DcLink& link() const override { return link_; }

  // One round of what LinkHarness::pump does, events to the account.
  bool step() {
    bool progress = false;
    if (link_.take_connect_request()) {
      progress = true;
      if (open_) dc_.disconnect();
      dc_.accept();
      open_ = true;
      link_.on_connected(now_);
    }
    if (auto job = link_.take_job()) {
      progress = true;
      job->run();
      link_.on_job_done(std::move(*job), now_);
    }
    Bytes out = link_.take_output(now_);
    if (!out.empty()) {
      progress = true;
      if (open_) dc_.on_bytes(out);
    }
    if (auto reason = link_.take_close_request()) {
      progress = true;
      open_ = false;
      dc_.disconnect();
      link_.on_disconnected(*reason, now_);
    }
    if (open_) {
      Bytes in = dc_.take_output();
      if (!in.empty()) {
        progress = true;
        link_.on_bytes(in, now_);
      }
    }
    for (auto& e : link_.take_events()) {
      progress = true;
      sink_(std::move(e));
    }
    return progress;
  }

  const TimePoint& now_;
  FakeDc& dc_;
  hs::test::SeededRandom random_;
  DcLink link_;
  LinkEventSink sink_;
  bool open_ = false;
};

struct Client : AccountClient {
  std::vector<std::pair<std::int64_t, std::string>> answers;
  std::vector<std::pair<std::int64_t, std::string>> failures;  // id, kind
  void on_answer(std::int64_t id, std::string m) override { answers.emplace_back(id, std::move(m)); }
  void on_failure(std::int64_t id, std::string kind, std::string) override { failures.emplace_back(id, std::move(kind)); }
  void on_update(std::string) override {}
};

Bytes encode_object(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(!parser.parse(text).get(doc));
  Bytes out;
  REQUIRE(tl::JsonToTl(api_schema()).encode_boxed(doc, out));
  return out;
}

struct World {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::map<int, std::unique_ptr<FakeDc>> dcs;
  std::vector<std::shared_ptr<FakeLink>> links;
  std::vector<std::uint8_t> prefix;
  std::map<int, std::vector<std::string>> seen;  // methods each DC's application was asked, in order
  std::shared_ptr<Account> account;
  Client client;

  World(AccountOptions options = {}, SessionState session = {}) {
    REQUIRE(build_init_prefix(api_schema(), options.init, prefix));
    ServerSettings server;
    server.host = "127.0.0.1";
    server.port = 4432;
    server.rsa_pem = *dc_rsa_key().public_key().to_pem();
    for (int id : {2, 4}) {
      dcs[id] = std::make_unique<FakeDc>(clock->now_value);
      server.dc_addresses[id] = {"127.0.0.1", static_cast<std::uint16_t>(4430 + id)};
    }
    options.updates.raw = true;
    AccountRuntime runtime;
    runtime.clock = clock;
    runtime.make_link = [this](const DcAddress&, DcLinkConfig c, std::optional<KeyState> key, LinkEventSink sink) {
      auto l = std::make_shared<FakeLink>(clock->now_value, *dcs.at(c.dc_id), c, std::move(key), std::move(sink));
      links.push_back(l);
      return l;
    };
    account = std::make_shared<Account>(api_schema(), server, session, std::move(options), std::move(runtime));
    account->attach(&client);
  }
  ~World() { account.reset(); }

  // The method a query names, past any invokeWithLayer(initConnection) prefix.
  std::string method_of(const Bytes& q) const {
    std::size_t at = q.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), q.begin()) ? prefix.size() : 0;
    REQUIRE(q.size() >= at + 4);
    const std::uint32_t id = q[at] | q[at + 1] << 8 | q[at + 2] << 16 | std::uint32_t(q[at + 3]) << 24;
    const tl::Combinator* c = api_schema()->by_id(id);
    return c ? c->name : "?";
  }
  void serve(int dc, std::function<Reply(const std::string& method, int nth)> app) {
    dcs.at(dc)->application = [this, dc, app](std::uint64_t, const Bytes& q) {
      const std::string m = method_of(q);
      seen[dc].push_back(m);
      return app(m, static_cast<int>(std::count(seen[dc].begin(), seen[dc].end(), m)));
    };
  }
  void submit(std::int64_t id, const std::string& call, Duration timeout = 60s) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(!parser.parse(call).get(doc));
    Bytes q;
    const tl::Combinator* m = nullptr;
    REQUIRE(tl::JsonToTl(api_schema()).encode_function(doc, q, &m));
    account->submit(&client, id, std::move(q), m, std::nullopt, timeout);
    pump();
  }
  void pump() {
    for (int round = 0; round < 100000; ++round) {
      bool progress = false;
      for (std::size_t i = 0; i < links.size(); ++i) progress |= links[i]->step();
      if (!progress) return;
    }
    FAIL("the links never went quiet");
  }
  std::optional<TimePoint> next_wake() const {
    std::optional<TimePoint> t;
    auto consider = [&t](std::optional<TimePoint> x) {
      if (x && (!t || *x < *t)) t = x;
    };
    for (auto& w : clock->alarms)
      if (auto a = w.lock()) consider(a->when);
    for (auto& l : links) consider(l->link_.next_timer(clock->now_value));
    for (auto& [id, dc] : dcs) consider(dc->next_timer());
    return t;
  }
  void advance(Duration d) {
    const TimePoint end = clock->now_value + d;
    for (int i = 0; i < 100000; ++i) {
      auto t = next_wake();
      if (!t || *t > end) break;
      if (*t > clock->now_value) clock->now_value = *t;
      fire();
    }
    clock->now_value = end;
    fire();
  }
  void fire() {
    for (auto& l : links) l->link_.on_timer(clock->now_value);
    for (auto& w : clock->alarms)
      if (auto a = w.lock(); a && a->when && *a->when <= clock->now_value) {
        a->when.reset();
        auto f = a->fire;
        f();
      }
    pump();
  }
};

const std::string kNearest = R"({"_cons":"help.getNearestDc"})";
Reply nearest(int dc) {
  return Reply::result(encode_object(R"({"_cons":"nearestDc","country":"DE","this_dc":)" + std::to_string(dc) +
                                     R"(,"nearest_dc":)" + std::to_string(dc) + "}"));
}

TEST_CASE("account: FLOOD_WAIT under the threshold is slept, the call retried, one answer", "[daemon][account]") {
  World w;
  w.serve(2, [](const std::string& m, int nth) { return m == "help.getNearestDc" && nth == 1 ? Reply::error(420, "FLOOD_WAIT_3") : nearest(2); });
  w.submit(1, kNearest);
  CHECK(w.client.answers.empty());
  w.advance(2s);
  CHECK(w.client.answers.empty());
  CHECK(w.seen[2].size() == 1);
  w.advance(1s);
  REQUIRE(w.client.answers.size() == 1);
  CHECK(w.client.answers[0].second.find("nearestDc") != std::string::npos);
  CHECK(w.seen[2].size() == 2);
  w.advance(120s);
  CHECK(w.client.answers.size() == 1);
  CHECK(w.client.failures.empty());
}

TEST_CASE("account: FLOOD_WAIT over the threshold is the answer at once", "[daemon][account]") {
  World w;
  w.serve(2, [](const std::string&, int) { return Reply::error(420, "FLOOD_WAIT_30"); });
  w.submit(1, kNearest);
  REQUIRE(w.client.answers.size() == 1);
  CHECK(w.client.answers[0].second.find("FLOOD_WAIT_30") != std::string::npos);
  w.advance(60s);
  CHECK(w.seen[2].size() == 1);
  CHECK(w.client.answers.size() == 1);
}

TEST_CASE("account: rpc_timeout at the deadline, a late answer is not delivered", "[daemon][account]") {
  World w;
  w.serve(2, [](const std::string&, int) { return nearest(2); });
  w.dcs[2]->answer_queries = false;
  w.submit(1, kNearest, 5s);
  w.advance(4s);
  CHECK(w.client.answers.empty());
  w.advance(1s);
  REQUIRE(w.client.answers.size() == 1);
  CHECK(w.client.answers[0].second == R"({"_cons":"rpc_timeout"})");
  w.dcs[2]->release();
  w.pump();
  w.advance(10s);
  CHECK(w.client.answers.size() == 1);
  CHECK(w.client.failures.empty());
}

TEST_CASE("account: shutdown answers each call in flight once, nothing after", "[daemon][account]") {
  World w;
  w.serve(2, [](const std::string&, int) { return nearest(2); });
  w.dcs[2]->answer_queries = false;
  for (int id = 1; id <= 3; ++id) w.submit(id, kNearest);
  bool closed = false;
  w.account->close([&closed] { closed = true; });
  REQUIRE(w.client.failures.size() == 3);
  for (auto& [id, kind] : w.client.failures) CHECK(kind == "shutdown");
  w.dcs[2]->release();
  w.pump();
  w.advance(10s);
  CHECK(w.client.failures.size() == 3);
  CHECK(w.client.answers.empty());
  CHECK(closed);
}

TEST_CASE("account: PHONE_MIGRATE moves home with authorization transfer, the call replayed, one answer", "[daemon][account]") {
  const char* error = GENERATE("PHONE_MIGRATE_4", "USER_MIGRATE_4");
  INFO(error);
  mtproto::AuthKey key;
  for (std::size_t i = 0; i < key.key.size(); ++i) key.key[i] = static_cast<std::uint8_t>(i * 7 + 3);
  key.id = crypto::auth_key_id_u64(crypto::AuthKeyView(key.key.data(), key.key.size()));
  SessionState signed_in;
  signed_in.dc = 2;
  signed_in.key = KeyState{key, 0x1122334455667788ull, {}};
  signed_in.user_id = 123;
  World w({}, signed_in);
  w.dcs[2]->add_key(key, 0x1122334455667788ull);
  w.serve(2, [error](const std::string& m, int) {
    if (m == "auth.exportAuthorization")
      return Reply::result(encode_object(R"({"_cons":"auth.exportedAuthorization","id":77,"bytes":"AQID"})"));
    return Reply::error(303, error);
  });
  w.serve(4, [](const std::string& m, int) {
    if (m == "auth.importAuthorization")
      return Reply::result(encode_object(R"({"_cons":"auth.authorization","user":{"_cons":"userEmpty","id":123}})"));
    return nearest(4);
  });
  w.submit(1, kNearest);
  w.advance(1s);
  REQUIRE(w.client.answers.size() == 1);
  CHECK(w.client.answers[0].second.find(R"("this_dc":4)") != std::string::npos);
  CHECK(w.seen[2] == std::vector<std::string>{"help.getNearestDc", "auth.exportAuthorization"});
  CHECK(w.seen[4] == std::vector<std::string>{"auth.importAuthorization", "help.getNearestDc"});
  CHECK(w.account->session().dc == 4);
  w.advance(60s);
  CHECK(w.client.answers.size() == 1);
  CHECK(w.client.failures.empty());
}

}  // namespace
}  // namespace mtjson::daemon::test
