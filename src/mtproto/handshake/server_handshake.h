// Server role of the auth-key exchange ("Creating an Authorization Key", steps 2, 6, 8, 9), mirror of
// client_handshake.h, for the local test DC. Sans-I/O: on_message(body) -> reply body.
//
//   WaitReqPq -req_pq(_multi)-> WaitReqDhParams -req_DH_params-> WaitSetClientDhParams
//   WaitSetClientDhParams -set_client_DH_params-> Done (dh_gen_ok) | same state (dh_gen_retry, the
//   auth_key_id is taken) | Failed (dh_gen_fail after too many retries)
//   bad input -> error Status, state Failed (the caller closes the connection; a real server
//   answers -404 there)
// A byte-identical repeat of the last query gets the same answer again ("Error Handling").
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/dh.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/rsa.h"
#include "mtproto/auth_key.h"
#include "mtproto/handshake/pq_challenge.h"
#include "mtproto/handshake/types.h"

namespace mtjson::mtproto::handshake {

struct ServerConfig {
  std::vector<crypto::RsaPrivateKey> keys;  // fingerprints offered in resPQ, in this order
  std::int32_t dc = 2;             // the dc value clients must send (wire form: +10000 test, negative media)
  bool require_dc_match = true;    // false: accept any dc and record it in the result
  std::int32_t g = 3;
  crypto::DhNumber dh_prime = crypto::known_dh_prime();
  bool accept_legacy_encryption = true;  // the pre-RSA_PAD SHA1+data+padding scheme
  int max_dh_gen_retries = 5;            // dh_gen_retry answers before dh_gen_fail
  // auth_key_id collision check (step 8): true -> answer dh_gen_retry.
  std::function<bool(std::uint64_t auth_key_id)> key_id_taken;

  // Adds a private key from PEM (PKCS#1 or PKCS#8).
  Status add_key_pem(std::string_view pem);
};

struct ServerResult {
  AuthKey auth_key;
  std::int64_t server_salt = 0;  // new_nonce[0:8] XOR server_nonce[0:8], read LE
  bool temp = false;             // p_q_inner_data_temp(_dc)
  std::int32_t expires_in = 0;
  std::int64_t expires_at = 0;   // server Unix time + expires_in for temporary keys
  bool has_dc = false;
  std::int32_t dc = 0;           // as sent by the client
  bool legacy_encryption = false;  // req_DH_params used the legacy scheme
  std::uint64_t rsa_fingerprint = 0;
};

class ServerHandshake {
 public:
  enum class State { WaitReqPq, WaitReqDhParams, WaitSetClientDhParams, Done, Failed };

  ServerHandshake(ServerConfig config, crypto::RandomSource& random, UnixClock clock);
  ~ServerHandshake();
  ServerHandshake(const ServerHandshake&) = delete;
  ServerHandshake& operator=(const ServerHandshake&) = delete;

  // A client body. The reply in Output::send (always non-empty on success); done when the reply
  // is dh_gen_ok. After a dh_gen_fail reply the state is Failed.
  Result<Output> on_message(std::span<const std::uint8_t> body);

  State state() const { return state_; }
  bool done() const { return state_ == State::Done; }
  const ServerResult& result() const { return result_; }
  // The pq challenge sent in resPQ (tests).
  const PqChallenge& pq() const { return pq_; }

 private:
  Result<Output> on_req_pq(std::span<const std::uint8_t> body);
  Result<Output> on_req_dh_params(std::span<const std::uint8_t> body);
  Result<Output> on_set_client_dh_params(std::span<const std::uint8_t> body);
  Result<Bytes> decrypt_inner(std::span<const std::uint8_t> encrypted, const crypto::RsaPrivateKey& key);

  ServerConfig config_;
  crypto::RandomSource& random_;
  UnixClock clock_;

  State state_ = State::WaitReqPq;
  Bytes last_request_, last_reply_;
  PqChallenge pq_;
  Bytes pq_be_, p_be_, q_be_;
  Int128 nonce_{};
  Int128 server_nonce_{};
  Int256 new_nonce_{};
  crypto::AesKeyIv tmp_{};
  crypto::DhNumber a_{};
  std::uint64_t expected_retry_id_ = 0;
  int retries_ = 0;
  ServerResult result_;
};

}  // namespace mtjson::mtproto::handshake
