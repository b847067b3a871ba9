// Sockets through wasi-libc. Modes:
//   net all                 single-process checks: TCP over loopback (IPv4 and IPv6), non-blocking
//                           accept with poll(), socket options, UDP (unconnected and connected),
//                           getaddrinfo
//   net server N            TCP echo server on 127.0.0.1, port chosen by the system (printed),
//                           serving N connections
//   net client PORT BYTES   connects, sends BYTES in 16 KiB chunks, reads each echo back
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK(label, expr) do { errno = 0; long _r = (long)(expr); \
    printf("%-40s %s%s\n", label, _r < 0 ? "error: " : "ok", _r < 0 ? strerror(errno) : ""); } while (0)

static unsigned short port_of(int s) {
    struct sockaddr_storage a;
    socklen_t l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    return a.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&a)->sin_port) : ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
}

static int listener(int family) {
    int s = socket(family, SOCK_STREAM, 0);
    if (s < 0) { perror("socket"); exit(1); }
    if (family == AF_INET) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        if (bind(s, (struct sockaddr *)&a, sizeof a)) { perror("bind"); exit(1); }
    } else {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = 0};
        inet_pton(AF_INET6, "::1", &a.sin6_addr);
        if (bind(s, (struct sockaddr *)&a, sizeof a)) { perror("bind6"); exit(1); }
    }
    if (listen(s, 16)) { perror("listen"); exit(1); }
    return s;
}

static int connect_to(int family, unsigned short port) {
    int c = socket(family, SOCK_STREAM, 0);
    int r;
    if (family == AF_INET) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        r = connect(c, (struct sockaddr *)&a, sizeof a);
    } else {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
        inet_pton(AF_INET6, "::1", &a.sin6_addr);
        r = connect(c, (struct sockaddr *)&a, sizeof a);
    }
    return r ? -1 : c;
}

static void tcp_roundtrip(int family) {
    int l = listener(family);
    unsigned short port = port_of(l);
    int c = connect_to(family, port);
    printf("%s connect: %s\n", family == AF_INET ? "IPv4" : "IPv6", c >= 0 ? "ok" : strerror(errno));
    struct sockaddr_storage peer;
    socklen_t pl = sizeof peer;
    int s = accept(l, (struct sockaddr *)&peer, &pl);
    printf("accept: %s, peer family ok %d\n", s >= 0 ? "ok" : strerror(errno), peer.ss_family == family);
    char buf[256];
    const char *msg = "hello over loopback";
    ssize_t w = write(c, msg, strlen(msg));
    ssize_t r = read(s, buf, sizeof buf);
    printf("client->server: wrote %zd read %zd [%.*s]\n", w, r, (int)(r > 0 ? r : 0), buf);
    w = send(s, "pong", 4, 0);
    r = recv(c, buf, sizeof buf, 0);
    printf("server->client: sent %zd received %zd [%.*s]\n", w, r, (int)(r > 0 ? r : 0), buf);
    struct sockaddr_storage me, them;
    socklen_t ml = sizeof me, tl = sizeof them;
    getsockname(c, (struct sockaddr *)&me, &ml);
    getpeername(c, (struct sockaddr *)&them, &tl);
    unsigned short their_port = them.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&them)->sin_port) : ntohs(((struct sockaddr_in6 *)&them)->sin6_port);
    printf("getpeername port matches listener: %d, local port nonzero: %d\n", their_port == port, port_of(c) != 0);
    close(c);
    r = read(s, buf, sizeof buf);
    printf("read after peer closed: %zd\n", r);
    close(s);
    close(l);
}

static void nonblocking_accept(void) {
    int l = listener(AF_INET);
    fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK);
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    errno = 0;
    int s = accept(l, (struct sockaddr *)&peer, &pl);
    printf("non-blocking accept with nothing pending: %d %s\n", s, s < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "EWOULDBLOCK" : strerror(errno));
    struct pollfd p = {.fd = l, .events = POLLIN};
    printf("poll(listener, 0ms) before a connection: %d\n", poll(&p, 1, 0));
    int c = connect_to(AF_INET, port_of(l));
    p.revents = 0;
    int r = poll(&p, 1, 2000);
    printf("poll(listener) after connect: %d readable %d\n", r, (p.revents & POLLIN) != 0);
    s = accept(l, (struct sockaddr *)&peer, &pl);
    printf("accept after poll: %s\n", s >= 0 ? "ok" : strerror(errno));
    // (Not printed: poll(conn, 0) with no data is 0 here, as POSIX says, but 1 on wasmtime's
    // native host, which reports a connection's input ready before data arrives.)
    struct pollfd q = {.fd = s, .events = POLLIN};
    write(c, "x", 1);
    printf("poll(conn) after data: %d\n", poll(&q, 1, 2000));
    close(c); close(s); close(l);
}

static void nonblocking_connect(void) {
    int l = listener(AF_INET);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port_of(l))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    errno = 0;
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    // Either at once or EINPROGRESS then writable: both are what POSIX allows; print the outcome.
    int ok = r == 0;
    if (r < 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = c, .events = POLLOUT};
        int err = -1;
        socklen_t el = sizeof err;
        ok = poll(&p, 1, 2000) == 1 && getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0;
    }
    printf("non-blocking connect, then poll for writable: %s\n", ok ? "connected" : strerror(errno));
    int s = accept(l, NULL, NULL);
    printf("accepted it: %s\n", s >= 0 ? "ok" : strerror(errno));
    close(s); close(c); close(l);
}

static void options(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int v = 0;
    socklen_t l = sizeof v;
    CHECK("getsockopt SO_RCVBUF", getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l));
    printf("SO_RCVBUF > 0: %d\n", v > 0);
    v = 1;
    CHECK("setsockopt SO_KEEPALIVE 1", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    v = 0;
    l = sizeof v;
    CHECK("getsockopt SO_KEEPALIVE", getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &l));
    printf("SO_KEEPALIVE now: %d\n", v != 0);
    // 127.0.0.2 is outside the pool the tests grant (127.0.0.1/32): refused before any packet.
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
    inet_pton(AF_INET, "127.0.0.2", &a.sin_addr);
    errno = 0;
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("connect outside the address pool: %d %s\n", r, r < 0 ? strerror(errno) : "");
    close(s);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in closed = {.sin_family = AF_INET, .sin_port = htons(1)};
    inet_pton(AF_INET, "127.0.0.1", &closed.sin_addr);
    errno = 0;
    r = connect(c, (struct sockaddr *)&closed, sizeof closed);
    printf("connect to a closed port: %d %s\n", r, r < 0 ? strerror(errno) : "");
    close(c);
}

static void udp(void) {
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in la = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &la.sin_addr);
    bind(a, (struct sockaddr *)&la, sizeof la);
    bind(b, (struct sockaddr *)&la, sizeof la);
    struct sockaddr_in to = la;
    to.sin_port = htons(port_of(a));
    ssize_t w = sendto(b, "datagram-1", 10, 0, (struct sockaddr *)&to, sizeof to);
    char buf[64];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t r = recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    printf("udp unconnected: sent %zd received %zd [%.*s] from b's port %d\n", w, r, (int)(r > 0 ? r : 0), buf, ntohs(from.sin_port) == port_of(b));
    struct sockaddr_in back = la;
    back.sin_port = htons(port_of(b));
    printf("udp connect: %d\n", connect(a, (struct sockaddr *)&back, sizeof back));
    w = send(a, "datagram-2", 10, 0);
    r = recv(b, buf, sizeof buf, 0);
    printf("udp connected: sent %zd received %zd [%.*s]\n", w, r, (int)(r > 0 ? r : 0), buf);
    close(a); close(b);
}

static void lookup(void) {
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    int r = getaddrinfo("localhost", "8080", &hints, &res);
    printf("getaddrinfo(localhost): %s\n", r ? gai_strerror(r) : "ok");
    if (!r) {
        int v4 = 0, port_ok = 1;
        for (struct addrinfo *i = res; i; i = i->ai_next) {
            if (i->ai_family == AF_INET) { v4++; port_ok &= ntohs(((struct sockaddr_in *)i->ai_addr)->sin_port) == 8080; }
        }
        printf("  an IPv4 address: %d, port set: %d\n", v4 > 0, port_ok);
        freeaddrinfo(res);
    }
    r = getaddrinfo("127.0.0.1", NULL, NULL, &res);
    printf("getaddrinfo(127.0.0.1): %s\n", r ? gai_strerror(r) : "ok");
    if (!r) freeaddrinfo(res);
    r = getaddrinfo("::1", NULL, NULL, &res);
    printf("getaddrinfo(::1): %s%s\n", r ? gai_strerror(r) : "ok", !r && res->ai_family == AF_INET6 ? " (IPv6)" : "");
    if (!r) freeaddrinfo(res);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && !strcmp(argv[1], "server")) {
        int n = argc > 2 ? atoi(argv[2]) : 1;
        int l = listener(AF_INET);
        printf("listening on %d\n", port_of(l));
        long long total = 0;
        for (int i = 0; i < n; i++) {
            int s = accept(l, NULL, NULL);
            static char buf[16384];
            ssize_t r;
            while ((r = read(s, buf, sizeof buf)) > 0) {
                for (ssize_t off = 0; off < r;) {
                    ssize_t w = write(s, buf + off, r - off);
                    if (w <= 0) break;
                    off += w;
                }
                total += r;
            }
            close(s);
        }
        printf("server echoed %lld bytes over %d connections\n", total, n);
        return 0;
    }
    if (argc > 3 && !strcmp(argv[1], "client")) {
        int c = connect_to(AF_INET, (unsigned short)atoi(argv[2]));
        if (c < 0) { perror("connect"); return 1; }
        long long want = atoll(argv[3]), done = 0;
        static char out[16384], in[16384];
        unsigned sum = 0;
        while (done < want) {
            size_t n = want - done < (long long)sizeof out ? (size_t)(want - done) : sizeof out;
            for (size_t i = 0; i < n; i++) out[i] = (char)((done + i) * 7);
            for (size_t off = 0; off < n;) { ssize_t w = write(c, out + off, n - off); if (w <= 0) { perror("write"); return 1; } off += w; }
            for (size_t got = 0; got < n;) {
                ssize_t r = read(c, in + got, n - got);
                if (r <= 0) { perror("read"); return 1; }
                got += r;
            }
            for (size_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)in[i];
            done += n;
        }
        close(c);
        printf("client: %lld bytes echoed, checksum %08x\n", done, sum);
        return 0;
    }
    tcp_roundtrip(AF_INET);
    tcp_roundtrip(AF_INET6);
    nonblocking_accept();
    nonblocking_connect();
    options();
    udp();
    lookup();
    return 0;
}
