// A fan-out reference outside Qt for bench/server: a WebSocket server on Boost.Beast and one
// epoll loop that echoes every text message it receives to every socket it holds, as
// `floor-server --fanout` does through Qt. Measured with the same fanout-client, it tells
// what a broadcast costs on this machine without Qt's WebSocket stack and poll()-based
// event dispatcher: the part of the latency that belongs to the kernel and the machine.
//
//   epoll-floor [--listen 127.0.0.1:PORT]       (prints "listening on http://ADDR:PORT")
#include <utility> // Boost 1.74's asio/awaitable.hpp uses std::exchange without it (C++20)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "fdlimit.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <set>

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Frame = std::shared_ptr<const std::string>;

struct Hub;

struct Session : std::enable_shared_from_this<Session>
{
    Session(tcp::socket socket, Hub &h) : ws(std::move(socket)), hub(h) { }
    websocket::stream<tcp::socket> ws;
    beast::flat_buffer buffer;
    Hub &hub;
    std::deque<Frame> outbox; // one write in flight at a time, as Beast requires
    bool writing = false;

    void start();
    void read();
    void send(const Frame &frame)
    {
        outbox.push_back(frame);
        if (!writing)
            writeNext();
    }
    void writeNext()
    {
        // Asio tries the write at once (a speculative send) and queues only what the kernel
        // did not take: one write() per socket per frame, like kyozo-server's flush.
        writing = true;
        ws.text(true);
        ws.async_write(net::buffer(*outbox.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->outbox.pop_front();
            self->writing = false;
            if (!ec && !self->outbox.empty())
                self->writeNext();
        });
    }
};

struct Hub
{
    // In address order (shared_ptr compares its pointer), as kyozo-server visits its sockets.
    std::set<std::shared_ptr<Session>> sessions;
    void broadcast(const Frame &frame)
    {
        for (const auto &s : sessions)
            s->send(frame);
    }
};

void Session::start()
{
    ws.async_accept([self = shared_from_this()](beast::error_code ec) {
        if (ec)
            return;
        self->hub.sessions.insert(self);
        self->read();
    });
}

void Session::read()
{
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
            self->hub.sessions.erase(self);
            return;
        }
        auto frame = std::make_shared<const std::string>(beast::buffers_to_string(self->buffer.cdata()));
        self->buffer.consume(self->buffer.size());
        self->hub.broadcast(frame);
        self->read();
    });
}

void acceptNext(tcp::acceptor &acceptor, Hub &hub)
{
    acceptor.async_accept([&acceptor, &hub](beast::error_code ec, tcp::socket socket) {
        if (!ec)
            std::make_shared<Session>(std::move(socket), hub)->start();
        acceptNext(acceptor, hub);
    });
}

} // namespace

int main(int argc, char *argv[])
{
    std::string address = "127.0.0.1";
    unsigned short port = 0;
    if (argc == 3 && std::string(argv[1]) == "--listen") {
        const std::string listen = argv[2];
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos) {
            std::fprintf(stderr, "epoll-floor: --listen needs ADDR:PORT\n");
            return 2;
        }
        address = listen.substr(0, colon);
        port = static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1));
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: epoll-floor [--listen ADDR:PORT]\n");
        return 2;
    }
    raiseFdLimit();
    net::io_context io(1);
    beast::error_code ec;
    tcp::acceptor acceptor(io);
    const tcp::endpoint endpoint(net::ip::make_address(address, ec), port);
    if (ec || acceptor.open(endpoint.protocol(), ec) || acceptor.set_option(net::socket_base::reuse_address(true), ec)
        || acceptor.bind(endpoint, ec) || acceptor.listen(1024, ec)) {
        std::fprintf(stderr, "epoll-floor: cannot listen on %s:%u: %s\n", address.c_str(), unsigned(port),
                     ec.message().c_str());
        return 1;
    }
    Hub hub;
    acceptNext(acceptor, hub);
    std::printf("listening on http://%s:%u\n", address.c_str(), unsigned(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    io.run();
    return 0;
}
