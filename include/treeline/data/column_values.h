#pragma once
// A column's values: owned, as a CSV file or a query builds them row by row, or a read-only view
// into the memory map of a prepared binary dataset. Trial processes that open the same prepared
// table then read one copy of it in the page cache instead of each holding its own on the heap.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace treeline::data {

template <typename T>
class ColumnValues {
 public:
  ColumnValues() = default;
  ColumnValues(std::vector<T> values) : owned_(std::move(values)) {}  // NOLINT: a vector is a column

  // A view of `values`, which `keep_alive` (the mapping) keeps valid for as long as any copy of
  // the view exists.
  static ColumnValues view(std::span<const T> values, std::shared_ptr<const void> keep_alive) {
    if (!keep_alive) throw std::logic_error("a column view needs what keeps its values alive");
    ColumnValues c;
    c.view_ = values;
    c.keep_alive_ = std::move(keep_alive);
    return c;
  }

  bool is_view() const { return keep_alive_ != nullptr; }
  std::size_t size() const { return is_view() ? view_.size() : owned_.size(); }
  const T* data() const { return is_view() ? view_.data() : owned_.data(); }
  const T& operator[](std::size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  operator std::span<const T>() const { return {data(), size()}; }  // NOLINT: read as a span anywhere

  void push_back(const T& value) { owned_for_writing().push_back(value); }
  // The values to change in place; a view is copied first (the mapping itself is read-only).
  std::vector<T>& mutable_values() {
    if (is_view()) {
      owned_.assign(view_.begin(), view_.end());
      view_ = {};
      keep_alive_.reset();
    }
    return owned_;
  }

  friend bool operator==(const ColumnValues& a, const ColumnValues& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::vector<T>& owned_for_writing() {
    // Growing a view would copy the whole mapped column behind the caller's back.
    if (is_view()) throw std::logic_error("a column mapped from a prepared dataset is read-only");
    return owned_;
  }

  std::vector<T> owned_;
  std::span<const T> view_;
  std::shared_ptr<const void> keep_alive_;
};

}  // namespace treeline::data
