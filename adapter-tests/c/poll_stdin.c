// poll() on stdin with a timeout until end of input, reading what arrives; poll() on stdout.
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    struct pollfd out = {.fd = 1, .events = POLLOUT};
    int r = poll(&out, 1, 0);
    printf("stdout: poll=%d writable=%s\n", r, (out.revents & POLLOUT) ? "yes" : "no");
    char buf[1000];
    size_t total = 0;
    int polls = 0, eof = 0;
    while (!eof && polls < 100000) {
        struct pollfd in = {.fd = 0, .events = POLLIN};
        r = poll(&in, 1, 5000);
        polls++;
        if (r < 0) { perror("poll"); return 1; }
        if (r == 0) { printf("timeout\n"); break; }
        if (in.revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n < 0) { perror("read"); return 1; }
            if (n == 0) eof = 1;
            total += (size_t)n;
        }
    }
    printf("stdin: %zu bytes, eof=%d, polled at least once: %s\n", total, eof, polls > 0 ? "yes" : "no");
    return 0;
}
