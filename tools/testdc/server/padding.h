// The test DC trims padded-intermediate tails with the core's envelope rule.
#pragma once

#include "mtproto/transport_padding.h"

namespace mtjson::testdc::server {
using mtproto::strip_transport_padding;
}  // namespace mtjson::testdc::server
