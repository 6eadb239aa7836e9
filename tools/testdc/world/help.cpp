// help.getConfig / help.getNearestDc ("Working with Different Data Centers"): DCs 1..N on 127.0.0.1.
#include "testdc/world/handlers.h"

namespace mtjson::testdc {

using nlohmann::json;

json help_get_config(Ctx& c) {
  const WorldOptions& o = c.w.options;
  json dcs = json::array();
  for (int dc = 1; dc <= o.dc_count; ++dc) {
    const auto i = static_cast<std::size_t>(dc - 1);
    const int port = i < o.ports.size() ? o.ports[i] : o.base_port + dc - 1;
    dcs.push_back({{"_cons", "dcOption"}, {"id", dc}, {"ip_address", o.ip_address}, {"port", port}});
  }
  std::int32_t now = c.w.now32();
  // The limits are Telegram's published defaults; nothing in the world enforces most of them.
  return {{"_cons", "config"},
          {"date", now},
          {"expires", now + 3600},
          {"test_mode", true},
          {"this_dc", c.caller.dc_id},
          {"dc_options", dcs},
          {"dc_txt_domain_name", ""},
          {"chat_size_max", 200},
          {"megagroup_size_max", 200000},
          {"forwarded_count_max", 100},
          {"online_update_period_ms", 210000},
          {"offline_blur_timeout_ms", 5000},
          {"offline_idle_timeout_ms", 30000},
          {"online_cloud_timeout_ms", 300000},
          {"notify_cloud_delay_ms", 30000},
          {"notify_default_delay_ms", 1500},
          {"push_chat_period_ms", 60000},
          {"push_chat_limit", 2},
          {"edit_time_limit", 172800},
          {"revoke_time_limit", 2147483647},
          {"revoke_pm_time_limit", 2147483647},
          {"rating_e_decay", 2419200},
          {"stickers_recent_limit", 200},
          {"channels_read_media_period", 604800},
          {"call_receive_timeout_ms", 20000},
          {"call_ring_timeout_ms", 90000},
          {"call_connect_timeout_ms", 30000},
          {"call_packet_timeout_ms", 10000},
          {"me_url_prefix", "https://t.me/"},
          {"caption_length_max", 1024},
          {"message_length_max", 4096},
          {"webfile_dc_id", 1}};
}

json help_get_nearest_dc(Ctx& c) {
  return {{"_cons", "nearestDc"}, {"country", "US"}, {"this_dc", c.caller.dc_id}, {"nearest_dc", c.caller.dc_id}};
}

}  // namespace mtjson::testdc
