// TL bodies of the key exchange ("Creating an Authorization Key", tl/mtproto.tl): one struct per message,
// serialize_*() with WireWriter and parse_*() with the sticky-error WireReader. Parsers never
// trust lengths: every error names the message and the offset.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtproto/handshake/types.h"

namespace mtjson::mtproto::handshake {

// The constructor id at the start of a body (0 if shorter than 4 bytes).
std::uint32_t peek_constructor(std::span<const std::uint8_t> body);

// req_pq#60469778 / req_pq_multi#be7e8ef1 nonce:int128 = ResPQ
struct ReqPq {
  bool multi = true;
  Int128 nonce{};
};
Bytes serialize(const ReqPq& m);
Result<ReqPq> parse_req_pq(std::span<const std::uint8_t> body);

// resPQ#05162463 nonce:int128 server_nonce:int128 pq:bytes server_public_key_fingerprints:Vector<long>
struct ResPq {
  Int128 nonce{};
  Int128 server_nonce{};
  Bytes pq;  // big-endian
  std::vector<std::uint64_t> fingerprints;
};
Bytes serialize(const ResPq& m);
Result<ResPq> parse_res_pq(std::span<const std::uint8_t> body);

// p_q_inner_data{,_dc,_temp,_temp_dc}: the data RSA_PAD encrypts (step 4).
struct PqInnerData {
  bool has_dc = true;    // _dc variants
  bool temp = false;     // _temp variants (expires_in present)
  Bytes pq, p, q;        // big-endian
  Int128 nonce{};
  Int128 server_nonce{};
  Int256 new_nonce{};
  std::int32_t dc = 0;
  std::int32_t expires_in = 0;
};
Bytes serialize(const PqInnerData& m);
// consumed != nullptr: trailing bytes (the RSA padding) are allowed and the data length is stored.
Result<PqInnerData> parse_p_q_inner_data(std::span<const std::uint8_t> body, std::size_t* consumed = nullptr);

// req_DH_params#d712e4be nonce server_nonce p:bytes q:bytes public_key_fingerprint:long encrypted_data:bytes
struct ReqDhParams {
  Int128 nonce{};
  Int128 server_nonce{};
  Bytes p, q;
  std::uint64_t public_key_fingerprint = 0;
  Bytes encrypted_data;
};
Bytes serialize(const ReqDhParams& m);
Result<ReqDhParams> parse_req_dh_params(std::span<const std::uint8_t> body);

// server_DH_params_ok#d0e8075c nonce server_nonce encrypted_answer:bytes
// server_DH_params_fail#79cb045d nonce server_nonce new_nonce_hash:int128
struct ServerDhParams {
  bool ok = true;
  Int128 nonce{};
  Int128 server_nonce{};
  Bytes encrypted_answer;   // ok
  Int128 new_nonce_hash{};  // fail
};
Bytes serialize(const ServerDhParams& m);
Result<ServerDhParams> parse_server_dh_params(std::span<const std::uint8_t> body);

// server_DH_inner_data#b5890dba nonce server_nonce g:int dh_prime:bytes g_a:bytes server_time:int
struct ServerDhInnerData {
  Int128 nonce{};
  Int128 server_nonce{};
  std::int32_t g = 0;
  Bytes dh_prime, g_a;  // big-endian
  std::int32_t server_time = 0;
};
Bytes serialize(const ServerDhInnerData& m);
Result<ServerDhInnerData> parse_server_dh_inner_data(std::span<const std::uint8_t> body, std::size_t* consumed = nullptr);

// set_client_DH_params#f5045f1f nonce server_nonce encrypted_data:bytes
struct SetClientDhParams {
  Int128 nonce{};
  Int128 server_nonce{};
  Bytes encrypted_data;
};
Bytes serialize(const SetClientDhParams& m);
Result<SetClientDhParams> parse_set_client_dh_params(std::span<const std::uint8_t> body);

// client_DH_inner_data#6643b654 nonce server_nonce retry_id:long g_b:bytes
struct ClientDhInnerData {
  Int128 nonce{};
  Int128 server_nonce{};
  std::uint64_t retry_id = 0;
  Bytes g_b;  // big-endian
};
Bytes serialize(const ClientDhInnerData& m);
Result<ClientDhInnerData> parse_client_dh_inner_data(std::span<const std::uint8_t> body, std::size_t* consumed = nullptr);

// dh_gen_ok#3bcbf734 / dh_gen_retry#46dc1fb9 / dh_gen_fail#a69dae02 nonce server_nonce new_nonce_hashN:int128
struct DhGenAnswer {
  enum class Kind { ok = 1, retry = 2, fail = 3 };  // the value is N of new_nonce_hashN
  Kind kind = Kind::ok;
  Int128 nonce{};
  Int128 server_nonce{};
  Int128 new_nonce_hash{};
};
Bytes serialize(const DhGenAnswer& m);
Result<DhGenAnswer> parse_dh_gen_answer(std::span<const std::uint8_t> body);

}  // namespace mtjson::mtproto::handshake
