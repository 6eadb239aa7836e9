// The server's sans-I/O pieces: command line, wrappers, layer choice, the API handler.
#include <catch2/catch.hpp>

#include "test_client.h"
#include "testdc/server/api_handler.h"
#include "testdc/server/options.h"
#include "testdc/server/wrappers.h"

using namespace mtjson;
using namespace mtjson::testdc::server;
using namespace mtjson::testdc::server::test;

TEST_CASE("options: defaults, every flag, errors in one line", "[testdc][options]") {
  auto d = parse_options({});
  REQUIRE(d);
  CHECK(d->port == 4430);
  CHECK(d->dcs == 3);
  CHECK(d->host == "127.0.0.1");
  CHECK(d->data_dir.empty());

  auto o = parse_options({"--port", "5000", "--dcs=2", "--host", "0.0.0.0", "--data", "/tmp/x", "--rsa-key", "k.pem",
                          "--secret", "dd00112233445566778899aabbccddeeff", "--schema", "a.tl", "--schema", "b.tl",
                          "--seed-account", "9996621234:Alice:pw", "--verbose", "--print-public-key"});
  REQUIRE(o);
  CHECK(o->port == 5000);
  CHECK(o->dcs == 2);
  CHECK(o->host == "0.0.0.0");
  CHECK(o->data_dir == "/tmp/x");
  CHECK(o->rsa_key_file == "k.pem");
  CHECK(o->secrets.size() == 1);
  CHECK(o->schemas == std::vector<std::string>{"a.tl", "b.tl"});
  REQUIRE(o->seeds.size() == 1);
  CHECK(o->seeds[0].phone == "9996621234");
  CHECK(o->seeds[0].first_name == "Alice");
  CHECK(o->seeds[0].password == "pw");
  CHECK(o->verbose);
  CHECK(o->print_public_key);

  CHECK(parse_options({"--port"}).message() == "--port needs a value");
  CHECK(parse_options({"--port", "70000"}).message() == "--port: '70000' is not a port number (0..65535)");
  CHECK(parse_options({"--dcs", "0"}).message() == "--dcs: '0' is not a DC count (1..5)");
  CHECK(parse_options({"--frobnicate"}).message() == "unknown argument '--frobnicate' (see --help)");
  CHECK(parse_options({"--verbose=1"}).message() == "--verbose takes no value");
  CHECK(parse_options({"--seed-account", "abc"}).message() ==
        "--seed-account: 'abc' is not PHONE[:FIRST[:PASSWORD]] with a numeric phone");
  CHECK(parse_options({"--secret", "zz"}).message().rfind("--secret: ", 0) == 0);
  CHECK(parse_options({"--port", "65535", "--dcs", "3"}).message() == "--port: DC ports would pass 65535");

  const std::string help = usage_text();
  for (const char* flag : {"--port", "--dcs", "--host", "--data", "--rsa-key", "--print-public-key", "--secret",
                           "--schema", "--seed-account", "--verbose", "--help"})
    CHECK(help.find(flag) != std::string::npos);
}

TEST_CASE("wrappers are peeled at the TL level in any nesting", "[testdc][wrappers]") {
  ClientCodec codec{load_api("scheme.tl")};
  const std::string inner = R"({"_cons":"invokeWithoutUpdates","query":{"_cons":"help.getConfig"}})";
  Bytes body = codec.encode(R"({"_cons":"invokeAfterMsgs","msg_ids":[4,8],"query":)" + wrap_layer(144, inner) + "}");
  Unwrapped u;
  REQUIRE(unwrap_query(body, codec.dec, u));
  CHECK(u.layer == 144);
  REQUIRE(u.init);
  CHECK(u.init->api_id == 12345);
  CHECK(u.init->device_model == "test");
  CHECK(u.init->lang_code == "en");
  CHECK(u.without_updates);
  CHECK(u.after_msg_ids == std::vector<std::uint64_t>{4, 8});
  REQUIRE(u.method_offset + 4 == body.size());
  CHECK(body[u.method_offset] == 0x6b);  // help.getConfig#c4f9186b, little-endian
  CHECK(body[u.method_offset + 3] == 0xc4);

  // initConnection with params (JSONValue) and proxy objects is skipped correctly.
  Bytes with_params = codec.encode(
      R"({"_cons":"initConnection","api_id":1,"device_model":"d","system_version":"s","app_version":"a",)"
      R"("system_lang_code":"en","lang_pack":"","lang_code":"en",)"
      R"("proxy":{"_cons":"inputClientProxy","address":"1.2.3.4","port":443},)"
      R"("params":{"_cons":"jsonObject","value":[{"_cons":"jsonObjectValue","key":"k","value":{"_cons":"jsonNumber","value":1.5}}]},)"
      R"("query":{"_cons":"help.getNearestDc"}})");
  REQUIRE(unwrap_query(with_params, codec.dec, u));
  CHECK(u.method_offset + 4 == with_params.size());
  CHECK_FALSE(u.layer);

  // Truncated wrappers are errors naming the wrapper.
  Bytes cut(body.begin(), body.begin() + 10);
  auto st = unwrap_query(cut, codec.dec, u);
  REQUIRE_FALSE(st);
  CHECK(st.message() == "invokeAfterMsgs at offset 0: truncated msg_ids");
  Bytes huge = {0xf0, 0xb4, 0xc4, 0x3d, 0x15, 0xc4, 0xb5, 0x1c, 0xe8, 0x03, 0x00, 0x00};
  st = unwrap_query(huge, codec.dec, u);
  CHECK(st.message() == "invokeAfterMsgs at offset 0: msg_ids count beyond the data");
  Bytes layer_only = {0x0d, 0x0d, 0x9b, 0xda, 0x01};
  st = unwrap_query(layer_only, codec.dec, u);
  CHECK(st.message() == "invokeWithLayer at offset 0: truncated layer");
  // More than 8 wrappers.
  Bytes deep;
  for (int i = 0; i < 9; ++i) deep.insert(deep.end(), {0xb7, 0x59, 0x94, 0xbf});
  deep.insert(deep.end(), {0x6b, 0x18, 0xf9, 0xc4});
  st = unwrap_query(deep, codec.dec, u);
  CHECK(st.message() == "query at offset 32: more than 8 nested wrappers");
}

TEST_CASE("layer choice: the closest loaded layer, newer on a tie", "[testdc][layers]") {
  LayerSchemas layers = default_layers();
  REQUIRE(layers.all().size() == 3);
  CHECK(layers.newest().layer == 228);
  CHECK(layers.closest(144).layer == 144);
  CHECK(layers.closest(100).layer == 144);
  CHECK(layers.closest(170).layer == 144);
  CHECK(layers.closest(171).layer == 198);  // 27 from both: the newer
  CHECK(layers.closest(213).layer == 228);
  CHECK(layers.closest(1000).layer == 228);
  // A layer loaded twice is refused.
  LayerSchemas twice;
  auto st = LayerSchemas::load({source_root() + "/tl/api-144.tl", source_root() + "/tl/api-144.tl"},
                               source_root() + "/tl/mtproto.tl", twice);
  REQUIRE_FALSE(st);
  CHECK(st.message().find("layer 144 is already loaded") != std::string::npos);
}

TEST_CASE("api handler: an old layer's answer drops fields the layer lacks", "[testdc][api]") {
  LayerSchemas layers = default_layers();
  testdc::WorldOptions wo;
  testdc::World world(wo);
  crypto::SecureRandom random;
  AuthKeyStore keys(world, random);
  std::vector<std::string> log;
  ApiHandler api(world, layers, keys, [&log](const std::string& l) { log.push_back(l); }, true);
  ClientCodec c144{load_api("tl/api-144.tl")};
  SessionApiState s;
  CallContext ctx{2, 0x42, 7};
  auto now = now_tp();
  auto answers = api.on_query(ctx, s, 4, c144.encode(wrap_layer(144, R"({"_cons":"help.getConfig"})")), now);
  REQUIRE(answers.size() == 1);
  REQUIRE(answers[0].ok);
  REQUIRE(s.layer != nullptr);
  CHECK(s.layer->layer == 144);
  CHECK(c144.decode_result(answers[0].result, "help.getConfig")["_cons"] == "config");
  // Not wrapped any more: still layer 144.
  answers = api.on_query(ctx, s, 8, c144.encode(R"({"_cons":"help.getNearestDc"})"), now);
  REQUIRE(answers.size() == 1);
  CHECK(c144.decode_result(answers[0].result, "help.getNearestDc")["this_dc"] == 2);
  CHECK(std::find(log.begin(), log.end(), "dc2 key 0000000000000042: help.getNearestDc -> ok (layer 144)") != log.end());
  // Deferred until the named message is answered; then both come out in order.
  answers = api.on_query(ctx, s, 16, c144.encode(R"({"_cons":"invokeAfterMsg","msg_id":12,"query":{"_cons":"help.getConfig"}})"), now);
  CHECK(answers.empty());
  CHECK(api.next_deadline(s) == now + ApiHandler::kMsgWaitTimeout);
  answers = api.on_query(ctx, s, 12, c144.encode(R"({"_cons":"help.getNearestDc"})"), now);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].req_msg_id == 12);
  CHECK(answers[1].req_msg_id == 16);
  CHECK(answers[1].ok);
  CHECK_FALSE(api.next_deadline(s));
}
