// The server's RSA key ("Creating an Authorization Key", step 2: the client encrypts p_q_inner_data with its
// public half). Either given (--rsa-key FILE), or generated on first start and kept in the data
// directory: server_rsa.pem (private, mode 0600) and server_rsa.pub.pem (what clients pass as
// their server key).
#pragma once

#include <string>

#include "base/status.h"
#include "crypto/rsa.h"

namespace mtjson::testdc::server {

inline constexpr const char* kPrivateKeyFile = "server_rsa.pem";
inline constexpr const char* kPublicKeyFile = "server_rsa.pub.pem";

struct LoadedRsaKey {
  crypto::RsaPrivateKey key;
  std::string origin;      // "FILE" or "generated DIR/server_rsa.pem" (for the log)
  bool generated = false;
};

// rsa_key_file non-empty: read that PEM. Else key_dir/server_rsa.pem, generated when missing.
Result<LoadedRsaKey> load_or_create_rsa_key(const std::string& rsa_key_file, const std::string& key_dir);

}  // namespace mtjson::testdc::server
