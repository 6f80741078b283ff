#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "ui/live_feed.h"
#include "ui/plan_page_source.h"
#include "ui/viewer_logins.h"

struct mg_context;
struct mg_connection;

// The coordinator's plan page over HTTP (civetweb): the page and its script, built into
// the binary; /login trading a one-time token for a session cookie; a JSON API
// (/api/plans, /api/graph, /api/workstream) and a live stream of each plan's states
// (/api/events, server-sent events). Read-only: nothing it serves changes the run.
// civetweb's threads call the handlers; Start and the destructor are for one owner thread.
namespace wsfleet::ui {

class PlanPageServer {
 public:
  // Live streams held at once; one more is refused (503) so that pages still load.
  static constexpr int kMostLiveStreams = 8;

  // Listens on `address` (HOST:PORT, port 0: any free one).
  static absl::StatusOr<std::unique_ptr<PlanPageServer>> Start(const std::string& address,
                                                               PlanPageSource& source, ViewerLogins& logins);
  ~PlanPageServer();  // ends the live streams, then stops serving

  // http://HOST:PORT as bound.
  const std::string& url() const { return url_; }
  // url()/login?token=<a new one-time login>: what `wsfleet ui` prints.
  std::string LoginUrl();

 private:
  PlanPageServer(PlanPageSource& source, ViewerLogins& logins) : source_(source), logins_(logins) {}
  static int Handle(mg_connection* connection, void* self);
  int Serve(mg_connection* connection);
  int Login(mg_connection* connection, const std::string& query);
  int Api(mg_connection* connection, const std::string& path, const std::string& query);
  int Events(mg_connection* connection, const std::string& plan_id);
  bool Authenticated(mg_connection* connection) const;

  PlanPageSource& source_;
  ViewerLogins& logins_;
  // Shared with the coordinator's status callback, which may outlive this server.
  std::shared_ptr<LiveFeed> feed_ = std::make_shared<LiveFeed>();
  std::once_flag following_;
  std::atomic<int> live_streams_{0};
  mg_context* context_ = nullptr;
  std::string host_;  // as bound
  int port_ = 0;
  std::string url_;
};

}  // namespace wsfleet::ui
