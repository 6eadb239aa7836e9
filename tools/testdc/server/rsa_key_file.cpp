#include "testdc/server/rsa_key_file.h"

#include "testdc/server/file_util.h"

namespace mtjson::testdc::server {

Result<LoadedRsaKey> load_or_create_rsa_key(const std::string& rsa_key_file, const std::string& key_dir) {
  const bool given = !rsa_key_file.empty();
  const std::string path = given ? rsa_key_file : key_dir + "/" + kPrivateKeyFile;
  if (given || file_exists(path)) {
    auto pem = read_file(path);
    if (!pem) return pem.status();
    auto key = crypto::RsaPrivateKey::from_pem(*pem);
    if (!key) return Status::error(path + ": " + key.message());
    return LoadedRsaKey{std::move(*key), path, false};
  }
  auto key = crypto::RsaPrivateKey::generate(2048);
  if (!key) return key.status();
  auto priv_pem = key->to_pem();
  if (!priv_pem) return priv_pem.status();
  auto pub_pem = key->public_key().to_pem();
  if (!pub_pem) return pub_pem.status();
  if (auto s = make_dirs(key_dir); !s) return s;
  // Public half first: a crash in between leaves no private key without its public one.
  if (auto s = write_file_atomic(key_dir + "/" + kPublicKeyFile, *pub_pem, 0644); !s) return s;
  if (auto s = write_file_atomic(path, *priv_pem, 0600); !s) return s;
  return LoadedRsaKey{std::move(*key), "generated " + path, true};
}

}  // namespace mtjson::testdc::server
