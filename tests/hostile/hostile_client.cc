// A hostile peer of the coordinator, built from wsfleet's own generated stubs: each mode is
// one attack from issue 17, and prints what the coordinator answered (a gRPC status code
// and message, or what it sent back) for tests/hostile/hostile_test.sh to check.
//
//   hostile_client big ADDR MIB              Submit a MIB-MiB plan over TLS, no certificate
//   hostile_client anonymous ADDR            GetStatus over TLS, no certificate
//   hostile_client anonymous-worker ADDR ID  a worker session as ID, no certificate
//   hostile_client impersonate ADDR CREDS ID a worker session as ID with another worker's certificate
//   hostile_client report ADDR CREDS ATTEMPT an event about ATTEMPT (assigned to another worker)
//   hostile_client no-read ADDR CREDS N      N events the coordinator must answer, never reading
//   hostile_client silent ADDR               a worker session that never sends its Hello

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <string>

#include "proto/grpc_settings.h"
#include "security/certificates.h"
#include "security/client_identity.h"
#include "security/grpc_tls.h"
#include "wsfleet/v1/control.grpc.pb.h"
#include "wsfleet/v1/worker.grpc.pb.h"

namespace {

using namespace wsfleet;

int Say(const grpc::Status& status) {
  std::cout << "code=" << status.error_code() << " " << status.error_message() << std::endl;
  return 0;
}

std::shared_ptr<grpc::Channel> Unchecked(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxSendMessageSize(-1);  // the coordinator's limit is what is tested, not ours
  return grpc::CreateCustomChannel(address, security::UncheckedChannelSecurity().credentials, arguments);
}

std::shared_ptr<grpc::Channel> As(const std::string& address, const std::string& credentials, std::string* name) {
  absl::StatusOr<security::ClientIdentity> identity = security::ReadClientIdentity(credentials);
  if (!identity.ok()) {
    std::cerr << identity.status() << "\n";
    std::exit(2);
  }
  *name = security::ReadCertificate(identity->certificate_pem)->common_name;
  return rpc::Connect(address, security::ChannelSecurityFor(identity->ca_pem, &*identity, identity->server_name));
}

v1::WorkerMessage Hello(const std::string& id) {
  v1::WorkerMessage message;
  message.mutable_hello()->set_worker_id(id);
  message.mutable_hello()->mutable_resources()->set_slots(1);
  return message;
}

// A worker session as `id` whose Hello is sent. The context outlives the stream.
struct OpenSession {
  OpenSession(std::shared_ptr<grpc::Channel> channel, const std::string& id, int seconds)
      : stub(v1::WorkerService::NewStub(std::move(channel))) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    stream = stub->Session(&context);
    stream->Write(Hello(id));
  }
  std::unique_ptr<v1::WorkerService::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::WorkerMessage, v1::CoordinatorMessage>> stream;
};

// Opens a session as `id` and returns the first answer's status when the coordinator ends
// the stream instead of welcoming it.
int Session(std::shared_ptr<grpc::Channel> channel, const std::string& id) {
  OpenSession session(std::move(channel), id, 20);
  auto& [stub, context, stream] = session;
  v1::CoordinatorMessage answer;
  if (stream->Read(&answer)) {
    std::cout << "welcomed" << std::endl;
    context.TryCancel();
  }
  return Say(stream->Finish());
}

v1::Event EventFor(const std::string& attempt, uint64_t seq) {
  v1::Event event;
  event.set_attempt_id(attempt);
  event.set_seq(seq);
  // A forged result: the attempt "succeeded".
  event.mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
  return event;
}

int Report(std::shared_ptr<grpc::Channel> channel, const std::string& id, const std::string& attempt) {
  OpenSession session(std::move(channel), id, 20);
  auto& [stub, context, stream] = session;
  v1::CoordinatorMessage answer;
  if (!stream->Read(&answer) || !answer.has_welcome()) return Say(stream->Finish());
  v1::WorkerMessage batch;
  *batch.mutable_events()->add_events() = EventFor(attempt, 1);
  stream->Write(batch);
  while (stream->Read(&answer)) {
    std::vector<v1::CoordinatorMessage> messages = {answer};
    if (answer.has_batch()) messages.assign(answer.batch().messages().begin(), answer.batch().messages().end());
    for (const v1::CoordinatorMessage& message : messages) {
      if (message.has_reject()) {
        std::cout << "rejected " << message.reject().attempt_id() << ": " << message.reject().reason() << std::endl;
        context.TryCancel();
      } else if (message.has_ack()) {
        std::cout << "ACKED " << message.ack().attempt_id() << std::endl;
        context.TryCancel();
      }
    }
  }
  return Say(stream->Finish());
}

// Sends events for made-up attempts (each answered with a Reject) and never reads: the
// coordinator must close the session rather than queue its answers without end.
int NoRead(std::shared_ptr<grpc::Channel> channel, const std::string& id, int events) {
  OpenSession session(std::move(channel), id, 120);
  auto& [stub, context, stream] = session;
  std::string padding(200, 'p');
  int sent = 0;
  while (sent < events) {
    v1::WorkerMessage batch;
    for (int i = 0; i < 10000 && sent < events; ++i, ++sent) {
      *batch.mutable_events()->add_events() = EventFor(padding + std::to_string(sent), 1);
    }
    if (!stream->Write(batch)) {
      std::cout << "closed after " << sent << " events" << std::endl;
      context.TryCancel();  // what it was sent is unread: Finish would wait for it
      return Say(stream->Finish());
    }
  }
  std::cout << "all " << sent << " events sent; still open" << std::endl;
  context.TryCancel();
  return Say(stream->Finish());
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 2 ? argv[1] : "";
  std::string address = argc > 2 ? argv[2] : "";
  std::string name;
  if (mode == "big" && argc == 4) {
    auto stub = v1::ControlService::NewStub(Unchecked(address));
    v1::SubmitRequest request;
    request.add_files()->set_text(std::string(std::stoul(argv[3]) << 20, 'x'));
    v1::SubmitResponse response;
    grpc::ClientContext context;
    return Say(stub->Submit(&context, request, &response));
  }
  if (mode == "anonymous" && argc == 3) {
    auto stub = v1::ControlService::NewStub(Unchecked(address));
    v1::RunStatus status;
    grpc::ClientContext context;
    return Say(stub->GetStatus(&context, {}, &status));
  }
  if (mode == "silent" && argc == 3) {
    auto stub = v1::WorkerService::NewStub(Unchecked(address));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    auto start = std::chrono::steady_clock::now();
    auto stream = stub->Session(&context);
    v1::CoordinatorMessage answer;
    while (stream->Read(&answer)) {
    }
    std::cout << "ended after " << std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::steady_clock::now() - start).count()
              << " s" << std::endl;
    return Say(stream->Finish());
  }
  if (mode == "anonymous-worker" && argc == 4) return Session(Unchecked(address), argv[3]);
  if (mode == "impersonate" && argc == 5) return Session(As(address, argv[3], &name), argv[4]);
  if (mode == "report" && argc == 5) {
    auto channel = As(address, argv[3], &name);
    return Report(channel, name, argv[4]);
  }
  if (mode == "no-read" && argc == 5) {
    auto channel = As(address, argv[3], &name);
    return NoRead(channel, name, std::stoi(argv[4]));
  }
  std::cerr << "usage: see the top of tests/hostile/hostile_client.cc\n";
  return 64;
}
