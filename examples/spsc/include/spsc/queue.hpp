// spsc::Queue — a bounded single-producer single-consumer ring buffer.
//
// The producer writes a slot, then publishes it by advancing tail_; the consumer reads tail_,
// then the slot, then frees it by advancing head_. The slot itself is a plain object: what
// makes the consumer's read of it safe is that the store to tail_ *releases* the slot's write
// and the consumer's load of tail_ *acquires* it (and the same for head_ the other way round).
//
// The ordering is a template parameter so that racebook's example can show both sides:
//   spsc::Queue<T, N>                       acquire/release — correct
//   spsc::Queue<T, N, spsc::RelaxedOrder>   relaxed indices — the classic bug: the indices
//       are atomic, so nothing is torn, but no write to a slot happens-before the read of it,
//       and the slot accesses are a data race (ThreadSanitizer reports push's write and pop's
//       read, the lines marked below).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <optional>

namespace spsc {

struct AcquireRelease {
  static constexpr std::memory_order load = std::memory_order_acquire;
  static constexpr std::memory_order store = std::memory_order_release;
};

struct RelaxedOrder {
  static constexpr std::memory_order load = std::memory_order_relaxed;
  static constexpr std::memory_order store = std::memory_order_relaxed;
};

template <typename T, std::size_t Capacity, typename Order = AcquireRelease>
class Queue {
  static_assert(Capacity >= 1, "a queue holds at least one element");

 public:
  // Producer only. False when the queue is full.
  bool push(const T& value) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);  // only the producer writes it
    const std::size_t next = (tail + 1) % kSlots;
    if (next == head_.load(Order::load)) return false;
    slots_[tail] = value;  // @slot_write
    tail_.store(next, Order::store);
    return true;
  }

  // Consumer only. Empty when there is nothing to take.
  std::optional<T> pop() {
    const std::size_t head = head_.load(std::memory_order_relaxed);  // only the consumer writes it
    if (head == tail_.load(Order::load)) return std::nullopt;
    T value = slots_[head];  // @slot_read
    head_.store((head + 1) % kSlots, Order::store);
    return value;
  }

 private:
  static constexpr std::size_t kSlots = Capacity + 1;  // one slot stays free: full != empty
  std::array<T, kSlots> slots_{};
  std::atomic<std::size_t> head_{0};
  std::atomic<std::size_t> tail_{0};
};

}  // namespace spsc
