// The world's data model (internal). Everything here is plain data; handlers in the other files
// read and change it under World::Impl::mutex.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/srp.h"
#include "testdc/world/world.h"

namespace mtjson::testdc {

// An rpc_error raised by a handler; caught in World::call(), never crosses the API.
struct RpcError {
  int code;
  std::string message;
};

// One copy of a private message in one user's box: in private chats each side has its own id
// (and its own pts sequence), so a message exists as two copies that point at each other.
struct Message {
  std::int32_t id = 0;
  std::int64_t peer_user_id = 0;      // the chat partner (self for Saved Messages)
  std::int64_t from_user_id = 0;
  bool out = false;
  std::int32_t date = 0;
  std::string text;
  nlohmann::json entities;            // Vector<MessageEntity> as given, or null
  std::int32_t edit_date = 0;
  std::int64_t random_id = 0;         // sender's copy only (dedup of messages.sendMessage)
  std::int32_t counterpart_id = 0;    // id of the other side's copy (0: none, e.g. Saved Messages)
  std::int32_t pts = 0;               // the box's pts after this message arrived
};

// A pts event ("Working with Updates", "Message-related event sequences"), kept for updates.getDifference.
struct Event {
  std::int32_t pts = 0;
  std::int32_t pts_count = 0;
  std::int32_t date = 0;
  nlohmann::json update;              // updateNewMessage / updateEditMessage / updateDeleteMessages / ...
};

// A qts event ("Working with Updates", "Secret chats & bots": the secondary sequence, never grouped): one
// updateNewEncryptedMessage of the user, kept for updates.getDifference's new_encrypted_messages.
struct QtsEvent {
  std::int32_t qts = 0;
  std::int32_t date = 0;
  nlohmann::json message;             // encryptedMessage / encryptedMessageService
};

struct DialogState {
  std::int32_t read_inbox_max_id = 0;
  std::int32_t read_outbox_max_id = 0;
};

// The common message box of one user: its messages, pts and seq.
struct Box {
  std::map<std::int32_t, Message> messages;
  std::int32_t next_id = 1;
  std::int32_t pts = 0;
  std::int32_t seq = 0;
  std::vector<Event> events;
  std::int32_t qts = 0;               // the secondary event sequence
  std::vector<QtsEvent> qts_events;
  std::map<std::int64_t, DialogState> dialogs;  // by peer user id
  std::map<std::int64_t, std::int32_t> by_random_id;  // random_id -> own message id (rebuilt on load)
};

// A channel or supergroup ("Working with Updates": "Each channel and supergroup has its message box and
// its event sequence"): one copy of each message, one pts sequence shared by all members.
struct ChannelMessage {
  std::int32_t id = 0;
  std::int64_t from_user_id = 0;
  std::int32_t date = 0;
  std::string text;                   // empty for the service message
  nlohmann::json entities;            // Vector<MessageEntity> as given, or null
  std::int64_t random_id = 0;         // the sender's, for dedup of messages.sendMessage
  std::int32_t pts = 0;               // the channel's pts after this message arrived
  std::int32_t edit_date = 0;
  nlohmann::json action;              // MessageAction of a messageService, else null
};

struct ChannelMember {
  std::int64_t inviter_id = 0;        // the user itself when it joined by username
  std::int32_t date = 0;              // when it joined
};

struct Channel {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::string title;
  std::string about;
  std::string username;               // empty: private (joinable by no one but the creator)
  bool broadcast = false;             // else megagroup
  std::int64_t creator_id = 0;
  std::int32_t date = 0;
  std::map<std::int64_t, ChannelMember> members;  // by user id; the creator while it stays
  std::map<std::int32_t, ChannelMessage> messages;
  std::int32_t next_id = 1;
  std::int32_t pts = 0;
  std::vector<Event> events;          // updateNewChannelMessage, message JSON as the world sees it
  std::map<std::pair<std::int64_t, std::int64_t>, std::int32_t> by_random_id;  // (from, random_id) -> id

  bool is_member(std::int64_t user_id) const { return members.count(user_id) > 0; }
};

// A secret chat between its creator (admin) and participant. The server relays its payloads as
// opaque bytes: it sees g_a / g_b and the key fingerprint, never the key or the plaintext.
struct SecretChat {
  enum class State { waiting, accepted, discarded };
  std::int32_t id = 0;
  std::int64_t access_hash = 0;
  std::int32_t date = 0;
  std::int64_t admin_id = 0;
  std::int64_t participant_id = 0;
  std::vector<std::uint8_t> g_a;
  std::vector<std::uint8_t> g_b;      // empty until accepted
  std::int64_t key_fingerprint = 0;
  State state = State::waiting;
  bool history_deleted = false;       // discarded with delete_history
  std::map<std::pair<std::int64_t, std::int64_t>, std::int32_t> sent;  // (sender, random_id) -> date

  bool is_party(std::int64_t user_id) const { return user_id == admin_id || user_id == participant_id; }
  std::int64_t other(std::int64_t user_id) const { return user_id == admin_id ? participant_id : admin_id; }
};

struct Password {
  crypto::SrpAlgo algo;               // salt1, salt2, g, p of current_algo
  std::vector<std::uint8_t> v;        // g^x mod p, 256 bytes
  std::string hint;
};

struct Account {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::string phone;                  // digits only; empty for bots
  std::string first_name;
  std::string last_name;
  std::string username;
  int dc_id = 1;                      // home DC
  bool bot = false;
  std::string bot_secret;             // part of the bot token after "ID:"
  std::vector<std::uint8_t> new_salt1;  // prefix offered in account.password.new_algo
  std::optional<Password> password;
  Box box;
};

struct Authorization {
  std::int64_t user_id = 0;
  int dc_id = 0;
  std::int32_t date = 0;
};

struct PendingCode {
  std::string phone;
  std::string code;
  std::int64_t expires = 0;
  bool verified = false;              // auth.signIn accepted the code; auth.signUp may follow
};

struct SrpSession {
  std::int64_t user_id = 0;
  crypto::SrpServerChallenge challenge;
  std::int64_t expires = 0;
};

struct ExportedAuth {
  std::int64_t user_id = 0;
  int dc_id = 0;
  std::int64_t expires = 0;
};

struct ForcedError {
  int code = 0;
  std::string message;
  int remaining = 0;                  // < 0: forever
};

struct World::Impl {
  WorldOptions options;
  mutable std::mutex mutex;
  std::int64_t clock_offset = 0;

  // Persisted.
  std::map<std::int64_t, Account> accounts;
  std::int64_t next_user_id = 1000001;
  std::map<std::uint64_t, Authorization> authorizations;  // by auth_key_id
  std::map<std::uint64_t, AuthKeyRecord> auth_keys;
  std::map<std::int64_t, Channel> channels;
  std::int64_t next_channel_id = 1700000001;
  std::map<std::int32_t, SecretChat> secret_chats;
  std::int32_t next_secret_chat_id = 1;

  // Volatile.
  std::map<std::string, PendingCode> codes;               // by phone_code_hash
  std::map<std::uint64_t, std::int64_t> password_pending; // auth_key_id -> user (SESSION_PASSWORD_NEEDED)
  std::map<std::int64_t, SrpSession> srp_sessions;        // by srp_id
  std::map<std::string, ExportedAuth> exported;           // by the bytes of auth.exportedAuthorization
  std::map<std::string, ForcedError> forced;              // by method name
  std::map<std::uint64_t, std::set<std::int64_t>> sessions;  // auth_key_id -> live session ids

  // Produced by the current call, handed out after the lock is released.
  std::vector<Push> pushes;

  std::int64_t now() const;
  std::int32_t now32() const { return static_cast<std::int32_t>(now()); }
  crypto::RandomSource& random() const;
  void log(const std::string& line) const;
  std::int64_t random_long();
  std::vector<std::uint8_t> random_bytes(std::size_t n);

  Account* find_user(std::int64_t id);
  Account* find_by_phone(const std::string& phone);
  Account* find_by_username(const std::string& username);
  Channel* find_channel(std::int64_t id);
  Channel* find_channel_by_username(const std::string& username);
  Account& create_account(const SeedAccount& seed, int dc_id);
  void set_password(Account& account, const std::string& password, const std::string& hint);
  void add_builtin_accounts();
};

}  // namespace mtjson::testdc
