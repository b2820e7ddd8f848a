#pragma once
// A growable array in fixed-size chunks, for the engine's per-slot records.

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace roshambo::detail {

/// Elements in chunks of 2^Bits, default-built. Growing moves nothing, and the chunks
/// are allocated in groups of a size that follows the count (an eighth of the chunks
/// held, up to 256), so the unused part stays under an eighth (a vector's doubling
/// leaves up to as much again as it holds: a lobby of 100 000 rooms paid for 131 072)
/// while most elements sit in a few large allocations, not between the small ones the
/// engine makes per room. An access costs one more load, the chunk's address, from a
/// table 1/2^Bits the elements' count.
template <class T, unsigned Bits>
class Chunked {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << Bits;
  static constexpr std::size_t kMaxGroup = 256;  // chunks per allocation

  Chunked() = default;
  Chunked(const Chunked& o) {
    if (o.size_ == 0) return;
    // One group for all of it: a copy does not grow in steps.
    const std::size_t chunks = (o.size_ + kChunk - 1) >> Bits;
    add_group(chunks);
    for (std::size_t i = 0; i < o.size_; ++i) (*this)[i] = o[i];
    size_ = o.size_;
  }
  Chunked& operator=(const Chunked& o) {
    if (this != &o) {
      Chunked copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  Chunked(Chunked&& o) noexcept { swap(o); }
  Chunked& operator=(Chunked&& o) noexcept {
    swap(o);
    return *this;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  T& operator[](std::size_t i) noexcept { return chunks_[i >> Bits][i & (kChunk - 1)]; }
  const T& operator[](std::size_t i) const noexcept { return chunks_[i >> Bits][i & (kChunk - 1)]; }
  T& back() noexcept { return (*this)[size_ - 1]; }
  const T& back() const noexcept { return (*this)[size_ - 1]; }
  /// A new element at the end, as a default-built T.
  T& emplace_back() {
    if (size_ == capacity()) {
      std::size_t g = 1;
      while (g < kMaxGroup && g * 16 <= chunks_.size()) g *= 2;  // ~ chunks/8, a power of two
      add_group(g);
    }
    return (*this)[size_++];
  }
  /// Elements the chunks hold, used or not.
  std::size_t capacity() const noexcept { return chunks_.size() << Bits; }

  template <class Self, class Ref>
  class Iter {
   public:
    Iter(Self* c, std::size_t i) noexcept : c_(c), i_(i) {}
    Ref operator*() const noexcept { return (*c_)[i_]; }
    Iter& operator++() noexcept {
      ++i_;
      return *this;
    }
    bool operator!=(const Iter& o) const noexcept { return i_ != o.i_; }

   private:
    Self* c_;
    std::size_t i_;
  };
  using iterator = Iter<Chunked, T&>;
  using const_iterator = Iter<const Chunked, const T&>;
  iterator begin() noexcept { return {this, 0}; }
  iterator end() noexcept { return {this, size_}; }
  const_iterator begin() const noexcept { return {this, 0}; }
  const_iterator end() const noexcept { return {this, size_}; }

 private:
  void add_group(std::size_t chunks) {
    chunks_.reserve(chunks_.size() + chunks);  // first, so a failure leaves nothing half added
    groups_.push_back(std::make_unique<T[]>(chunks << Bits));
    T* first = groups_.back().get();
    for (std::size_t c = 0; c < chunks; ++c) chunks_.push_back(first + (c << Bits));
  }
  void swap(Chunked& o) noexcept {
    chunks_.swap(o.chunks_);
    groups_.swap(o.groups_);
    std::swap(size_, o.size_);
  }

  std::vector<T*> chunks_;
  std::vector<std::unique_ptr<T[]>> groups_;
  std::size_t size_ = 0;
};

}  // namespace roshambo::detail
