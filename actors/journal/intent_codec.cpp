#include "actors/journal/intent_codec.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "messages/type_ids.hpp"

namespace agora::journal {

intent_kind kind_of(const intent& x) noexcept {
  return std::holds_alternative<submit_order>(x) ? intent_kind::order : intent_kind::fill;
}

void encode_intent(const intent& x, std::vector<char>& out) {
  out.clear();
  caf::binary_serializer sink{nullptr, out};
  // Serializing plain values into memory cannot fail.
  std::visit([&](const auto& v) { (void) sink(const_cast<std::decay_t<decltype(v)>&>(v)); }, x);
}

namespace {

template <class T>
std::optional<intent> decode_as(const intent_record& r, std::string* error) {
  T v;
  caf::binary_deserializer source{nullptr, r.payload.data(), r.payload.size()};
  if (auto err = source(v)) {
    *error = "intent " + std::to_string(r.seq) + ": undecodable payload ("
             + std::to_string(r.payload.size()) + " bytes)";
    return std::nullopt;
  }
  if (source.remaining() != 0) {
    *error = "intent " + std::to_string(r.seq) + ": " + std::to_string(source.remaining())
             + " bytes after the message";
    return std::nullopt;
  }
  return intent{std::move(v)};
}

} // namespace

std::optional<intent> decode_intent(const intent_record& r, std::string* error) {
  switch (r.kind) {
    case intent_kind::order:
      return decode_as<submit_order>(r, error);
    case intent_kind::fill:
      return decode_as<order_filled>(r, error);
    default:
      break;
  }
  *error = "intent " + std::to_string(r.seq) + ": unknown kind "
           + std::to_string(static_cast<uint32_t>(r.kind));
  return std::nullopt;
}

} // namespace agora::journal
