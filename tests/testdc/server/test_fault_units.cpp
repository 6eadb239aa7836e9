// Fault injection's sans-I/O pieces (flags, method rules, chance), the session's single
// decryption, and the binary's --schema / fault flag handling.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mtproto/session/client_session.h"
#include "mtproto/session/server_session.h"
#include "test_client.h"
#include "testdc/server/faults.h"
#include "testdc/server/options.h"

using namespace mtjson;
using namespace mtjson::testdc::server;
using namespace mtjson::testdc::server::test;

namespace {

class FixedRandom final : public crypto::RandomSource {
 public:
  explicit FixedRandom(std::uint8_t b) : byte_(b) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& x : out) x = byte_;
  }

 private:
  std::uint8_t byte_;
};

// Runs a shell command; returns its exit status and combined output.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("mtjson-testdc-faults-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("options: the fault flags and their errors", "[testdc][options][faults]") {
  auto o = parse_options({"--admin", "0", "--drop-after", "5", "--drop-rate", "0.25", "--delay", "200",
                          "--salt-rotate", "30", "--clock-skew", "-600", "--flood-wait", "help.getConfig:3",
                          "--flood-wait=*:10:-1"});
  REQUIRE(o);
  CHECK(o->admin_port == 0);
  REQUIRE(o->faults.drop_after);
  CHECK(o->faults.drop_after->packets == 5);
  CHECK_FALSE(o->faults.drop_after->dc);
  CHECK(o->faults.drop_rate == 0.25);
  CHECK(o->faults.delay == std::chrono::milliseconds(200));
  CHECK(o->faults.salt_rotate == std::chrono::seconds(30));
  CHECK(o->faults.clock_skew == -600);
  REQUIRE(o->faults.methods.size() == 2);
  CHECK(o->faults.methods[0].describe() == "help.getConfig -> 420 FLOOD_WAIT_3 (1 call)");
  CHECK(o->faults.methods[1].describe() == "* -> 420 FLOOD_WAIT_10 (every call)");
  CHECK_FALSE(parse_options({})->admin_port);

  CHECK(parse_options({"--admin", "x"}).message() == "--admin: 'x' is not a port number (0..65535)");
  CHECK(parse_options({"--admin"}).message() == "--admin needs a port");
  CHECK(parse_options({"--drop-after", "0"}).message() == "--drop-after: '0' is not a packet count (1..1000000000)");
  CHECK(parse_options({"--drop-rate", "1.5"}).message() == "--drop-rate: '1.5' is not a probability (0..1)");
  CHECK(parse_options({"--drop-rate", "nan"}).message() == "--drop-rate: 'nan' is not a probability (0..1)");
  CHECK(parse_options({"--delay", "-1"}).message() == "--delay: '-1' is not milliseconds (0..600000)");
  CHECK(parse_options({"--salt-rotate", "0"}).message() == "--salt-rotate: '0' is not a period in seconds (1..2592000)");
  CHECK(parse_options({"--clock-skew", "10y"}).message() == "--clock-skew: '10y' is not seconds (-315360000..315360000)");
  for (const char* bad : {"help.getConfig", ":3", "help.getConfig:x", "help.getConfig:3:0", "help.getConfig:3:2:1"})
    CHECK(parse_options({"--flood-wait", bad}).message() ==
          std::string("--flood-wait: '") + bad + "' is not METHOD:SECONDS[:COUNT] (SECONDS 0..31536000, COUNT >= 1 or -1)");

  const std::string help = usage_text();
  for (const char* flag :
       {"--admin", "--drop-after", "--drop-rate", "--delay", "--salt-rotate", "--clock-skew", "--flood-wait",
        "drop_connections", "rotate_salt", "destroy_keys", "swallow", "migrate", "skip_updates", "too_long_updates",
        "forget_sessions", "stats", "reset"})
    CHECK(help.find(flag) != std::string::npos);
}

TEST_CASE("method faults: first matching rule with calls left, counted down", "[testdc][faults]") {
  FaultConfig f;
  f.methods.push_back({"help.getConfig", MethodFault::Kind::error, 420, "FLOOD_WAIT_1", 2});
  f.methods.push_back({"*", MethodFault::Kind::swallow, 0, "", 1});
  f.methods.push_back({"help.getNearestDc", MethodFault::Kind::error, 500, "X", -1});
  CHECK(f.take_method_fault("help.getConfig")->message == "FLOOD_WAIT_1");
  CHECK(f.take_method_fault("help.getNearestDc")->kind == MethodFault::Kind::swallow);  // "*" comes first
  CHECK(f.take_method_fault("help.getConfig")->message == "FLOOD_WAIT_1");
  CHECK_FALSE(f.take_method_fault("help.getConfig"));  // both rules used up and removed
  for (int i = 0; i < 3; ++i) CHECK(f.take_method_fault("help.getNearestDc")->code == 500);  // -1: forever
  CHECK(f.methods.size() == 1);
}

TEST_CASE("chance: p against 32 random bits", "[testdc][faults]") {
  FixedRandom zeros(0x00), ones(0xff), half(0x80);
  CHECK_FALSE(chance(zeros, 0.0));
  CHECK(chance(ones, 1.0));
  CHECK(chance(zeros, 0.01));
  CHECK_FALSE(chance(ones, 0.99));
  CHECK(chance(half, 0.6));   // 0x80808080 / 2^32 = 0.502
  CHECK_FALSE(chance(half, 0.5));
}

TEST_CASE("ServerSession::on_decrypted takes a packet decrypted once by the caller", "[testdc][session]") {
  crypto::SecureRandom random;
  mtproto::AuthKey key;
  for (std::size_t i = 0; i < key.key.size(); ++i) key.key[i] = static_cast<std::uint8_t>(i * 13 + 5);
  key.id = crypto::auth_key_id_u64(key.key);
  mtproto::session::FutureSalt salt;
  salt.salt = 0x1122334455667788ull;
  salt.valid_since = static_cast<std::int32_t>(mtproto::session::to_unix_seconds(now_tp()) - 60);
  salt.valid_until = salt.valid_since + 3600;
  mtproto::session::ServerSession server({}, {salt}, random);  // no lookup: on_decrypted needs none
  mtproto::session::ClientSession client(key, salt.salt, random);
  client.send_query(Bytes{0x6b, 0x18, 0xf9, 0xc4}, 1, now_tp());  // help.getConfig
  auto packet = client.take_outgoing(now_tp());
  REQUIRE(packet);

  mtproto::session::DecryptedMessage m;
  REQUIRE_FALSE(mtproto::session::decrypt_packet(key, crypto::Side::client, *packet, m));
  auto events = server.on_decrypted(key, m, now_tp());
  bool query = false;
  for (auto& ev : events)
    if (auto* q = std::get_if<mtproto::session::Query>(&ev)) query = q->body == Bytes{0x6b, 0x18, 0xf9, 0xc4};
  CHECK(query);
  CHECK(server.session_id() == client.session_id());
  // The same packet again is a replay, whichever entry point sees it.
  events = server.on_decrypted(key, m, now_tp());
  REQUIRE(events.size() == 1);
  CHECK(std::holds_alternative<mtproto::session::Dropped>(events[0]));
  CHECK(server.reply(m.header.msg_id, Bytes{1, 2, 3, 4}, now_tp()));
  CHECK(server.take_outgoing(now_tp()));
}

TEST_CASE("mtjson-testdc: --schema adds a layer to the defaults; bad fault flags exit 2", "[testdc][faults]") {
  const char* exe = std::getenv("MTJSON_TESTDC_EXE");
  REQUIRE(exe != nullptr);
  // A copy of layer 144 relabelled 150.
  std::ifstream in(source_root() + "/tl/api-144.tl");
  std::stringstream text;
  text << in.rdbuf();
  std::string schema = text.str();
  const auto at = schema.find("// LAYER 144");
  REQUIRE(at != std::string::npos);
  schema.replace(at, 12, "// LAYER 150");
  const std::string schema_file = temp_path("layer150.tl");
  std::ofstream(schema_file) << schema;
  const std::string key_file = temp_path("key.pem");
  std::ofstream(key_file) << *test_rsa_key().to_pem();
  const std::string base = std::string(exe) + " --port 0 --dcs 1 --rsa-key " + key_file;

  // SIGINT after a moment: a clean exit 0 after the start line.
  auto [status, out] = run("timeout --preserve-status -s INT 3 " + base + " --schema " + schema_file);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("; layers 144, 150, 198, 228;") != std::string::npos);

  std::tie(status, out) = run(base + " --schema " + source_root() + "/tl/api-144.tl");
  CHECK(status == 2);
  CHECK(out.rfind("mtjson-testdc: --schema: ", 0) == 0);
  CHECK(out.find("layer 144 is already loaded from") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);

  std::tie(status, out) = run(base + " --flood-wait help.getConfg:3");
  CHECK(status == 2);
  CHECK(out == "mtjson-testdc: --flood-wait: 'help.getConfg' is not a method of any loaded layer (or *)\n");
  std::tie(status, out) = run(base + " --drop-rate 2");
  CHECK(status == 2);
  CHECK(out == "mtjson-testdc: --drop-rate: '2' is not a probability (0..1)\n");

  std::filesystem::remove(schema_file);
  std::filesystem::remove(key_file);
}
