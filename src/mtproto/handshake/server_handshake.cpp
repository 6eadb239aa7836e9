#include "mtproto/handshake/server_handshake.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>

#include "base/bytes.h"
#include "crypto/pq.h"
#include "crypto/rsa_pad.h"
#include "crypto/sha.h"
#include "mtproto/handshake/ids.h"
#include "mtproto/handshake/inner_cipher.h"
#include "mtproto/handshake/messages.h"

namespace mtjson::mtproto::handshake {
namespace {

template <typename T>
Result<T> server_fail(std::string message) {
  return Result<T>::error("server handshake: " + std::move(message));
}

bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

Status ServerConfig::add_key_pem(std::string_view pem) {
  auto key = crypto::RsaPrivateKey::from_pem(pem);
  if (!key) return key.status();
  keys.push_back(std::move(*key));
  return Status();
}

ServerHandshake::ServerHandshake(ServerConfig config, crypto::RandomSource& random, UnixClock clock)
    : config_(std::move(config)), random_(random), clock_(std::move(clock)) {}

ServerHandshake::~ServerHandshake() {
  OPENSSL_cleanse(new_nonce_.data(), new_nonce_.size());
  OPENSSL_cleanse(&tmp_, sizeof tmp_);
  OPENSSL_cleanse(a_.data(), a_.size());
}

Result<Output> ServerHandshake::on_message(std::span<const std::uint8_t> body) {
  // "Creating an Authorization Key", "Error Handling": exactly the same request gets exactly the same answer.
  if (state_ != State::Failed && !last_reply_.empty() && equal(body, last_request_)) {
    return Output{last_reply_, state_ == State::Done};
  }
  Result<Output> out = server_fail<Output>("no message expected in this state");
  const std::uint32_t id = peek_constructor(body);
  switch (state_) {
    case State::WaitReqPq: out = on_req_pq(body); break;
    case State::WaitReqDhParams:
      out = id == ids::req_DH_params ? on_req_dh_params(body) : server_fail<Output>("expected req_DH_params");
      break;
    case State::WaitSetClientDhParams:
      out = id == ids::set_client_DH_params ? on_set_client_dh_params(body)
                                            : server_fail<Output>("expected set_client_DH_params");
      break;
    case State::Done: out = server_fail<Output>("already done"); break;
    case State::Failed: out = server_fail<Output>("already failed"); break;
  }
  if (!out) {
    state_ = State::Failed;
    return out;
  }
  last_request_.assign(body.begin(), body.end());
  last_reply_ = out->send;
  return out;
}

// Step 2.
Result<Output> ServerHandshake::on_req_pq(std::span<const std::uint8_t> body) {
  auto req = parse_req_pq(body);
  if (!req) return server_fail<Output>(req.message());
  if (config_.keys.empty()) return server_fail<Output>("no RSA private key configured");
  nonce_ = req->nonce;
  random_.fill_key_material(server_nonce_);
  pq_ = generate_pq(random_);
  pq_be_ = crypto::u64_to_be_bytes(pq_.pq);
  p_be_ = crypto::u64_to_be_bytes(pq_.p);
  q_be_ = crypto::u64_to_be_bytes(pq_.q);

  ResPq res;
  res.nonce = nonce_;
  res.server_nonce = server_nonce_;
  res.pq = pq_be_;
  for (const auto& key : config_.keys) res.fingerprints.push_back(key.public_key().fingerprint());
  state_ = State::WaitReqDhParams;
  return Output{serialize(res), false};
}

// Step 4 inverse: RSA_PAD first; the legacy scheme when RSA_PAD does not validate. Returns the
// serialized p_q_inner_data (without padding).
Result<Bytes> ServerHandshake::decrypt_inner(std::span<const std::uint8_t> encrypted, const crypto::RsaPrivateKey& key) {
  auto padded = crypto::rsa_pad_decrypt(encrypted, key);
  if (padded) {
    std::size_t length = 0;
    auto inner = parse_p_q_inner_data(*padded, &length);
    if (!inner) return Result<Bytes>::error(inner.message());
    // Step 4.1: "data is not longer than 144 bytes".
    if (length > 144) return Result<Bytes>::error("p_q_inner_data longer than 144 bytes");
    result_.legacy_encryption = false;
    return Bytes(padded->begin(), padded->begin() + static_cast<std::ptrdiff_t>(length));
  }
  if (!config_.accept_legacy_encryption) return Result<Bytes>::error("encrypted_data: " + padded.message());
  auto legacy = crypto::rsa_legacy_decrypt(encrypted, key);
  if (!legacy) {
    return Result<Bytes>::error("encrypted_data does not decrypt (" + padded.message() + "; " + legacy.message() + ")");
  }
  std::size_t length = 0;
  auto inner = parse_p_q_inner_data(legacy->data_with_padding, &length);
  if (!inner) {
    return Result<Bytes>::error("encrypted_data does not decrypt (" + padded.message() + "; legacy: " + inner.message() + ")");
  }
  auto data = legacy->data(length);
  if (!data) return Result<Bytes>::error("encrypted_data does not decrypt (" + padded.message() + "; " + data.message() + ")");
  result_.legacy_encryption = true;
  return std::move(*data);
}

// Steps 5-6.
Result<Output> ServerHandshake::on_req_dh_params(std::span<const std::uint8_t> body) {
  auto req = parse_req_dh_params(body);
  if (!req) return server_fail<Output>(req.message());
  if (req->nonce != nonce_) return server_fail<Output>("req_DH_params: nonce mismatch");
  if (req->server_nonce != server_nonce_) return server_fail<Output>("req_DH_params: server_nonce mismatch");
  if (!equal(req->p, p_be_) || !equal(req->q, q_be_)) return server_fail<Output>("req_DH_params: p, q do not factor pq");

  const crypto::RsaPrivateKey* key = nullptr;
  for (const auto& k : config_.keys) {
    if (k.public_key().fingerprint() == req->public_key_fingerprint) key = &k;
  }
  if (!key) return server_fail<Output>("req_DH_params: unknown public_key_fingerprint");
  if (req->encrypted_data.size() != 256) return server_fail<Output>("req_DH_params: encrypted_data is not 256 bytes");

  auto data = decrypt_inner(req->encrypted_data, *key);
  if (!data) return server_fail<Output>("req_DH_params: " + data.message());
  auto inner = parse_p_q_inner_data(*data);
  if (!inner) return server_fail<Output>(inner.message());
  if (!equal(inner->pq, pq_be_) || !equal(inner->p, p_be_) || !equal(inner->q, q_be_)) {
    return server_fail<Output>("p_q_inner_data: pq, p, q do not match");
  }
  if (inner->nonce != nonce_) return server_fail<Output>("p_q_inner_data: nonce mismatch");
  if (inner->server_nonce != server_nonce_) return server_fail<Output>("p_q_inner_data: server_nonce mismatch");
  if (inner->has_dc && config_.require_dc_match && inner->dc != config_.dc) {
    return server_fail<Output>("p_q_inner_data: dc " + std::to_string(inner->dc) + " is not this DC (" +
                        std::to_string(config_.dc) + ")");
  }
  if (inner->temp && inner->expires_in <= 0) return server_fail<Output>("p_q_inner_data_temp: expires_in must be positive");
  new_nonce_ = inner->new_nonce;
  result_.has_dc = inner->has_dc;
  result_.dc = inner->dc;
  result_.temp = inner->temp;
  result_.expires_in = inner->expires_in;
  result_.rsa_fingerprint = req->public_key_fingerprint;

  auto secret = crypto::dh_server_generate(config_.g, config_.dh_prime, random_);
  if (!secret) return server_fail<Output>("server_DH_inner_data: " + secret.message());
  a_ = secret->a;
  OPENSSL_cleanse(secret->a.data(), secret->a.size());

  ServerDhInnerData answer;
  answer.nonce = nonce_;
  answer.server_nonce = server_nonce_;
  answer.g = config_.g;
  answer.dh_prime.assign(config_.dh_prime.begin(), config_.dh_prime.end());
  answer.g_a.assign(secret->g_a.begin(), secret->g_a.end());
  answer.server_time = static_cast<std::int32_t>(unix_seconds(clock_));

  tmp_ = crypto::tmp_aes_key_iv(new_nonce_, server_nonce_);
  ServerDhParams reply;
  reply.ok = true;
  reply.nonce = nonce_;
  reply.server_nonce = server_nonce_;
  reply.encrypted_answer = encrypt_with_hash(serialize(answer), tmp_, random_);
  state_ = State::WaitSetClientDhParams;
  return Output{serialize(reply), false};
}

// Steps 7-9.
Result<Output> ServerHandshake::on_set_client_dh_params(std::span<const std::uint8_t> body) {
  auto set = parse_set_client_dh_params(body);
  if (!set) return server_fail<Output>(set.message());
  if (set->nonce != nonce_) return server_fail<Output>("set_client_DH_params: nonce mismatch");
  if (set->server_nonce != server_nonce_) return server_fail<Output>("set_client_DH_params: server_nonce mismatch");

  auto with_hash = decrypt_with_hash(set->encrypted_data, tmp_, "set_client_DH_params: encrypted_data");
  if (!with_hash) return server_fail<Output>(with_hash.message());
  std::size_t length = 0;
  auto inner = parse_client_dh_inner_data(std::span(*with_hash).subspan(20), &length);
  if (!inner) return server_fail<Output>(inner.message());
  if (auto s = check_with_hash(*with_hash, length, "client_DH_inner_data"); !s) return server_fail<Output>(s.message());
  if (inner->nonce != nonce_) return server_fail<Output>("client_DH_inner_data: nonce mismatch");
  if (inner->server_nonce != server_nonce_) return server_fail<Output>("client_DH_inner_data: server_nonce mismatch");
  if (inner->retry_id != expected_retry_id_) return server_fail<Output>("client_DH_inner_data: retry_id mismatch");

  auto auth_key = crypto::dh_server_compute(a_, inner->g_b, config_.dh_prime);
  if (!auth_key) return server_fail<Output>("client_DH_inner_data: g_b out of range: " + auth_key.message());
  const std::uint64_t key_id = crypto::auth_key_id_u64(*auth_key);

  DhGenAnswer answer;
  answer.nonce = nonce_;
  answer.server_nonce = server_nonce_;
  if (config_.key_id_taken && config_.key_id_taken(key_id)) {
    // Step 9: dh_gen_retry makes the client draw a new b; after too many, dh_gen_fail.
    if (retries_ >= config_.max_dh_gen_retries) {
      answer.kind = DhGenAnswer::Kind::fail;
      answer.new_nonce_hash = crypto::new_nonce_hash(new_nonce_, 3, *auth_key);
      OPENSSL_cleanse(auth_key->data(), auth_key->size());
      state_ = State::Failed;
      return Output{serialize(answer), false};
    }
    ++retries_;
    answer.kind = DhGenAnswer::Kind::retry;
    answer.new_nonce_hash = crypto::new_nonce_hash(new_nonce_, 2, *auth_key);
    expected_retry_id_ = load_le64(crypto::auth_key_aux_hash(*auth_key));
    OPENSSL_cleanse(auth_key->data(), auth_key->size());
    return Output{serialize(answer), false};
  }

  answer.kind = DhGenAnswer::Kind::ok;
  answer.new_nonce_hash = crypto::new_nonce_hash(new_nonce_, 1, *auth_key);
  result_.auth_key.key = *auth_key;
  result_.auth_key.id = key_id;
  result_.server_salt = static_cast<std::int64_t>(load_le64(crypto::initial_server_salt(new_nonce_, server_nonce_)));
  result_.expires_at = result_.temp ? unix_seconds(clock_) + result_.expires_in : 0;
  OPENSSL_cleanse(auth_key->data(), auth_key->size());
  OPENSSL_cleanse(a_.data(), a_.size());
  state_ = State::Done;
  return Output{serialize(answer), true};
}

}  // namespace mtjson::mtproto::handshake
