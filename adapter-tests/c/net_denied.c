// Sockets where the host grants no network access: the portable build answers as a native
// host does (socket creation access-denied, name lookup a permanent failure).
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    errno = 0;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket(AF_INET, SOCK_STREAM): %d %s\n", s, s < 0 ? strerror(errno) : "");
    errno = 0;
    s = socket(AF_INET6, SOCK_DGRAM, 0);
    printf("socket(AF_INET6, SOCK_DGRAM): %d %s\n", s, s < 0 ? strerror(errno) : "");
    struct addrinfo *res = NULL;
    int r = getaddrinfo("localhost", "80", NULL, &res);
    printf("getaddrinfo(localhost): %d %s\n", r, r ? gai_strerror(r) : "ok");
    r = getaddrinfo("127.0.0.1", "80", NULL, &res);
    printf("getaddrinfo(127.0.0.1): %d %s\n", r, r ? gai_strerror(r) : "ok");
    return 0;
}
