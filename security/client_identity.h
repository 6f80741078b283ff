#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

// A client's credentials in one PEM file (0600): its private key, its certificate, and the
// fleet's CA. Written by `wsfleet admin-cert create` for operators and by a worker when it
// joins; read by every command that dials a coordinator over TLS. Any thread.
namespace wsfleet::security {

struct ClientIdentity {
  std::string key_pem;
  std::string certificate_pem;
  std::string ca_pem;
  std::string server_name;  // what the coordinator's certificate is checked for; empty: the dialled host
  std::map<std::string, std::string> labels;  // a worker's, from its join token
};

std::string FormatClientIdentity(const ClientIdentity& identity, const std::string& comment);
// The three parts from `text` (read from `path`, named in errors): the key, then the
// client's certificate, then the CA's.
absl::StatusOr<ClientIdentity> ParseClientIdentity(const std::string& text, const std::string& path);
absl::StatusOr<ClientIdentity> ReadClientIdentity(const std::string& path);
absl::Status WriteClientIdentity(const std::string& path, const ClientIdentity& identity,
                                 const std::string& comment);

}  // namespace wsfleet::security
