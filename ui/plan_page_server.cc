#include "ui/plan_page_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <string_view>

#include "common/clock.h"
#include "common/listener_waker.h"
#include "ui/page_assets.h"
#include "ui/page_json.h"

namespace wsfleet::ui {
namespace {

constexpr char kCookie[] = "wsfleet_page";
// What a page from here may load and where it may connect: only itself. The page's login
// token is in its first URL, so no Referer carries it anywhere either.
constexpr char kCommonHeaders[] =
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n";
constexpr size_t kLogTailBytes = 16 * 1024;
// Between two events of one live stream: a burst of changes goes as one.
constexpr std::chrono::milliseconds kLivePace{100};
// A comment sent on a quiet stream: finds a page that is gone, keeps proxies from closing it.
constexpr std::chrono::seconds kKeepAlive{15};

const char* ReasonOf(int status) {
  switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

void Send(mg_connection* connection, int status, std::string_view type, std::string_view body,
          const std::string& extra_headers = "") {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n%s%s\r\n",
            status, ReasonOf(status), static_cast<int>(type.size()), type.data(), body.size(), kCommonHeaders,
            extra_headers.c_str());
  mg_write(connection, body.data(), body.size());
}

std::string Dump(const nlohmann::ordered_json& json) {
  // Logs and messages are a program's bytes: invalid UTF-8 is shown replaced, not refused.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int SendJson(mg_connection* connection, int status, const nlohmann::ordered_json& json) {
  Send(connection, status, "application/json", Dump(json));
  return status;
}

int SendError(mg_connection* connection, const absl::Status& status) {
  int code = 500;
  if (absl::IsNotFound(status) || absl::IsFailedPrecondition(status)) code = 404;
  if (absl::IsInvalidArgument(status)) code = 400;
  if (absl::IsUnavailable(status)) code = 503;
  return SendJson(connection, code, {{"error", std::string(status.message())}});
}

// A page that says why, for a browser that opened a URL it may not.
int SendRefusal(mg_connection* connection, int status, const std::string& why) {
  std::string text;
  for (char c : why) {  // the reason names no markup, but it is escaped anyway
    if (c == '<') text += "&lt;"; else if (c == '>') text += "&gt;"; else if (c == '&') text += "&amp;"; else text += c;
  }
  Send(connection, status, "text/html; charset=utf-8",
       "<!doctype html><meta charset=utf-8><title>wsfleet: not signed in</title>"
       "<h1>wsfleet plan page</h1><p id=refusal>" + text +
           "</p><p>Run <code>wsfleet ui</code> where you can reach the coordinator and open the URL it prints; "
           "each such URL opens the page once.</p>");
  return status;
}

std::string Variable(const std::string& query, const char* name) {
  char value[512];
  int length = mg_get_var(query.data(), query.size(), name, value, sizeof value);
  return length > 0 ? std::string(value, static_cast<size_t>(length)) : std::string();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PlanPageServer>> PlanPageServer::Start(const std::string& address,
                                                                     PlanPageSource& source, ViewerLogins& logins) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError("plan page address '" + address + "' is not HOST:PORT (port 0 picks a free one)");
  }
  static std::once_flag initialized;
  std::call_once(initialized, [] { mg_init_library(0); });
  std::unique_ptr<PlanPageServer> server(new PlanPageServer(source, logins));
  // Live streams hold a thread each: enough threads that pages still load beside them.
  std::string threads = std::to_string(kMostLiveStreams + 6);
  const char* options[] = {"listening_ports", address.c_str(), "num_threads", threads.c_str(),
                           "enable_keep_alive", "yes", "request_timeout_ms", "30000", nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = [](const mg_connection*, const char* message) {
    spdlog::debug("plan page: {}", message);
    return 1;
  };
  server->context_ = mg_start(&callbacks, nullptr, options);
  if (server->context_ == nullptr) {
    // Debian's civetweb is built without IPv6 (feature 8).
    bool v6 = address.front() == '[' && mg_check_feature(8) == 0;
    return absl::UnavailableError("cannot serve the plan page on " + address +
                                  (v6 ? " (this civetweb has no IPv6: give an IPv4 address)" : ""));
  }
  mg_set_request_handler(server->context_, "/", &PlanPageServer::Handle, server.get());
  mg_server_port ports[4];
  int count = mg_get_server_ports(server->context_, 4, ports);
  if (count < 1) return absl::UnavailableError("cannot serve the plan page on " + address);
  server->host_ = address.substr(0, colon);
  server->port_ = ports[0].port;
  server->url_ = "http://" + server->host_ + ":" + std::to_string(server->port_);
  return server;
}

PlanPageServer::~PlanPageServer() {
  feed_->Stop();
  if (context_ == nullptr) return;
  common::ListenerWaker waker(host_, port_);  // else mg_stop waits out civetweb's 2 s poll
  mg_stop(context_);
}

std::string PlanPageServer::LoginUrl() { return url_ + "/login?token=" + logins_.IssueLogin(); }

int PlanPageServer::Handle(mg_connection* connection, void* self) {
  return static_cast<PlanPageServer*>(self)->Serve(connection);
}

int PlanPageServer::Serve(mg_connection* connection) {
  const mg_request_info* request = mg_get_request_info(connection);
  std::string path = request->local_uri != nullptr ? request->local_uri : "/";
  std::string query = request->query_string != nullptr ? request->query_string : "";
  if (std::strcmp(request->request_method, "GET") != 0) {
    Send(connection, 405, "text/plain", "the plan page is read-only\n", "Allow: GET\r\n");
    return 405;
  }
  if (path == "/login") return Login(connection, query);
  if (path.rfind("/api/", 0) == 0) return Api(connection, path, query);
  if (path == "/" && !Authenticated(connection)) return SendRefusal(connection, 401, "This page needs a login.");
  // A std::string: a view would point into the temporary the conditional makes.
  const std::string wanted = path == "/" ? "/index.html" : path;
  for (const PageAsset& asset : PageAssets()) {
    if (asset.path == wanted) {
      Send(connection, 200, std::string(asset.content_type) + "; charset=utf-8", asset.body);
      return 200;
    }
  }
  Send(connection, 404, "text/plain", "no such page\n");
  return 404;
}

int PlanPageServer::Login(mg_connection* connection, const std::string& query) {
  absl::StatusOr<std::string> session = logins_.Redeem(Variable(query, "token"));
  if (!session.ok()) {
    spdlog::warn("plan page: a login refused: {}", std::string(session.status().message()));
    return SendRefusal(connection, 403, std::string(session.status().message()));
  }
  std::string headers = "Location: /\r\nSet-Cookie: " + std::string(kCookie) + "=" + *session +
                        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                        std::to_string(std::chrono::seconds(ViewerLogins::kSessionLifetime).count()) + "\r\n";
  Send(connection, 303, "text/plain", "signed in\n", headers);
  return 303;
}

bool PlanPageServer::Authenticated(mg_connection* connection) const {
  const char* cookies = mg_get_header(connection, "Cookie");
  if (cookies == nullptr) return false;
  char session[128];
  int length = mg_get_cookie(cookies, kCookie, session, sizeof session);
  return length > 0 && logins_.SessionValid(std::string(session, static_cast<size_t>(length)));
}

int PlanPageServer::Api(mg_connection* connection, const std::string& path, const std::string& query) {
  if (!Authenticated(connection)) {
    return SendJson(connection, 401, {{"error", "not signed in: open the URL `wsfleet ui` prints"}});
  }
  std::string plan = Variable(query, "plan");
  if (path == "/api/plans") {
    absl::StatusOr<nlohmann::ordered_json> plans = source_.Plans();
    return plans.ok() ? SendJson(connection, 200, *plans) : SendError(connection, plans.status());
  }
  if (path == "/api/graph") {
    absl::StatusOr<PageGraph> graph = source_.Graph(plan);
    return graph.ok() ? SendJson(connection, 200, GraphJson(*graph)) : SendError(connection, graph.status());
  }
  if (path == "/api/workstream") {
    absl::StatusOr<WorkstreamDetail> detail = source_.Detail(plan, Variable(query, "id"));
    return detail.ok() ? SendJson(connection, 200, DetailJson(*detail, kLogTailBytes))
                       : SendError(connection, detail.status());
  }
  if (path == "/api/events") return Events(connection, plan);
  return SendJson(connection, 404, {{"error", "no such call: " + path}});
}

int PlanPageServer::Events(mg_connection* connection, const std::string& plan_id) {
  if (live_streams_.fetch_add(1) >= kMostLiveStreams) {
    live_streams_.fetch_sub(1);
    return SendJson(connection, 503, {{"error", "too many live pages open at once; close one"}});
  }
  struct Release {
    std::atomic<int>& count;
    ~Release() { count.fetch_sub(1); }
  } release{live_streams_};
  absl::StatusOr<PageGraph> graph = source_.Graph(plan_id);
  if (!graph.ok()) return SendError(connection, graph.status());
  // The coordinator hands statuses over only once a page follows one: until then it
  // builds none for the page.
  std::call_once(following_, [this] {
    source_.Follow([feed = feed_](const v1::RunStatus& status) { feed->Publish(status); });
  });
  uint64_t seen = 0;
  absl::StatusOr<v1::RunStatus> first = source_.Status(graph->plan_id);
  if (!first.ok()) return SendError(connection, first.status());
  mg_printf(connection,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n%s\r\n", kCommonHeaders);
  auto send = [&](const v1::RunStatus& status) {
    std::string event = "event: status\ndata: " +
                        Dump(LiveJson(*graph, status, common::ToUnixMillis(std::chrono::system_clock::now()))) + "\n\n";
    return mg_write(connection, event.data(), event.size()) > 0;
  };
  if (!send(*first)) return 200;
  while (!feed_->stopped()) {
    std::shared_ptr<const v1::RunStatus> status =
        feed_->WaitNewer(graph->plan_id, &seen, std::chrono::steady_clock::now() + kKeepAlive);
    if (status == nullptr) {
      if (feed_->stopped() || mg_printf(connection, ": still here\n\n") <= 0) break;
      continue;
    }
    if (!send(*status) || !feed_->PauseUntil(std::chrono::steady_clock::now() + kLivePace)) break;
  }
  return 200;
}

}  // namespace wsfleet::ui
