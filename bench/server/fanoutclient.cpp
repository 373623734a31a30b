// The fan-out half of bench/server: N WebSocket clients on one Boost.Asio event loop
// (epoll), so that the figure cannot be the measuring client's own. (Measured: at 10k
// sockets the bare floor server shows the same 220-245 ms p99 with this client as with a
// Qt client holding one QWebSocket per socket, so the time is spent on the server side.)
//
//   fanout-client HOST PORT TARGET N [--join TOPIC] [--server-pid PID]
//
// Opens N sockets (200 handshakes in flight), with --join sends each a phx_join and waits
// for its reply; then one more socket sends a cursor_move five times, 300 ms apart, and
// every one of the N notes when its copy arrives (kyozo-server relays it as "cursor"; the
// floor echoes the frame itself). Prints one line: opened, joins/s, p50 and p99 in ms, the
// time to the last copy, and the CPU time a broadcast took (means of the rounds, from the
// send to the last copy received): this process's and, with --server-pid, the server's,
// all threads and the kernel's work on their behalf. On two cores those bound the latency:
// a single-threaded server cannot deliver the last copy before it has spent its share. The
// rest of the latency is time the server was not running: with --server-pid, how long its
// main thread waited for a core (its run queue wait), and how much time the hypervisor took
// from this VM's cores (steal, both cores together), both per broadcast.
#include <utility> // Boost 1.74's asio/awaitable.hpp uses std::exchange without it (C++20)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "fdlimit.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// CPU time of a process (all its threads) in ms, or -1 when it cannot be read.
double cpuMs(clockid_t clock)
{
    timespec ts{};
    if (clock_gettime(clock, &ts) != 0)
        return -1;
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// How long a process's main thread has waited on a run queue, in ms (/proc/PID/schedstat:
// time on a core, time waiting, slices), or -1.
double runQueueWaitMs(const std::string &pid)
{
    std::ifstream in("/proc/" + pid + "/schedstat");
    double onCpuNs = 0, waitNs = -1;
    in >> onCpuNs >> waitNs;
    return in ? waitNs / 1e6 : -1;
}

// Time the hypervisor has taken from all of this machine's cores, in ms (the steal column of
// /proc/stat's cpu line, in clock ticks), or -1.
double stealMs()
{
    std::ifstream in("/proc/stat");
    std::string line;
    if (!std::getline(in, line) || line.rfind("cpu ", 0) != 0)
        return -1;
    std::istringstream fields(line.substr(4));
    double v[8] = {};
    for (double &x : v)
        fields >> x;
    return fields ? v[7] * 1e3 / double(sysconf(_SC_CLK_TCK)) : -1;
}

constexpr int kWave = 200;
constexpr int kRounds = 5;

struct Bench;

struct Conn : std::enable_shared_from_this<Conn>
{
    Conn(net::io_context &io, Bench &b, int i) : ws(io), bench(b), index(i) { }
    websocket::stream<tcp::socket> ws;
    beast::flat_buffer buffer;
    Bench &bench;
    int index;
    bool joined = false;
    Clock::time_point cursorAt{};
    bool gotCursor = false;
    std::string outgoing;

    void start();
    void read();
};

struct Bench
{
    net::io_context io;
    tcp::endpoint endpoint;
    std::string host, target, topic;
    int n = 0;
    bool join = false;
    std::vector<std::shared_ptr<Conn>> conns;
    std::shared_ptr<Conn> speaker;
    int started = 0, opened = 0, joined = 0, failed = 0, received = 0;
    Clock::time_point firstConnect, lastJoin, sentAt;
    std::vector<double> latencies;
    int round = 0;
    bool inRound = false;
    clockid_t serverClock{};
    bool haveServerClock = false;
    std::string serverPid;
    double serverCpuAtSend = 0, clientCpuAtSend = 0, serverCpuSum = 0, clientCpuSum = 0;
    double serverWaitAtSend = 0, stealAtSend = 0, serverWaitSum = 0, stealSum = 0, lastCopySum = 0;
    net::steady_timer timer{ io };

    void openMore()
    {
        while (started < n && started - (opened + failed) < kWave) {
            auto c = std::make_shared<Conn>(io, *this, started++);
            conns.push_back(c);
            c->start();
        }
    }
    void onOpen(Conn &c)
    {
        if (&c == speaker.get()) {
            if (!join) // else once its join is answered
                nextRound();
            return;
        }
        ++opened;
        if (!join)
            onReady();
        openMore();
    }
    void onReady()
    {
        lastJoin = Clock::now();
        if ((join ? joined : opened) + failed == n && !speaker) {
            speaker = std::make_shared<Conn>(io, *this, -1);
            speaker->start();
        }
    }
    void nextRound()
    {
        if (round == kRounds) {
            io.stop();
            return;
        }
        for (auto &c : conns)
            c->gotCursor = false;
        received = 0;
        inRound = true;
        speaker->outgoing = "[\"s\",\"r" + std::to_string(round) + "\",\"" + topic
                + "\",\"cursor_move\",{\"position\":{\"line\":" + std::to_string(round) + ",\"column\":1}}]";
        sentAt = Clock::now();
        clientCpuAtSend = cpuMs(CLOCK_PROCESS_CPUTIME_ID);
        serverCpuAtSend = haveServerClock ? cpuMs(serverClock) : 0;
        serverWaitAtSend = haveServerClock ? runQueueWaitMs(serverPid) : 0;
        stealAtSend = stealMs();
        speaker->ws.text(true);
        speaker->ws.async_write(net::buffer(speaker->outgoing), [](beast::error_code, std::size_t) { });
        timer.expires_after(std::chrono::seconds(30));
        timer.async_wait([this](beast::error_code ec) {
            if (!ec)
                endRound();
        });
    }
    void onCursor(Conn &c)
    {
        if (c.gotCursor || &c == speaker.get())
            return;
        c.gotCursor = true;
        c.cursorAt = Clock::now();
        if (++received == (join ? joined : opened) && inRound)
            endRound();
    }
    void endRound()
    {
        inRound = false;
        timer.cancel();
        clientCpuSum += cpuMs(CLOCK_PROCESS_CPUTIME_ID) - clientCpuAtSend;
        if (haveServerClock) {
            serverCpuSum += cpuMs(serverClock) - serverCpuAtSend;
            serverWaitSum += runQueueWaitMs(serverPid) - serverWaitAtSend;
        }
        stealSum += stealMs() - stealAtSend;
        lastCopySum += std::chrono::duration<double, std::milli>(Clock::now() - sentAt).count();
        for (auto &c : conns)
            if (c->gotCursor)
                latencies.push_back(std::chrono::duration<double, std::milli>(c->cursorAt - sentAt).count());
        ++round;
        timer.expires_after(std::chrono::milliseconds(300));
        timer.async_wait([this](beast::error_code ec) {
            if (!ec)
                nextRound();
        });
    }
};

void Conn::start()
{
    auto self = shared_from_this();
    ws.next_layer().async_connect(bench.endpoint, [self](beast::error_code ec) {
        if (ec) {
            ++self->bench.failed;
            self->bench.openMore();
            return;
        }
        self->ws.async_handshake(self->bench.host, self->bench.target, [self](beast::error_code ec) {
            if (ec) {
                ++self->bench.failed;
                self->bench.openMore();
                return;
            }
            self->read();
            if (self->bench.join) {
                const std::string ref = std::to_string(self->index);
                self->outgoing = "[\"" + ref + "\",\"" + ref + "\",\"" + self->bench.topic + "\",\"phx_join\",{}]";
                self->ws.text(true);
                self->ws.async_write(net::buffer(self->outgoing), [self](beast::error_code, std::size_t) { });
            }
            self->bench.onOpen(*self);
        });
    });
}

void Conn::read()
{
    auto self = shared_from_this();
    ws.async_read(buffer, [self](beast::error_code ec, std::size_t) {
        if (ec)
            return;
        const auto data = self->buffer.cdata();
        const std::string_view text(static_cast<const char *>(data.data()), data.size());
        if (!self->joined && text.find("\"phx_reply\"") != std::string_view::npos) {
            self->joined = true;
            if (self.get() == self->bench.speaker.get()) {
                self->bench.nextRound();
            } else {
                ++self->bench.joined;
                self->bench.onReady();
            }
        } else if (text.find("\"cursor") != std::string_view::npos) {
            self->bench.onCursor(*self);
        }
        self->buffer.consume(self->buffer.size());
        if (self->buffer.capacity() > 64 * 1024) // after a presence_state: not 1 MB per socket
            self->buffer.shrink_to_fit();
        self->read();
    });
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    return v[std::size_t(std::min<double>(double(v.size() - 1), p * double(v.size() - 1) + 0.5))];
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc < 5) {
        std::fprintf(stderr, "usage: fanout-client HOST PORT TARGET N [--join TOPIC] [--server-pid PID]\n");
        return 2;
    }
    raiseFdLimit();
    Bench b;
    b.host = argv[1];
    b.endpoint = tcp::endpoint(net::ip::make_address(argv[1]), static_cast<unsigned short>(std::atoi(argv[2])));
    b.target = argv[3];
    b.n = std::atoi(argv[4]);
    b.topic = "execution:workspace:bench";
    for (int i = 5; i < argc; i += 2) {
        const std::string option = argv[i];
        if (i + 1 == argc) {
            std::fprintf(stderr, "fanout-client: %s needs a value\n", argv[i]);
            return 2;
        }
        if (option == "--join") {
            b.join = true;
            b.topic = argv[i + 1];
        } else if (option == "--server-pid") {
            b.serverPid = argv[i + 1];
            b.haveServerClock = clock_getcpuclockid(pid_t(std::atol(argv[i + 1])), &b.serverClock) == 0
                    && cpuMs(b.serverClock) >= 0 && runQueueWaitMs(b.serverPid) >= 0;
            if (!b.haveServerClock)
                std::fprintf(stderr, "fanout-client: cannot read the CPU time or the scheduler statistics of process %s\n",
                             argv[i + 1]);
        } else {
            std::fprintf(stderr, "fanout-client: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    b.conns.reserve(std::size_t(b.n));
    b.firstConnect = Clock::now();
    b.openMore();
    // Bounded: whatever happens, stop after ten minutes.
    net::steady_timer limit(b.io, std::chrono::minutes(10));
    limit.async_wait([&b](beast::error_code ec) {
        if (!ec)
            b.io.stop();
    });
    b.io.run();
    const double joinSeconds = std::chrono::duration<double>(b.lastJoin - b.firstConnect).count();
    const double rounds = std::max(1, b.round);
    std::printf("opened %d joined %d failed %d joins_per_s %.0f p50_ms %.1f p99_ms %.1f rounds %d"
                " last_ms %.1f server_cpu_ms %.1f client_cpu_ms %.1f server_wait_ms %.1f steal_ms %.1f\n",
                b.opened, b.joined, b.failed,
                joinSeconds > 0 ? double(b.join ? b.joined : b.opened) / joinSeconds : 0.0,
                percentile(b.latencies, 0.5), percentile(b.latencies, 0.99), b.round, b.lastCopySum / rounds,
                b.haveServerClock ? b.serverCpuSum / rounds : -1.0, b.clientCpuSum / rounds,
                b.haveServerClock ? b.serverWaitSum / rounds : -1.0, stealMs() >= 0 ? b.stealSum / rounds : -1.0);
    return b.round == kRounds ? 0 : 1;
}
