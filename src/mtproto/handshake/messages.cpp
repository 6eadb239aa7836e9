#include "mtproto/handshake/messages.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "mtproto/handshake/ids.h"
#include "tl/wire_reader.h"
#include "tl/wire_writer.h"

namespace mtjson::mtproto::handshake {
namespace {

using tl::WireReader;
using tl::WireWriter;

template <std::size_t N>
void read_fixed(WireReader& r, std::array<std::uint8_t, N>& out, const char* what) {
  auto s = r.read_raw(N, what);
  if (s.size() == N) std::copy(s.begin(), s.end(), out.begin());
}

Bytes read_string(WireReader& r) {
  auto s = r.read_bytes();
  return Bytes(s.begin(), s.end());
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Common end of every parser: sticky error, trailing bytes, consumed length.
template <typename T>
Result<T> finish(const char* name, WireReader& r, T value, std::size_t* consumed) {
  if (r.failed()) {
    return Result<T>::error(std::string(name) + ": truncated or malformed at offset " +
                            std::to_string(r.error_offset()) + " (reading " + r.error_what() + ")");
  }
  if (consumed) {
    *consumed = r.offset();
  } else if (!r.at_end()) {
    return Result<T>::error(std::string(name) + ": " + std::to_string(r.remaining()) + " trailing bytes");
  }
  return value;
}

template <typename T>
Result<T> bad_constructor(const char* name, std::uint32_t id) {
  return Result<T>::error(std::string(name) + ": unexpected constructor " + hex32(id));
}

}  // namespace

std::uint32_t peek_constructor(std::span<const std::uint8_t> body) {
  WireReader r(body);
  return r.read_u32();
}

Bytes serialize(const ReqPq& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(m.multi ? ids::req_pq_multi : ids::req_pq);
  w.write_raw(m.nonce);
  return out;
}

Result<ReqPq> parse_req_pq(std::span<const std::uint8_t> body) {
  WireReader r(body);
  ReqPq m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::req_pq && id != ids::req_pq_multi) return bad_constructor<ReqPq>("req_pq", id);
  m.multi = id == ids::req_pq_multi;
  read_fixed(r, m.nonce, "nonce");
  return finish("req_pq", r, m, nullptr);
}

Bytes serialize(const ResPq& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(ids::resPQ);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_bytes(m.pq);
  w.write_u32(ids::vector);
  w.write_u32(static_cast<std::uint32_t>(m.fingerprints.size()));
  for (std::uint64_t f : m.fingerprints) w.write_u64(f);
  return out;
}

Result<ResPq> parse_res_pq(std::span<const std::uint8_t> body) {
  WireReader r(body);
  ResPq m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::resPQ) return bad_constructor<ResPq>("resPQ", id);
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  m.pq = read_string(r);
  std::uint32_t vid = r.read_u32();
  if (!r.failed() && vid != ids::vector) return Result<ResPq>::error("resPQ: fingerprints are not a Vector (" + hex32(vid) + ")");
  std::uint32_t count = r.read_u32();
  // Bound the count by what is left before allocating.
  if (!r.failed() && count > r.remaining() / 8) return Result<ResPq>::error("resPQ: fingerprint count beyond the message");
  for (std::uint32_t i = 0; i < count && !r.failed(); ++i) m.fingerprints.push_back(r.read_u64());
  return finish("resPQ", r, std::move(m), nullptr);
}

Bytes serialize(const PqInnerData& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(m.has_dc ? (m.temp ? ids::p_q_inner_data_temp_dc : ids::p_q_inner_data_dc)
                       : (m.temp ? ids::p_q_inner_data_temp : ids::p_q_inner_data));
  w.write_bytes(m.pq);
  w.write_bytes(m.p);
  w.write_bytes(m.q);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_raw(m.new_nonce);
  if (m.has_dc) w.write_i32(m.dc);
  if (m.temp) w.write_i32(m.expires_in);
  return out;
}

Result<PqInnerData> parse_p_q_inner_data(std::span<const std::uint8_t> body, std::size_t* consumed) {
  WireReader r(body);
  PqInnerData m;
  std::uint32_t id = r.read_u32();
  if (r.failed()) return finish("p_q_inner_data", r, m, consumed);
  if (id == ids::p_q_inner_data) {
    m.has_dc = false, m.temp = false;
  } else if (id == ids::p_q_inner_data_dc) {
    m.has_dc = true, m.temp = false;
  } else if (id == ids::p_q_inner_data_temp) {
    m.has_dc = false, m.temp = true;
  } else if (id == ids::p_q_inner_data_temp_dc) {
    m.has_dc = true, m.temp = true;
  } else {
    return bad_constructor<PqInnerData>("p_q_inner_data", id);
  }
  m.pq = read_string(r);
  m.p = read_string(r);
  m.q = read_string(r);
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  read_fixed(r, m.new_nonce, "new_nonce");
  if (m.has_dc) m.dc = r.read_i32();
  if (m.temp) m.expires_in = r.read_i32();
  return finish("p_q_inner_data", r, std::move(m), consumed);
}

Bytes serialize(const ReqDhParams& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(ids::req_DH_params);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_bytes(m.p);
  w.write_bytes(m.q);
  w.write_u64(m.public_key_fingerprint);
  w.write_bytes(m.encrypted_data);
  return out;
}

Result<ReqDhParams> parse_req_dh_params(std::span<const std::uint8_t> body) {
  WireReader r(body);
  ReqDhParams m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::req_DH_params) return bad_constructor<ReqDhParams>("req_DH_params", id);
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  m.p = read_string(r);
  m.q = read_string(r);
  m.public_key_fingerprint = r.read_u64();
  m.encrypted_data = read_string(r);
  return finish("req_DH_params", r, std::move(m), nullptr);
}

Bytes serialize(const ServerDhParams& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(m.ok ? ids::server_DH_params_ok : ids::server_DH_params_fail);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  if (m.ok) {
    w.write_bytes(m.encrypted_answer);
  } else {
    w.write_raw(m.new_nonce_hash);
  }
  return out;
}

Result<ServerDhParams> parse_server_dh_params(std::span<const std::uint8_t> body) {
  WireReader r(body);
  ServerDhParams m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::server_DH_params_ok && id != ids::server_DH_params_fail) {
    return bad_constructor<ServerDhParams>("Server_DH_Params", id);
  }
  m.ok = id == ids::server_DH_params_ok;
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  if (m.ok) {
    m.encrypted_answer = read_string(r);
  } else {
    read_fixed(r, m.new_nonce_hash, "new_nonce_hash");
  }
  return finish("Server_DH_Params", r, std::move(m), nullptr);
}

Bytes serialize(const ServerDhInnerData& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(ids::server_DH_inner_data);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_i32(m.g);
  w.write_bytes(m.dh_prime);
  w.write_bytes(m.g_a);
  w.write_i32(m.server_time);
  return out;
}

Result<ServerDhInnerData> parse_server_dh_inner_data(std::span<const std::uint8_t> body, std::size_t* consumed) {
  WireReader r(body);
  ServerDhInnerData m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::server_DH_inner_data) return bad_constructor<ServerDhInnerData>("server_DH_inner_data", id);
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  m.g = r.read_i32();
  m.dh_prime = read_string(r);
  m.g_a = read_string(r);
  m.server_time = r.read_i32();
  return finish("server_DH_inner_data", r, std::move(m), consumed);
}

Bytes serialize(const SetClientDhParams& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(ids::set_client_DH_params);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_bytes(m.encrypted_data);
  return out;
}

Result<SetClientDhParams> parse_set_client_dh_params(std::span<const std::uint8_t> body) {
  WireReader r(body);
  SetClientDhParams m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::set_client_DH_params) return bad_constructor<SetClientDhParams>("set_client_DH_params", id);
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  m.encrypted_data = read_string(r);
  return finish("set_client_DH_params", r, std::move(m), nullptr);
}

Bytes serialize(const ClientDhInnerData& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(ids::client_DH_inner_data);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_u64(m.retry_id);
  w.write_bytes(m.g_b);
  return out;
}

Result<ClientDhInnerData> parse_client_dh_inner_data(std::span<const std::uint8_t> body, std::size_t* consumed) {
  WireReader r(body);
  ClientDhInnerData m;
  std::uint32_t id = r.read_u32();
  if (!r.failed() && id != ids::client_DH_inner_data) return bad_constructor<ClientDhInnerData>("client_DH_inner_data", id);
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  m.retry_id = r.read_u64();
  m.g_b = read_string(r);
  return finish("client_DH_inner_data", r, std::move(m), consumed);
}

Bytes serialize(const DhGenAnswer& m) {
  Bytes out;
  WireWriter w(out);
  w.write_u32(m.kind == DhGenAnswer::Kind::ok      ? ids::dh_gen_ok
              : m.kind == DhGenAnswer::Kind::retry ? ids::dh_gen_retry
                                                   : ids::dh_gen_fail);
  w.write_raw(m.nonce);
  w.write_raw(m.server_nonce);
  w.write_raw(m.new_nonce_hash);
  return out;
}

Result<DhGenAnswer> parse_dh_gen_answer(std::span<const std::uint8_t> body) {
  WireReader r(body);
  DhGenAnswer m;
  std::uint32_t id = r.read_u32();
  if (!r.failed()) {
    if (id == ids::dh_gen_ok) {
      m.kind = DhGenAnswer::Kind::ok;
    } else if (id == ids::dh_gen_retry) {
      m.kind = DhGenAnswer::Kind::retry;
    } else if (id == ids::dh_gen_fail) {
      m.kind = DhGenAnswer::Kind::fail;
    } else {
      return bad_constructor<DhGenAnswer>("Set_client_DH_params_answer", id);
    }
  }
  read_fixed(r, m.nonce, "nonce");
  read_fixed(r, m.server_nonce, "server_nonce");
  read_fixed(r, m.new_nonce_hash, "new_nonce_hash");
  return finish("Set_client_DH_params_answer", r, std::move(m), nullptr);
}

}  // namespace mtjson::mtproto::handshake
