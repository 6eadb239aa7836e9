// Constructor ids of the unencrypted key-exchange messages (tl/mtproto.tl; "Creating an Authorization Key").
// A test checks each against the schema loaded from tl/mtproto.tl.
#pragma once

#include <cstdint>

namespace mtjson::mtproto::handshake::ids {

inline constexpr std::uint32_t req_pq = 0x60469778;
inline constexpr std::uint32_t req_pq_multi = 0xbe7e8ef1;
inline constexpr std::uint32_t resPQ = 0x05162463;
inline constexpr std::uint32_t p_q_inner_data = 0x83c95aec;
inline constexpr std::uint32_t p_q_inner_data_dc = 0xa9f55f95;
inline constexpr std::uint32_t p_q_inner_data_temp = 0x3c6a84d4;
inline constexpr std::uint32_t p_q_inner_data_temp_dc = 0x56fddf88;
inline constexpr std::uint32_t req_DH_params = 0xd712e4be;
inline constexpr std::uint32_t server_DH_params_fail = 0x79cb045d;
inline constexpr std::uint32_t server_DH_params_ok = 0xd0e8075c;
inline constexpr std::uint32_t server_DH_inner_data = 0xb5890dba;
inline constexpr std::uint32_t set_client_DH_params = 0xf5045f1f;
inline constexpr std::uint32_t client_DH_inner_data = 0x6643b654;
inline constexpr std::uint32_t dh_gen_ok = 0x3bcbf734;
inline constexpr std::uint32_t dh_gen_retry = 0x46dc1fb9;
inline constexpr std::uint32_t dh_gen_fail = 0xa69dae02;
inline constexpr std::uint32_t vector = 0x1cb5c415;

struct Named {
  const char* name;  // as in tl/mtproto.tl
  std::uint32_t id;
};
inline constexpr Named all[] = {
    {"req_pq", req_pq},
    {"req_pq_multi", req_pq_multi},
    {"resPQ", resPQ},
    {"p_q_inner_data", p_q_inner_data},
    {"p_q_inner_data_dc", p_q_inner_data_dc},
    {"p_q_inner_data_temp", p_q_inner_data_temp},
    {"p_q_inner_data_temp_dc", p_q_inner_data_temp_dc},
    {"req_DH_params", req_DH_params},
    {"server_DH_params_fail", server_DH_params_fail},
    {"server_DH_params_ok", server_DH_params_ok},
    {"server_DH_inner_data", server_DH_inner_data},
    {"set_client_DH_params", set_client_DH_params},
    {"client_DH_inner_data", client_DH_inner_data},
    {"dh_gen_ok", dh_gen_ok},
    {"dh_gen_retry", dh_gen_retry},
    {"dh_gen_fail", dh_gen_fail},
    {"vector", vector},
};

}  // namespace mtjson::mtproto::handshake::ids
