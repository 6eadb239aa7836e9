// Name -> combinator index for the lookups done per JSON object ("_cons"):
// open addressing over a power-of-two table that keeps part of each name's
// hash beside its index, so a lookup costs one cheap hash of the name and,
// almost always, one string compare. Built once when the schema is loaded.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace mtjson::tl {

// Word-at-a-time mix of the name's bytes; names are short ASCII identifiers,
// so this needs to spread well, not to resist chosen collisions (a flood of
// colliding names can only come from the schema files, not from clients).
inline std::uint64_t name_hash(std::string_view s) {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (n) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n; ++i) w |= std::uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

class NameTable {
 public:
  // name_of(e) gives the name of entry e (a view that must outlive the table);
  // entries are the values find() returns.
  template <typename NameOf>
  void build(const std::vector<std::uint32_t>& entries, NameOf name_of) {
    std::size_t cap = 16;
    while (cap < entries.size() * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (std::uint32_t e : entries) {
      std::uint64_t h = name_hash(name_of(e));
      std::size_t i = h & mask_;
      while (slots_[i].value_plus_one) i = (i + 1) & mask_;
      slots_[i] = Slot{name_of(e), static_cast<std::uint32_t>(h >> 32), e + 1};
    }
  }

  // The entry whose name equals name, or -1.
  std::int64_t find(std::string_view name) const {
    if (slots_.empty()) return -1;
    std::uint64_t h = name_hash(name);
    auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.value_plus_one) return -1;
      if (s.tag == tag && s.name == name) return s.value_plus_one - 1;
    }
  }

 private:
  // The name is kept in the slot (a view of the schema's own string) so that
  // a lookup touches one cache line of the table and none of the Combinator.
  struct Slot {
    std::string_view name;
    std::uint32_t tag = 0;
    std::uint32_t value_plus_one = 0;  // 0: empty
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

}  // namespace mtjson::tl
