// A network link with latency, jitter and loss, for tests on kernels without the netem
// qdisc: two TUN devices, each in a network namespace the test made, and this process
// between them carrying every IP packet from one to the other, each held for DELAY +-
// JITTER ms (uniformly; packets may overtake each other, as under netem) or dropped with
// probability LOSS. The same idea as Mahimahi's link shells. The test gives the devices
// their addresses and brings them up once this prints "ready". It stops on SIGTERM or
// after SECONDS, whichever comes first.
// Usage: link_emulator NS_A:DEV_A NS_B:DEV_B DELAY_MS JITTER_MS LOSS SECONDS [SEED]
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_stop = 0;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "link_emulator: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

// A TUN device named `device` in the namespace `ns` (/var/run/netns/ns), opened from this
// process, which then goes back to its own namespace: the descriptor stays with the device.
int OpenTun(const std::string& ns, const std::string& device) {
  int home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (home < 0 || target < 0) Die("cannot open the namespace " + ns);
  if (::setns(target, CLONE_NEWNET) != 0) Die("cannot enter the namespace " + ns);
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) Die("cannot open /dev/net/tun");
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::snprintf(request.ifr_name, IFNAMSIZ, "%s", device.c_str());
  if (::ioctl(fd, TUNSETIFF, &request) != 0) Die("cannot make the TUN device " + device + " in " + ns);
  if (::setns(home, CLONE_NEWNET) != 0) Die("cannot go back to this process's namespace");
  ::close(home);
  ::close(target);
  return fd;
}

struct Packet {
  Clock::time_point due;
  std::vector<char> bytes;
  bool operator>(const Packet& other) const { return due > other.due; }
};

// One direction of the link: what is on the wire, soonest first.
struct Direction {
  int from = -1;
  int to = -1;
  std::priority_queue<Packet, std::vector<Packet>, std::greater<>> wire;
  unsigned long carried = 0;
  unsigned long dropped = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s NS_A:DEV_A NS_B:DEV_B DELAY_MS JITTER_MS LOSS SECONDS [SEED]\n", argv[0]);
    return 64;
  }
  auto split = [](const std::string& both) {
    size_t colon = both.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "link_emulator: %s: expected NAMESPACE:DEVICE\n", both.c_str());
      std::exit(64);
    }
    return std::pair<std::string, std::string>(both.substr(0, colon), both.substr(colon + 1));
  };
  auto [ns_a, dev_a] = split(argv[1]);
  auto [ns_b, dev_b] = split(argv[2]);
  const double delay_ms = std::atof(argv[3]);
  const double jitter_ms = std::atof(argv[4]);
  const double loss = std::atof(argv[5]);
  const Clock::time_point end = Clock::now() + std::chrono::seconds(std::atol(argv[6]));
  std::mt19937_64 random(argc > 7 ? std::strtoull(argv[7], nullptr, 10) : std::random_device{}());
  std::uniform_real_distribution<double> jitter(-jitter_ms, jitter_ms);
  std::bernoulli_distribution lost(loss);

  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  int a = OpenTun(ns_a, dev_a);
  int b = OpenTun(ns_b, dev_b);
  std::printf("ready\n");
  std::fflush(stdout);

  Direction ab{a, b, {}, 0, 0};
  Direction ba{b, a, {}, 0, 0};
  std::vector<char> buffer(65536);
  while (!g_stop && Clock::now() < end) {
    // Sleep until a packet arrives or the next one on the wire is due.
    Clock::time_point wake = end;
    for (Direction* direction : {&ab, &ba}) {
      if (!direction->wire.empty() && direction->wire.top().due < wake) wake = direction->wire.top().due;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::max<long>(0, std::min<long>(wait + 1, 1000)))) < 0 && errno != EINTR) {
      Die("poll");
    }
    for (Direction* direction : {&ab, &ba}) {
      while (true) {
        ssize_t n = ::read(direction->from, buffer.data(), buffer.size());
        if (n <= 0) break;  // EAGAIN: nothing more now
        if (lost(random)) {
          ++direction->dropped;
          continue;
        }
        auto held = std::chrono::duration<double, std::milli>(std::max(0.0, delay_ms + jitter(random)));
        direction->wire.push({Clock::now() + std::chrono::duration_cast<Clock::duration>(held),
                              std::vector<char>(buffer.begin(), buffer.begin() + n)});
      }
      Clock::time_point now = Clock::now();
      while (!direction->wire.empty() && direction->wire.top().due <= now) {
        const Packet& packet = direction->wire.top();
        // A full queue on the far side drops the packet, as a real link would.
        if (::write(direction->to, packet.bytes.data(), packet.bytes.size()) > 0) ++direction->carried;
        direction->wire.pop();
      }
    }
  }
  std::fprintf(stderr, "link_emulator: %s -> %s: %lu carried, %lu dropped; %s -> %s: %lu carried, %lu dropped\n",
               ns_a.c_str(), ns_b.c_str(), ab.carried, ab.dropped, ns_b.c_str(), ns_a.c_str(), ba.carried,
               ba.dropped);
  return 0;
}
