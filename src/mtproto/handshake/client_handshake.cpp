#include "mtproto/handshake/client_handshake.h"

#include <openssl/crypto.h>

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
Result<T> client_fail(std::string message) {
  return Result<T>::error("client handshake: " + std::move(message));
}

}  // namespace

std::int32_t wire_dc_id(std::int32_t dc_id, bool test_dc, bool media) {
  std::int32_t dc = dc_id + (test_dc ? 10000 : 0);
  return media ? -dc : dc;
}

ClientHandshake::ClientHandshake(ClientConfig config, crypto::RandomSource& random, UnixClock clock)
    : config_(std::move(config)), random_(random), clock_(std::move(clock)) {
  rsa_encrypt_ = [](std::span<const std::uint8_t> data, const crypto::RsaPublicKey& key,
                    crypto::RandomSource& rnd) -> Result<Bytes> { return crypto::rsa_pad_encrypt(data, key, rnd); };
}

ClientHandshake::~ClientHandshake() {
  OPENSSL_cleanse(new_nonce_.data(), new_nonce_.size());
  OPENSSL_cleanse(&tmp_, sizeof tmp_);
  OPENSSL_cleanse(auth_key_.data(), auth_key_.size());
}

Bytes ClientHandshake::start() {
  random_.fill_key_material(nonce_);
  last_sent_ = serialize(ReqPq{config_.req_pq_multi, nonce_});
  state_ = State::WaitResPq;
  return last_sent_;
}

Result<Output> ClientHandshake::on_message(std::span<const std::uint8_t> body) {
  Result<Output> out = client_fail<Output>("no message expected in this state");
  switch (state_) {
    case State::WaitResPq: out = on_res_pq(body); break;
    case State::WaitDhParams: out = on_server_dh_params(body); break;
    case State::WaitDhGenResult: out = on_dh_gen_answer(body); break;
    case State::SendPq: out = client_fail<Output>("start() was not called"); break;
    case State::Done: out = client_fail<Output>("already done"); break;
    case State::Failed: out = client_fail<Output>("already failed"); break;
  }
  if (!out) {
    state_ = State::Failed;
  } else if (!out->send.empty()) {
    last_sent_ = out->send;
  }
  return out;
}

// Steps 2-5.
Result<Output> ClientHandshake::on_res_pq(std::span<const std::uint8_t> body) {
  auto res = parse_res_pq(body);
  if (!res) return client_fail<Output>(res.message());
  // "Security Guidelines for Client Developers", "Checking nonce, server_nonce and new_nonce fields".
  if (res->nonce != nonce_) return client_fail<Output>("resPQ: nonce mismatch");
  server_nonce_ = res->server_nonce;

  auto pq = crypto::factorize_pq(res->pq);
  if (!pq) return client_fail<Output>("resPQ: pq not factorizable: " + pq.message());
  observe("p", pq->p);
  observe("q", pq->q);

  const crypto::RsaPublicKey* key = config_.keys.select(res->fingerprints);
  if (!key) return client_fail<Output>("resPQ: no known server public key fingerprint");

  random_.fill_key_material(new_nonce_);
  observe("new_nonce", new_nonce_);
  PqInnerData inner;
  inner.has_dc = true;
  inner.temp = config_.expires_in > 0;
  inner.pq = res->pq;
  inner.p = pq->p;
  inner.q = pq->q;
  inner.nonce = nonce_;
  inner.server_nonce = server_nonce_;
  inner.new_nonce = new_nonce_;
  inner.dc = wire_dc_id(config_.dc_id, config_.test_dc, config_.media);
  inner.expires_in = config_.expires_in;
  const Bytes data = serialize(inner);
  observe("p_q_inner_data", data);

  auto encrypted = rsa_encrypt_(data, *key, random_);
  if (!encrypted) return client_fail<Output>("req_DH_params: " + encrypted.message());

  ReqDhParams req;
  req.nonce = nonce_;
  req.server_nonce = server_nonce_;
  req.p = pq->p;
  req.q = pq->q;
  req.public_key_fingerprint = key->fingerprint();
  req.encrypted_data = std::move(*encrypted);
  state_ = State::WaitDhParams;
  return Output{serialize(req), false};
}

// Steps 6-7.
Result<Output> ClientHandshake::on_server_dh_params(std::span<const std::uint8_t> body) {
  auto params = parse_server_dh_params(body);
  if (!params) return client_fail<Output>(params.message());
  if (params->nonce != nonce_) return client_fail<Output>("Server_DH_Params: nonce mismatch");
  if (params->server_nonce != server_nonce_) return client_fail<Output>("Server_DH_Params: server_nonce mismatch");
  if (!params->ok) {
    // new_nonce_hash := 128 lower-order bits of SHA1(new_nonce) (step 6).
    const auto h = crypto::sha1(new_nonce_);
    const bool genuine = CRYPTO_memcmp(h.data() + 4, params->new_nonce_hash.data(), 16) == 0;
    return client_fail<Output>(genuine ? "server_DH_params_fail received"
                                : "server_DH_params_fail received with a wrong new_nonce_hash");
  }

  tmp_ = crypto::tmp_aes_key_iv(new_nonce_, server_nonce_);
  observe("tmp_aes_key", tmp_.key);
  observe("tmp_aes_iv", tmp_.iv);
  auto with_hash = decrypt_with_hash(params->encrypted_answer, tmp_, "server_DH_params_ok: encrypted_answer");
  if (!with_hash) return client_fail<Output>(with_hash.message());
  observe("answer_with_hash", *with_hash);

  std::size_t answer_length = 0;
  auto inner = parse_server_dh_inner_data(std::span(*with_hash).subspan(20), &answer_length);
  if (!inner) return client_fail<Output>(inner.message());
  if (auto s = check_with_hash(*with_hash, answer_length, "server_DH_inner_data"); !s) return client_fail<Output>(s.message());
  observe("answer", std::span(*with_hash).subspan(20, answer_length));
  if (inner->nonce != nonce_) return client_fail<Output>("server_DH_inner_data: nonce mismatch");
  if (inner->server_nonce != server_nonce_) return client_fail<Output>("server_DH_inner_data: server_nonce mismatch");

  // "Creating an Authorization Key", step 6 and "Security Guidelines for Client Developers", "Validation of DH parameters".
  if (auto s = crypto::check_dh_params(inner->g, inner->dh_prime); !s) {
    return client_fail<Output>("server_DH_inner_data: dh params invalid: " + s.message());
  }
  if (auto s = crypto::check_dh_public_value(inner->g_a, inner->dh_prime, "g_a"); !s) {
    return client_fail<Output>("server_DH_inner_data: g_a out of range: " + s.message());
  }
  g_ = inner->g;
  dh_prime_ = std::move(inner->dh_prime);
  g_a_ = std::move(inner->g_a);
  // Step 9: keep server_time - local time to build correct msg_ids later.
  result_.server_time_offset = static_cast<std::int32_t>(inner->server_time - unix_seconds(clock_));

  auto set = make_set_client_dh_params();
  if (!set) return client_fail<Output>(set.message());
  state_ = State::WaitDhGenResult;
  return Output{std::move(*set), false};
}

// Step 7 (also on every dh_gen_retry): a new b, client_DH_inner_data, its encryption.
Result<Bytes> ClientHandshake::make_set_client_dh_params() {
  auto dh = crypto::dh_client_compute(g_, dh_prime_, g_a_, random_);
  if (!dh) return Result<Bytes>::error("set_client_DH_params: " + dh.message());
  observe("g_b", dh->g_b);
  auth_key_ = dh->auth_key;
  OPENSSL_cleanse(dh->b.data(), dh->b.size());

  ClientDhInnerData inner{nonce_, server_nonce_, retry_id_, Bytes(dh->g_b.begin(), dh->g_b.end())};
  const Bytes data = serialize(inner);
  observe("client_DH_inner_data", data);
  Bytes with_hash;
  Bytes encrypted = encrypt_with_hash(data, tmp_, random_, observer_ ? &with_hash : nullptr);
  observe("client_DH_inner_data_with_hash", with_hash);
  observe("client_DH_inner_data.encrypted_data", encrypted);
  return serialize(SetClientDhParams{nonce_, server_nonce_, std::move(encrypted)});
}

// Step 9.
Result<Output> ClientHandshake::on_dh_gen_answer(std::span<const std::uint8_t> body) {
  auto answer = parse_dh_gen_answer(body);
  if (!answer) return client_fail<Output>(answer.message());
  if (answer->nonce != nonce_) return client_fail<Output>("Set_client_DH_params_answer: nonce mismatch");
  if (answer->server_nonce != server_nonce_) return client_fail<Output>("Set_client_DH_params_answer: server_nonce mismatch");

  const auto n = static_cast<std::uint8_t>(answer->kind);
  const auto expected = crypto::new_nonce_hash(new_nonce_, n, auth_key_);
  if (CRYPTO_memcmp(expected.data(), answer->new_nonce_hash.data(), 16) != 0) {
    static const char* names[] = {"", "dh_gen_ok: new_nonce_hash1", "dh_gen_retry: new_nonce_hash2",
                                  "dh_gen_fail: new_nonce_hash3"};
    return client_fail<Output>(std::string(names[n]) + " mismatch");
  }

  switch (answer->kind) {
    case DhGenAnswer::Kind::ok: {
      observe("auth_key", auth_key_);
      result_.auth_key.key = auth_key_;
      result_.auth_key.id = crypto::auth_key_id_u64(auth_key_);
      result_.server_salt = static_cast<std::int64_t>(load_le64(crypto::initial_server_salt(new_nonce_, server_nonce_)));
      result_.expires_at = config_.expires_in > 0 ? unix_seconds(clock_) + config_.expires_in : 0;
      OPENSSL_cleanse(new_nonce_.data(), new_nonce_.size());
      OPENSSL_cleanse(&tmp_, sizeof tmp_);
      state_ = State::Done;
      return Output{{}, true};
    }
    case DhGenAnswer::Kind::retry: {
      if (result_.dh_gen_retries >= config_.max_dh_gen_retries) return client_fail<Output>("dh_gen_retry: too many retries");
      ++result_.dh_gen_retries;
      // Step 7: retry_id = auth_key_aux_hash of the previous failed attempt.
      retry_id_ = load_le64(crypto::auth_key_aux_hash(auth_key_));
      auto set = make_set_client_dh_params();
      if (!set) return client_fail<Output>(set.message());
      return Output{std::move(*set), false};
    }
    case DhGenAnswer::Kind::fail:
      return client_fail<Output>("dh_gen_fail received");
  }
  return client_fail<Output>("unreachable");
}

}  // namespace mtjson::mtproto::handshake
