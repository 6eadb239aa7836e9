// World: options, accounts, the call() pipeline (forced errors, method table, authorization,
// USER_MIGRATE), live sessions and fault hooks.
#include "testdc/world/world.h"

#include <cctype>
#include <chrono>

#include "crypto/random.h"
#include "testdc/world/args.h"
#include "testdc/world/handlers.h"
#include "testdc/world/state.h"

namespace mtjson::testdc {

using nlohmann::json;

// ---- Impl helpers ----

std::int64_t World::Impl::now() const {
  std::int64_t base = options.clock
                          ? options.clock()
                          : std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  return base + clock_offset;
}

crypto::RandomSource& World::Impl::random() const {
  return options.random ? *options.random : crypto::default_random();
}

void World::Impl::log(const std::string& line) const {
  if (options.log) options.log(line);
}

std::vector<std::uint8_t> World::Impl::random_bytes(std::size_t n) {
  std::vector<std::uint8_t> out(n);
  random().fill(out);
  return out;
}

std::int64_t World::Impl::random_long() {
  return static_cast<std::int64_t>(crypto::random_u64(random()));
}

Account* World::Impl::find_user(std::int64_t id) {
  auto it = accounts.find(id);
  return it == accounts.end() ? nullptr : &it->second;
}

Account* World::Impl::find_by_phone(const std::string& phone) {
  for (auto& [id, a] : accounts)
    if (!a.phone.empty() && a.phone == phone) return &a;
  return nullptr;
}

namespace {
std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
}  // namespace

Account* World::Impl::find_by_username(const std::string& username) {
  std::string want = lower(username);
  if (want.empty()) return nullptr;
  for (auto& [id, a] : accounts)
    if (lower(a.username) == want) return &a;
  return nullptr;
}

Channel* World::Impl::find_channel(std::int64_t id) {
  auto it = channels.find(id);
  return it == channels.end() ? nullptr : &it->second;
}

Channel* World::Impl::find_channel_by_username(const std::string& username) {
  std::string want = lower(username);
  if (want.empty()) return nullptr;
  for (auto& [id, ch] : channels)
    if (lower(ch.username) == want) return &ch;
  return nullptr;
}

Account& World::Impl::create_account(const SeedAccount& seed, int dc_id) {
  while (accounts.count(next_user_id)) ++next_user_id;
  Account a;
  a.id = next_user_id++;
  a.access_hash = random_long();
  a.phone = seed.phone;
  a.first_name = seed.first_name;
  a.last_name = seed.last_name;
  a.username = seed.username;
  a.dc_id = dc_id;
  a.new_salt1 = random_bytes(8);
  Account& stored = accounts.emplace(a.id, std::move(a)).first->second;
  if (!seed.password.empty()) set_password(stored, seed.password, "");
  return stored;
}

// What a client does in "Two-factor authentication", "Setting a new 2FA password", done on the server side.
void World::Impl::set_password(Account& account, const std::string& password, const std::string& hint) {
  const auto& p = crypto::known_dh_prime();
  crypto::SrpAlgo algo{account.new_salt1, random_bytes(16), 3, {p.begin(), p.end()}};
  auto more = random_bytes(32);
  algo.salt1.insert(algo.salt1.end(), more.begin(), more.end());
  auto v = crypto::srp_verifier(algo, password);
  if (!v) {
    log("seed: cannot set the 2FA password of user " + std::to_string(account.id) + ": " + v.message());
    return;
  }
  account.password = Password{std::move(algo), {v->begin(), v->end()}, hint};
}

void World::Impl::add_builtin_accounts() {
  if (!accounts.count(kEchoUserId)) {
    Account echo;
    echo.id = kEchoUserId;
    echo.access_hash = random_long();
    echo.first_name = "Echo";
    echo.username = "echo";
    echo.dc_id = 1;
    echo.bot = true;
    echo.new_salt1 = random_bytes(8);
    accounts.emplace(echo.id, std::move(echo));
  }
  for (const SeedAccount& seed : options.accounts) {
    std::string phone;
    for (char ch : seed.phone)
      if (ch >= '0' && ch <= '9') phone += ch;
    if (phone.size() != 10 || phone.compare(0, 5, "99966") != 0) {
      log("seed: skipped " + seed.phone + " (not a 99966XYYYY test number)");
      continue;
    }
    int dc = phone[5] - '0';
    if (dc < 1 || dc > options.dc_count || find_by_phone(phone)) continue;
    SeedAccount s = seed;
    s.phone = phone;
    if (s.first_name.empty()) s.first_name = "User " + phone.substr(6);
    Account& a = create_account(s, dc);
    log("seed: user " + std::to_string(a.id) + " +" + phone + " on DC " + std::to_string(dc) +
        (a.password ? " with a 2FA password" : ""));
  }
}

// ---- World ----

World::World(WorldOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.dc_count < 1) impl_->options.dc_count = 1;
  if (impl_->options.dc_count > 9) impl_->options.dc_count = 9;  // one digit in 99966X
  impl_->add_builtin_accounts();
}

World::~World() = default;
World::World(World&&) noexcept = default;
World& World::operator=(World&&) noexcept = default;

CallResult World::call(const Caller& caller, const json& method) {
  CallResult out;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& w = *impl_;
    w.pushes.clear();
    out = [&]() -> CallResult {
      if (!method.is_object() || !method.contains("_cons") || !method.at("_cons").is_string())
        return CallResult::error(400, "INPUT_METHOD_INVALID");
      const std::string name = method.at("_cons").get<std::string>();
      if (auto f = w.forced.find(name); f != w.forced.end()) {
        CallResult e = CallResult::error(f->second.code, f->second.message);
        if (f->second.remaining > 0 && --f->second.remaining == 0) w.forced.erase(f);
        return e;
      }
      const MethodInfo* info = find_method(name);
      if (!info) return CallResult::error(400, "METHOD_INVALID");
      if (caller.dc_id < 1 || caller.dc_id > w.options.dc_count) return CallResult::error(500, "DC_ID_INVALID");

      Ctx ctx{w, caller, method, nullptr};
      auto a = w.authorizations.find(caller.auth_key_id);
      if (a != w.authorizations.end() && a->second.dc_id == caller.dc_id) ctx.self = w.find_user(a->second.user_id);
      if (info->needs_user) {
        if (!ctx.self) return CallResult::error(401, "AUTH_KEY_UNREGISTERED");
        // "Working with Different Data Centers", "User Migration".
        if (!info->any_dc && ctx.self->dc_id != caller.dc_id)
          return CallResult::error(303, "USER_MIGRATE_" + std::to_string(ctx.self->dc_id));
      }
      try {
        return CallResult::success(info->fn(ctx));
      } catch (const RpcError& e) {
        return CallResult::error(e.code, e.message);
      } catch (const json::exception&) {
        return CallResult::error(400, "INPUT_REQUEST_INVALID");
      } catch (const std::exception&) {
        return CallResult::error(500, "INTERNAL");
      }
    }();
    out.pushes = std::move(w.pushes);
    w.pushes.clear();
  }
  if (on_update) {
    for (const Push& p : out.pushes) on_update(p.auth_key_id, p.session_id, p.updates);
    out.pushes.clear();
  }
  return out;
}

void World::session_opened(const Caller& caller) {
  std::lock_guard lock(impl_->mutex);
  impl_->sessions[caller.auth_key_id].insert(caller.session_id);
}

void World::session_closed(std::uint64_t auth_key_id, std::int64_t session_id) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->sessions.find(auth_key_id);
  if (it == impl_->sessions.end()) return;
  it->second.erase(session_id);
  if (it->second.empty()) impl_->sessions.erase(it);
}

void World::put_auth_key(const AuthKeyRecord& record) {
  std::lock_guard lock(impl_->mutex);
  impl_->auth_keys[record.auth_key_id] = record;
}

std::optional<AuthKeyRecord> World::find_auth_key(std::uint64_t auth_key_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->auth_keys.find(auth_key_id);
  if (it == impl_->auth_keys.end()) return std::nullopt;
  return it->second;
}

void World::remove_auth_key(std::uint64_t auth_key_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->auth_keys.erase(auth_key_id);
}

std::vector<std::uint64_t> World::auth_key_ids() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::uint64_t> ids;
  ids.reserve(impl_->auth_keys.size());
  for (const auto& [id, record] : impl_->auth_keys) ids.push_back(id);
  return ids;
}

void World::force_error(const std::string& method, int error_code, const std::string& error_message, int count) {
  std::lock_guard lock(impl_->mutex);
  if (count == 0) {
    impl_->forced.erase(method);
    return;
  }
  impl_->forced[method] = ForcedError{error_code, error_message, count < 0 ? -1 : count};
}

void World::clear_forced_errors() {
  std::lock_guard lock(impl_->mutex);
  impl_->forced.clear();
}

bool World::destroy_authorization(std::uint64_t auth_key_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->password_pending.erase(auth_key_id);
  return impl_->authorizations.erase(auth_key_id) > 0;
}

void World::set_clock_offset(std::int64_t seconds) {
  std::lock_guard lock(impl_->mutex);
  impl_->clock_offset = seconds;
}

std::int64_t World::now() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->now();
}

bool World::move_user(std::int64_t user_id, int dc_id) {
  std::lock_guard lock(impl_->mutex);
  Account* u = impl_->find_user(user_id);
  if (!u || dc_id < 1 || dc_id > impl_->options.dc_count) return false;
  u->dc_id = dc_id;
  return true;
}

std::optional<std::int64_t> World::user_of(std::uint64_t auth_key_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->authorizations.find(auth_key_id);
  if (it == impl_->authorizations.end()) return std::nullopt;
  return it->second.user_id;
}

std::optional<std::int64_t> World::user_by_phone(const std::string& phone) const {
  std::lock_guard lock(impl_->mutex);
  std::string digits;
  for (char ch : phone)
    if (ch >= '0' && ch <= '9') digits += ch;
  if (Account* a = impl_->find_by_phone(digits)) return a->id;
  return std::nullopt;
}

}  // namespace mtjson::testdc
