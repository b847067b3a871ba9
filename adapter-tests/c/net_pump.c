// Several MiB both ways between two processes, with backpressure:
//   net_pump server MODE        listens on 127.0.0.1 (port printed), serves one connection
//   net_pump client PORT MODE   connects
// MODE nonblocking: both ends set O_NONBLOCK and send 8 MiB to each other at once, driven
//   by poll() (every send may answer EWOULDBLOCK); each prints what it sent and received.
// MODE blocking: the client sends 8 MiB with blocking send() and then waits for the server's
//   reply, which the server sends only after it has received all of it (so the client's last
//   bytes must reach the server while the client waits in recv()).
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOTAL (8LL << 20)

static unsigned char pattern(long long i) { return (unsigned char)((i * 2654435761LL) >> 13); }

static int exchange(int fd, const char *who) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    static unsigned char out[65536], in[65536];
    for (int i = 0; i < 65536; i++) out[i] = pattern(i);
    long long sent = 0, got = 0;
    int intact = 1;
    while (sent < TOTAL || got < TOTAL) {
        struct pollfd p = {fd, (short)(POLLIN | (sent < TOTAL ? POLLOUT : 0)), 0};
        if (poll(&p, 1, 30000) <= 0) {
            printf("%s: poll timed out: sent %lld received %lld\n", who, sent, got);
            return 1;
        }
        if (sent < TOTAL && (p.revents & POLLOUT)) {
            size_t off = sent % 65536, want = 65536 - off;
            if ((long long)want > TOTAL - sent) want = TOTAL - sent;
            ssize_t n = send(fd, out + off, want, 0);
            if (n > 0) sent += n;
            else if (n < 0 && errno == EWOULDBLOCK) {}
            else { printf("%s: send: %s\n", who, strerror(errno)); return 1; }
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, in, sizeof in, 0);
            if (n > 0) {
                for (ssize_t k = 0; k < n; k++) intact &= in[k] == pattern((got + k) % 65536);
                got += n;
            } else if (n == 0) { printf("%s: end of stream after %lld\n", who, got); return 1; }
            else if (errno != EWOULDBLOCK) { printf("%s: recv: %s\n", who, strerror(errno)); return 1; }
        }
    }
    printf("%s: sent %lld received %lld intact %d\n", who, sent, got, intact);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "server")) {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4) || getsockname(l, (struct sockaddr *)&a, &len)) {
            perror("listen");
            return 1;
        }
        printf("listening on %d\n", ntohs(a.sin_port));
        fflush(stdout);
        int c = accept(l, NULL, NULL);
        if (c < 0) { perror("accept"); return 1; }
        if (!strcmp(argv[2], "nonblocking")) return exchange(c, "server");
        static unsigned char in[65536];
        long long got = 0;
        unsigned sum = 0;
        while (got < TOTAL) {
            ssize_t n = recv(c, in, sizeof in, 0);
            if (n <= 0) { printf("server: recv %zd after %lld\n", n, got); return 1; }
            for (ssize_t k = 0; k < n; k++) sum = sum * 31 + in[k];
            got += n;
        }
        char reply[64];
        int m = snprintf(reply, sizeof reply, "got %lld checksum %08x", got, sum);
        send(c, reply, m, 0);
        printf("server: received %lld, replied\n", got);
        close(c);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "client")) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons(atoi(argv[2]));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(c, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
        if (!strcmp(argv[3], "nonblocking")) return exchange(c, "client");
        static unsigned char out[65536];
        unsigned sum = 0;
        for (long long i = 0; i < TOTAL; i++) sum = sum * 31 + pattern(i % 65536);
        for (int i = 0; i < 65536; i++) out[i] = pattern(i);
        long long sent = 0;
        while (sent < TOTAL) {
            ssize_t n = send(c, out + sent % 65536, 65536 - sent % 65536, 0);
            if (n <= 0) { printf("client: send: %s\n", strerror(errno)); return 1; }
            sent += n;
        }
        char reply[64];
        ssize_t n = recv(c, reply, sizeof reply - 1, 0);
        reply[n > 0 ? n : 0] = 0;
        char want[64];
        snprintf(want, sizeof want, "got %lld checksum %08x", TOTAL, sum);
        printf("client: sent %lld, reply as expected: %d\n", sent, !strcmp(reply, want));
        close(c);
        return 0;
    }
    fprintf(stderr, "usage: net_pump server MODE | client PORT MODE\n");
    return 2;
}
