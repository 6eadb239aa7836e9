// Client role of the auth-key exchange ("Creating an Authorization Key", steps 1-9) as a sans-I/O state
// machine: start() gives the first body to send, on_message(body) consumes a
// server reply and gives the next body or completion. Bodies are TL message_data; wrapping them
// in unencrypted messages is plain_message.h's job.
//
//   SendPq -start()-> WaitResPq -resPQ-> WaitDhParams -server_DH_params_ok-> WaitDhGenResult
//   WaitDhGenResult -dh_gen_ok-> Done, -dh_gen_retry-> WaitDhGenResult (new b), -dh_gen_fail-> Failed
//   any failed check -> Failed (the caller closes the connection and may start over)
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "crypto/dh.h"
#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/rsa.h"
#include "crypto/telegram_keys.h"
#include "mtproto/auth_key.h"
#include "mtproto/handshake/types.h"

namespace mtjson::mtproto::handshake {

struct ClientConfig {
  std::int32_t dc_id = 2;
  bool test_dc = false;      // adds 10000 to dc (step 4)
  bool media = false;        // negative dc (step 4)
  std::int32_t expires_in = 0;  // 0: permanent key (p_q_inner_data_dc); > 0: temporary key (_temp_dc)
  crypto::PublicKeyRing keys;   // the server keys we trust, chosen by fingerprint
  int max_dh_gen_retries = 5;   // dh_gen_retry answers accepted before giving up
  bool req_pq_multi = true;     // false: the older req_pq constructor
};

// The dc value sent in p_q_inner_data_dc ("Creating an Authorization Key", step 4).
std::int32_t wire_dc_id(std::int32_t dc_id, bool test_dc, bool media);

struct ClientResult {
  AuthKey auth_key;
  std::int64_t server_salt = 0;         // first salt: new_nonce[0:8] XOR server_nonce[0:8], read LE
  std::int32_t server_time_offset = 0;  // server_time - local time, seconds (step 9)
  std::int64_t expires_at = 0;          // temporary keys: local Unix time + expires_in; 0 if permanent
  int dh_gen_retries = 0;
};

class ClientHandshake {
 public:
  enum class State { SendPq, WaitResPq, WaitDhParams, WaitDhGenResult, Done, Failed };

  // Encrypts p_q_inner_data for req_DH_params; default crypto::rsa_pad_encrypt. Replaceable so a
  // known-answer test can substitute the sample's encrypted_data (its temp_key is not published).
  using RsaEncrypt = std::function<Result<Bytes>(std::span<const std::uint8_t> data, const crypto::RsaPublicKey& key,
                                                 crypto::RandomSource& random)>;
  // Sees named intermediates (p, q, new_nonce, p_q_inner_data, tmp_aes_key, tmp_aes_iv,
  // answer_with_hash, answer, g_b, client_DH_inner_data, client_DH_inner_data_with_hash,
  // client_DH_inner_data.encrypted_data, auth_key). For known-answer tests only: secrets, never log.
  using Observer = std::function<void(std::string_view name, std::span<const std::uint8_t> value)>;

  ClientHandshake(ClientConfig config, crypto::RandomSource& random, UnixClock clock);
  ~ClientHandshake();
  ClientHandshake(const ClientHandshake&) = delete;
  ClientHandshake& operator=(const ClientHandshake&) = delete;

  void set_rsa_encrypt(RsaEncrypt f) { rsa_encrypt_ = std::move(f); }
  void set_observer(Observer f) { observer_ = std::move(f); }

  // SendPq -> WaitResPq: the req_pq_multi body (draws the 16-byte nonce).
  Bytes start();
  // A server body. Errors (each with its own message) move the machine to Failed.
  Result<Output> on_message(std::span<const std::uint8_t> body);
  // The last body sent, to re-send after a lost answer ("Creating an Authorization Key", "Error Handling").
  const Bytes& last_sent() const { return last_sent_; }

  State state() const { return state_; }
  bool done() const { return state_ == State::Done; }
  // Valid when done().
  const ClientResult& result() const { return result_; }

 private:
  Result<Output> on_res_pq(std::span<const std::uint8_t> body);
  Result<Output> on_server_dh_params(std::span<const std::uint8_t> body);
  Result<Output> on_dh_gen_answer(std::span<const std::uint8_t> body);
  Result<Bytes> make_set_client_dh_params();
  void observe(std::string_view name, std::span<const std::uint8_t> value) const {
    if (observer_) observer_(name, value);
  }

  ClientConfig config_;
  crypto::RandomSource& random_;
  UnixClock clock_;
  RsaEncrypt rsa_encrypt_;
  Observer observer_;

  State state_ = State::SendPq;
  Bytes last_sent_;
  Int128 nonce_{};
  Int128 server_nonce_{};
  Int256 new_nonce_{};
  crypto::AesKeyIv tmp_{};
  std::int32_t g_ = 0;
  Bytes dh_prime_, g_a_;
  std::uint64_t retry_id_ = 0;
  crypto::DhNumber auth_key_{};  // pending until dh_gen_ok
  ClientResult result_;
};

}  // namespace mtjson::mtproto::handshake
