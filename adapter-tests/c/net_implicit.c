// Implicit binds and socket semantics on a loopback-only address pool (no 0.0.0.0 or ::):
// programs that never bind, or bind to the unspecified address with port 0, as a WASIp1
// program's sockets do on the same runtime. Every wait is bounded (poll timeouts, SO_RCVTIMEO).
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in v4(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int port_of(int fd) {
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &n) != 0) return -1;
    return ntohs(a.sin_port);
}

static const char *addr_of(int fd, char *buf) {
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &n) != 0) return strerror(errno);
    return inet_ntop(AF_INET, &a.sin_addr, buf, 32);
}

static int wait_in(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 10000);
}

int main(void) {
    char buf[64], ip[32];
    // A UDP server, and a client that never binds.
    int srv = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = v4("127.0.0.1", 0);
    bind(srv, (struct sockaddr *)&sa, sizeof sa);
    int sport = port_of(srv);
    int cli = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = v4("127.0.0.1", sport);
    printf("udp sendto without bind: %zd\n", sendto(cli, "ping", 4, 0, (struct sockaddr *)&to, sizeof to));
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = wait_in(srv) == 1 ? recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) : -1;
    printf("server received %zd [%.*s], client port seen: %d\n", n, (int)(n > 0 ? n : 0), buf, ntohs(from.sin_port) == port_of(cli));
    printf("client local address after sendto: %s, port set: %d\n", addr_of(cli, ip), port_of(cli) > 0);
    sendto(srv, "pong", 4, 0, (struct sockaddr *)&from, fl);
    n = wait_in(cli) == 1 ? recv(cli, buf, sizeof buf, 0) : -1;
    printf("client received the reply: %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);

    // A UDP client that connects without binding.
    int uc = socket(AF_INET, SOCK_DGRAM, 0);
    printf("udp connect without bind: %d\n", connect(uc, (struct sockaddr *)&to, sizeof to));
    printf("udp send after connect: %zd\n", send(uc, "hello", 5, 0));
    n = wait_in(srv) == 1 ? recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) : -1;
    printf("server received %zd, from the connected client's port: %d\n", n, ntohs(from.sin_port) == port_of(uc));
    printf("connected client local address: %s\n", addr_of(uc, ip));

    // UDP bind to 0.0.0.0:0 explicitly, then send.
    int ub = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = v4("0.0.0.0", 0);
    printf("udp bind 0.0.0.0:0: %d\n", bind(ub, (struct sockaddr *)&any, sizeof any));
    printf("udp sendto after it: %zd\n", sendto(ub, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    n = wait_in(srv) == 1 ? recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) : -1;
    printf("server received %zd from its port: %d\n", n, ntohs(from.sin_port) == port_of(ub));
    // A specific address outside the pool is still refused.
    int uo = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in outside = v4("10.1.2.3", 0);
    int r = bind(uo, (struct sockaddr *)&outside, sizeof outside);
    printf("udp bind 10.1.2.3:0 (outside the pool): %d %s\n", r, r ? strerror(errno) : "");

    // TCP: a listener bound to 0.0.0.0:0, and a client that connects without binding.
    int l = socket(AF_INET, SOCK_STREAM, 0);
    printf("tcp bind 0.0.0.0:0: %d\n", bind(l, (struct sockaddr *)&any, sizeof any));
    r = listen(l, 4);
    printf("tcp listen: %d %s\n", r, r ? strerror(errno) : "");
    int lport = port_of(l);
    printf("listener local address: %s, port set: %d\n", addr_of(l, ip), lport > 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in lto = v4("127.0.0.1", lport);
    printf("tcp connect without bind: %d\n", connect(c, (struct sockaddr *)&lto, sizeof lto));
    printf("client local address: %s, port set: %d\n", addr_of(c, ip), port_of(c) > 0);
    int a = wait_in(l) == 1 ? accept(l, NULL, NULL) : -1;
    printf("accepted: %d\n", a >= 0);
    // TCP client bound to 0.0.0.0:0, then connect.
    int c2 = socket(AF_INET, SOCK_STREAM, 0);
    printf("tcp client bind 0.0.0.0:0: %d\n", bind(c2, (struct sockaddr *)&any, sizeof any));
    printf("tcp connect after it: %d\n", connect(c2, (struct sockaddr *)&lto, sizeof lto));
    printf("client local address: %s\n", addr_of(c2, ip));
    int a2 = wait_in(l) == 1 ? accept(l, NULL, NULL) : -1;
    printf("accepted: %d\n", a2 >= 0);
    // Binds and connects to broadcast and multicast addresses are invalid.
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in bc = v4("255.255.255.255", 80), mc = v4("224.0.0.1", 80);
    r = bind(t, (struct sockaddr *)&bc, sizeof bc);
    printf("tcp bind 255.255.255.255: %d %s\n", r, r ? strerror(errno) : "");
    r = bind(t, (struct sockaddr *)&mc, sizeof mc);
    printf("tcp bind 224.0.0.1: %d %s\n", r, r ? strerror(errno) : "");
    r = connect(t, (struct sockaddr *)&bc, sizeof bc);
    printf("tcp connect 255.255.255.255: %d %s\n", r, r ? strerror(errno) : "");
    r = connect(t, (struct sockaddr *)&mc, sizeof mc);
    printf("tcp connect 224.0.0.1: %d %s\n", r, r ? strerror(errno) : "");
    close(t);
    close(a2); close(c2); close(a); close(c); close(l);
    close(uo); close(ub); close(uc); close(cli); close(srv);
    return 0;
}
