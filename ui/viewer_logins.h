#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"

// Who may look at the plan page. `wsfleet ui` asks the coordinator for a login: a random
// token, good once and for a few minutes, carried in the URL it prints (as Jupyter does).
// Opening that URL trades it for a session, kept in a cookie the browser sends from then
// on; the token is then spent, so a URL seen in a shell history or a proxy's log opens
// nothing. Thread-safe: the page's HTTP threads and the control service's share it.
namespace wsfleet::ui {

class ViewerLogins {
 public:
  static constexpr std::chrono::minutes kLoginLifetime{10};
  static constexpr std::chrono::hours kSessionLifetime{12};
  // At most this many of each are held; past it the oldest goes (bounds what a caller who
  // asks for logins in a loop can make the coordinator keep).
  static constexpr size_t kMostHeld = 1000;

  // `random_token` returns a new unguessable token each call (security::RandomHex(32)).
  ViewerLogins(const common::TimeSource& clock, std::function<std::string()> random_token);

  // A one-time login token.
  std::string IssueLogin();
  // Spends `token`: a new session's ID, or why not (unknown, used or expired: PERMISSION_DENIED).
  absl::StatusOr<std::string> Redeem(const std::string& token);
  bool SessionValid(const std::string& session) const;

 private:
  // Each map: token -> when it stops being good.
  void DropExpired(std::map<std::string, common::SteadyTime>& held) const;
  static void Bound(std::map<std::string, common::SteadyTime>& held);

  const common::TimeSource& clock_;
  std::function<std::string()> random_token_;
  mutable std::mutex mutex_;
  std::map<std::string, common::SteadyTime> logins_;
  std::map<std::string, common::SteadyTime> spent_;  // so a reused token is told so
  mutable std::map<std::string, common::SteadyTime> sessions_;
};

}  // namespace wsfleet::ui
