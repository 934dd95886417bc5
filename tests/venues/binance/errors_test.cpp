#include <catch2/catch.hpp>

#include "golden.hpp"
#include "venues/binance/errors.hpp"

using namespace agora::binance;
using namespace agora::binance::test;
using std::chrono::milliseconds;

namespace {

std::string body(int code, const std::string& msg) {
  return "{\"code\":" + std::to_string(code) + ",\"msg\":\"" + msg + "\"}";
}

error_class what(unsigned status, const std::string& b, market m,
                 std::optional<std::string_view> retry_after = std::nullopt) {
  return classify(status, b, retry_after, m).what;
}

} // namespace

TEST_CASE("2xx answers are ok whatever the body") {
  auto c = classify(200, golden("spot_order_result.json"), std::nullopt,
                    market::spot);
  CHECK(c.what == error_class::ok);
  CHECK(c.code == 0);
  CHECK(c.msg.empty());
  CHECK(what(200, R"({"code":200,"msg":"The operation of cancel all open order is done."})",
             market::usdm)
        == error_class::ok);
  CHECK(what(204, "", market::spot) == error_class::ok);
}

TEST_CASE("definitive 4xx answers are rejections with code and message") {
  auto c = classify(400, golden("spot_error_invalid_symbol.json"),
                    std::nullopt, market::spot);
  CHECK(c.what == error_class::rejected);
  CHECK(c.code == -1121);
  CHECK(c.msg == "Invalid symbol.");
  CHECK(what(400, body(-2010, "Account has insufficient balance for requested action."),
             market::spot)
        == error_class::rejected);
  CHECK(what(400, golden("spot_error_unknown_order.json"), market::spot)
        == error_class::rejected);
  CHECK(what(400, body(-2019, "Margin is insufficient."), market::usdm)
        == error_class::rejected);
  CHECK(what(403, "<html>WAF</html>", market::spot) == error_class::rejected);
  CHECK(what(404, "", market::usdm) == error_class::rejected);
}

TEST_CASE("post-only orders that would take are their own class") {
  CHECK(what(400, golden("spot_error_would_match.json"), market::spot)
        == error_class::post_only_rejected);
  CHECK(what(400, golden("usdm_error_gtx.json"), market::usdm)
        == error_class::post_only_rejected);
  // The same codes on the other market mean something else.
  CHECK(what(400, golden("usdm_error_gtx.json"), market::spot)
        == error_class::rejected);
  CHECK(what(400, golden("spot_error_would_match.json"), market::usdm)
        == error_class::rejected);
}

TEST_CASE("429 backs off for Retry-After seconds, 1 s without it") {
  auto c = classify(429, body(-1003, "Too many requests."), "7", market::spot);
  CHECK(c.what == error_class::rate_limited);
  CHECK(c.code == -1003);
  CHECK(c.retry_after == milliseconds{7000});
  CHECK(classify(429, "", std::nullopt, market::usdm).retry_after
        == milliseconds{1000});
  CHECK(classify(429, "", "soon", market::usdm).retry_after
        == milliseconds{1000});
  CHECK(classify(429, "", " 12 ", market::usdm).retry_after
        == milliseconds{12000});
  auto orders = classify(400, body(-1015, "Too many new orders."),
                         std::nullopt, market::spot);
  CHECK(orders.what == error_class::rate_limited);
  CHECK(orders.retry_after == milliseconds{1000});
}

TEST_CASE("418 is a ban for Retry-After seconds, 2 minutes without it") {
  auto c = classify(418, body(-1003, "Way too much request weight used; IP banned until 1700000000000."),
                    "600", market::spot);
  CHECK(c.what == error_class::banned);
  CHECK(c.retry_after == milliseconds{600'000});
  CHECK(classify(418, "", std::nullopt, market::usdm).retry_after
        == milliseconds{120'000});
}

TEST_CASE("execution status unknown is never treated as a failure") {
  CHECK(what(500, body(-1006, "An unexpected response was received from the message bus. Execution status unknown."),
             market::spot)
        == error_class::unknown_outcome);
  CHECK(what(408, golden("usdm_error_unknown.json"), market::usdm)
        == error_class::unknown_outcome);
  CHECK(what(400, body(-1007, "Timeout waiting for response from backend server."),
             market::spot)
        == error_class::unknown_outcome);
  CHECK(what(503, body(-1000, "Unknown error, please check your request or try again later."),
             market::usdm)
        == error_class::unknown_outcome);
  CHECK(what(503, "Unknown error, please check your request or try again later.",
             market::usdm)
        == error_class::unknown_outcome);
  CHECK(what(502, "<html>Bad Gateway</html>", market::spot)
        == error_class::unknown_outcome);
  CHECK(what(503, "", market::spot) == error_class::unknown_outcome);
  CHECK(what(504, "", market::usdm) == error_class::unknown_outcome);
  CHECK(what(302, "", market::spot) == error_class::unknown_outcome);
}

TEST_CASE("definite server-side failures are retryable") {
  CHECK(what(503, body(-1008, "Server is currently overloaded with other requests. Please try again in a few minutes."),
             market::spot)
        == error_class::retryable);
  CHECK(what(503, body(-1008, "Request throttled by system-level protection. Reduce-only/close-position orders are exempt. Please try again."),
             market::usdm)
        == error_class::retryable);
  CHECK(what(503, body(-1001, "Service Unavailable."), market::usdm)
        == error_class::retryable);
  CHECK(what(503, body(-1001, "Internal error; unable to process your request. Please try again."),
             market::usdm)
        == error_class::retryable);
  // Spot does not promise that -1001 had no effect.
  CHECK(what(500, body(-1001, "Internal error; unable to process your request. Please try again."),
             market::spot)
        == error_class::unknown_outcome);
}

TEST_CASE("timestamp outside the receive window asks for a clock resync") {
  auto c = classify(400, body(-1021, "Timestamp for this request is outside of the recvWindow."),
                    std::nullopt, market::spot);
  CHECK(c.what == error_class::clock_skew);
  CHECK(c.code == -1021);
  CHECK(what(400, body(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
             market::usdm)
        == error_class::clock_skew);
}

TEST_CASE("key, signature and permission failures are auth errors") {
  CHECK(what(401, "", market::spot) == error_class::auth);
  CHECK(what(400, body(-1022, "Signature for this request is not valid."),
             market::spot)
        == error_class::auth);
  CHECK(what(401, body(-2014, "API-key format invalid."), market::usdm)
        == error_class::auth);
  CHECK(what(401, body(-2015, "Invalid API-key, IP, or permissions for action."),
             market::spot)
        == error_class::auth);
  CHECK(what(400, body(-1002, "You are not authorized to execute this request."),
             market::usdm)
        == error_class::auth);
}

TEST_CASE("transport failures depend on whether the request was written") {
  auto before = classify_transport_failure(false, "connection refused");
  CHECK(before.what == error_class::retryable);
  CHECK(before.msg == "connection refused");
  CHECK(classify_transport_failure(true, "read timeout").what
        == error_class::unknown_outcome);
}

TEST_CASE("error classes have stable names") {
  CHECK(std::string{to_string(error_class::ok)} == "ok");
  CHECK(std::string{to_string(error_class::rejected)} == "rejected");
  CHECK(std::string{to_string(error_class::post_only_rejected)}
        == "post_only_rejected");
  CHECK(std::string{to_string(error_class::rate_limited)} == "rate_limited");
  CHECK(std::string{to_string(error_class::banned)} == "banned");
  CHECK(std::string{to_string(error_class::unknown_outcome)}
        == "unknown_outcome");
  CHECK(std::string{to_string(error_class::retryable)} == "retryable");
  CHECK(std::string{to_string(error_class::clock_skew)} == "clock_skew");
  CHECK(std::string{to_string(error_class::auth)} == "auth");
}
