#include "ui/viewer_logins.h"

#include <algorithm>

#include "absl/status/status.h"

namespace wsfleet::ui {

ViewerLogins::ViewerLogins(const common::TimeSource& clock, std::function<std::string()> random_token)
    : clock_(clock), random_token_(std::move(random_token)) {}

std::string ViewerLogins::IssueLogin() {
  std::string token = random_token_();
  std::lock_guard lock(mutex_);
  DropExpired(logins_);
  Bound(logins_);
  logins_[token] = clock_.Now() + kLoginLifetime;
  return token;
}

absl::StatusOr<std::string> ViewerLogins::Redeem(const std::string& token) {
  std::string session = random_token_();
  std::lock_guard lock(mutex_);
  common::SteadyTime now = clock_.Now();
  DropExpired(spent_);
  if (spent_.count(token) > 0) {
    return absl::PermissionDeniedError("this login was used already: run `wsfleet ui` for a new one");
  }
  auto login = logins_.find(token);
  if (login == logins_.end()) {
    return absl::PermissionDeniedError("unknown login: run `wsfleet ui` for one");
  }
  bool expired = login->second <= now;
  spent_[token] = now + kLoginLifetime;
  Bound(spent_);
  logins_.erase(login);
  if (expired) return absl::PermissionDeniedError("this login expired: run `wsfleet ui` for a new one");
  DropExpired(sessions_);
  Bound(sessions_);
  sessions_[session] = now + kSessionLifetime;
  return session;
}

bool ViewerLogins::SessionValid(const std::string& session) const {
  if (session.empty()) return false;
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(session);
  if (found == sessions_.end()) return false;
  if (found->second > clock_.Now()) return true;
  sessions_.erase(found);
  return false;
}

void ViewerLogins::DropExpired(std::map<std::string, common::SteadyTime>& held) const {
  common::SteadyTime now = clock_.Now();
  std::erase_if(held, [now](const auto& entry) { return entry.second <= now; });
}

void ViewerLogins::Bound(std::map<std::string, common::SteadyTime>& held) {
  while (held.size() >= kMostHeld) {
    held.erase(std::min_element(held.begin(), held.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
}

}  // namespace wsfleet::ui
