// A growable FIFO of received bytes: append at the back, consume from the front.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mtjson::transport {

class ByteQueue {
 public:
  static constexpr std::size_t kKeepCapacity = 4096;

  void append(std::span<const std::uint8_t> bytes) {
    // Compact lazily so that consuming is O(1) and appending amortised O(n).
    if (head_ > 0 && head_ * 2 >= data_.size()) {
      data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    data_.insert(data_.end(), bytes.begin(), bytes.end());
  }
  std::size_t size() const { return data_.size() - head_; }
  bool empty() const { return size() == 0; }
  std::span<const std::uint8_t> view() const { return {data_.data() + head_, size()}; }
  std::span<std::uint8_t> mutable_view() { return {data_.data() + head_, size()}; }
  void consume(std::size_t n) {
    head_ += n;
    if (head_ == data_.size()) {
      // Drained: a big frame's buffer is given back, so an idle connection holds little.
      if (data_.capacity() > kKeepCapacity) std::vector<std::uint8_t>().swap(data_);
      data_.clear();
      head_ = 0;
    }
  }
  // Removes and returns the first n bytes (n <= size()).
  std::vector<std::uint8_t> take(std::size_t n) {
    auto v = view().first(n);
    std::vector<std::uint8_t> out(v.begin(), v.end());
    consume(n);
    return out;
  }
  void clear() {
    data_.clear();
    head_ = 0;
  }

 private:
  std::vector<std::uint8_t> data_;
  std::size_t head_ = 0;
};

}  // namespace mtjson::transport
