// The API layers the test DC speaks: scheme.tl (the newest, the world's own object model) plus
// older layers (tl/api-144.tl, tl/api-198.tl), each loaded beside tl/mtproto.tl. A session
// answers in the loaded layer closest to the one it declared with invokeWithLayer
// ("Calling API Methods", "Layers"); before any declaration the newest is used.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tl/json_to_tl.h"
#include "tl/schema.h"
#include "base/status.h"
#include "tl/tl_to_json.h"

namespace mtjson::testdc::server {

struct LayerSchema {
  int layer = 0;
  std::string source;  // the API file it came from (for the log)
  std::shared_ptr<const tl::Schema> schema;
  std::unique_ptr<tl::TlToJson> decoder;  // longs as JSON integers (what World expects)
  std::unique_ptr<tl::JsonToTl> encoder;  // lenient: drops newer fields, fills missing ones
};

class LayerSchemas {
 public:
  // `api_files`: first the main API schema (scheme.tl), then the extra layers; every file is
  // loaded together with `mtproto_file`. A file without a "// LAYER N" line is an error, as is
  // a layer loaded twice.
  static Status load(const std::vector<std::string>& api_files, const std::string& mtproto_file,
                         LayerSchemas& out);
  // Already-built schemas (tests).
  static Status from_schemas(std::vector<std::shared_ptr<const tl::Schema>> schemas, LayerSchemas& out);

  // The loaded layer closest to `layer` (ties: the newer one).
  LayerSchema& closest(int layer);
  LayerSchema& newest() { return *layers_.back(); }
  // Ordered oldest first.
  const std::vector<std::unique_ptr<LayerSchema>>& all() const { return layers_; }

 private:
  Status add(std::shared_ptr<const tl::Schema> schema, std::string source);
  std::vector<std::unique_ptr<LayerSchema>> layers_;
};

}  // namespace mtjson::testdc::server
