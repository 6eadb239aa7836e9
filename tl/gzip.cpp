#include "tl/gzip.h"

#include <zlib.h>

namespace mtjson::tl {

Result<std::vector<std::uint8_t>> gzip_inflate(std::span<const std::uint8_t> in, std::size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Status::error("gzip: cannot initialise zlib");
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::vector<std::uint8_t> result;
  result.resize(std::min<std::size_t>(std::max<std::size_t>(in.size() * 4, 256), max_output + 1));
  int rc = Z_OK;
  while (true) {
    if (zs.total_out == result.size()) {
      if (result.size() > max_output) break;
      result.resize(std::min(result.size() * 2, max_output + 1));
    }
    zs.next_out = result.data() + zs.total_out;
    zs.avail_out = static_cast<uInt>(result.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  std::size_t produced = zs.total_out;
  inflateEnd(&zs);
  if (produced > max_output)
    return Status::error("gzip: inflated size exceeds the limit of " + std::to_string(max_output) + " bytes");
  if (rc != Z_STREAM_END)
    return Status::error(rc == Z_DATA_ERROR ? "gzip: corrupt compressed data" : "gzip: truncated compressed data");
  result.resize(produced);
  return result;
}

std::vector<std::uint8_t> gzip_deflate(std::span<const std::uint8_t> in, int level) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace mtjson::tl
