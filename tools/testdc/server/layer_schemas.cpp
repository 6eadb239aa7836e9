#include "testdc/server/layer_schemas.h"

#include <algorithm>
#include <cstdlib>

#include "tl/schema_loader.h"

namespace mtjson::testdc::server {

Status LayerSchemas::add(std::shared_ptr<const tl::Schema> schema, std::string source) {
  if (schema->layer() <= 0) return Status::error(source + ": no '// LAYER N' line, cannot tell its layer");
  for (const auto& l : layers_)
    if (l->layer == schema->layer())
      return Status::error(source + ": layer " + std::to_string(schema->layer()) + " is already loaded from " +
                               l->source);
  auto entry = std::make_unique<LayerSchema>();
  entry->layer = schema->layer();
  entry->source = std::move(source);
  entry->schema = schema;
  entry->decoder = std::make_unique<tl::TlToJson>(schema);
  tl::EncodeOptions enc;
  enc.lenient = true;
  entry->encoder = std::make_unique<tl::JsonToTl>(schema, enc);
  layers_.push_back(std::move(entry));
  std::sort(layers_.begin(), layers_.end(), [](const auto& a, const auto& b) { return a->layer < b->layer; });
  return {};
}

Status LayerSchemas::load(const std::vector<std::string>& api_files, const std::string& mtproto_file,
                              LayerSchemas& out) {
  LayerSchemas result;
  if (api_files.empty()) return Status::error("no API schema given");
  for (const std::string& file : api_files) {
    std::shared_ptr<const tl::Schema> schema;
    if (auto s = tl::load_schema_files({file, mtproto_file}, schema); !s) return s;
    if (auto s = result.add(std::move(schema), file); !s) return s;
  }
  out = std::move(result);
  return {};
}

Status LayerSchemas::from_schemas(std::vector<std::shared_ptr<const tl::Schema>> schemas, LayerSchemas& out) {
  LayerSchemas result;
  if (schemas.empty()) return Status::error("no API schema given");
  for (auto& s : schemas) {
    std::string name = "layer " + std::to_string(s->layer());
    if (auto st = result.add(std::move(s), name); !st) return st;
  }
  out = std::move(result);
  return {};
}

LayerSchema& LayerSchemas::closest(int layer) {
  LayerSchema* best = layers_.back().get();
  int best_distance = std::abs(best->layer - layer);
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    const int d = std::abs((*it)->layer - layer);
    if (d < best_distance) {  // strict: on a tie the newer one (seen first) stays
      best = it->get();
      best_distance = d;
    }
  }
  return *best;
}

}  // namespace mtjson::testdc::server
