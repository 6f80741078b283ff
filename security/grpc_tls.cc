#include "security/grpc_tls.h"

#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

namespace wsfleet::security {

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ServerTls& tls) {
  grpc::SslServerCredentialsOptions options(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls.client_ca_pem;
  options.pem_key_cert_pairs.push_back({tls.server.key_pem, tls.server.certificate_pem});
  return grpc::SslServerCredentials(options);
}

rpc::ChannelSecurity ChannelSecurityFor(const std::string& ca_pem, const ClientIdentity* identity,
                                        const std::string& server_name) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem;
  if (identity != nullptr) {
    options.pem_private_key = identity->key_pem;
    options.pem_cert_chain = identity->certificate_pem;
  }
  return rpc::ChannelSecurity{grpc::SslCredentials(options), server_name};
}

rpc::ChannelSecurity UncheckedChannelSecurity() {
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
  return rpc::ChannelSecurity{grpc::experimental::TlsCredentials(options), ""};
}

std::string PeerCertificatePem(const grpc::AuthContext& context) {
  if (!context.IsPeerAuthenticated()) return "";
  std::vector<grpc::string_ref> values = context.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

}  // namespace wsfleet::security
