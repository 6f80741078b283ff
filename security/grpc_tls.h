#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "proto/grpc_settings.h"
#include "security/client_identity.h"
#include "security/server_tls.h"

// gRPC's TLS credentials from wsfleet's certificates. Any thread.
namespace wsfleet::security {

// The coordinator's TLS listener: its certificate, and clients' certificates requested and,
// when one is presented, checked against the client CA. A peer without one may still call
// what needs no identity (GetCa, Join); every other call checks the identity it finds.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ServerTls& tls);

// A channel checking the coordinator against `ca_pem`, presenting `identity`'s certificate
// when it has one. `server_name`: the name the coordinator's certificate must carry
// (kCoordinatorName when the PKI is its own, so any address it is dialled by will do);
// empty: the dialled host (an external PKI).
rpc::ChannelSecurity ChannelSecurityFor(const std::string& ca_pem, const ClientIdentity* identity,
                                        const std::string& server_name);
// TLS that checks nothing: only for GetCa, whose answer the caller checks against its
// token's hash before trusting it with anything.
rpc::ChannelSecurity UncheckedChannelSecurity();

// The certificate the peer presented and the handshake verified; empty when none.
std::string PeerCertificatePem(const grpc::AuthContext& context);

}  // namespace wsfleet::security
