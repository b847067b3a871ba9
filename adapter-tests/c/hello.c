// C hello for the differential harness: printf, argv, getenv, both clocks, stdin, exit(3).
// Output is deterministic (clock values are checked, not printed) so transcripts compare.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("hello from C, argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(unset)");
    printf("MISSING=%s\n", getenv("MISSING") ? "set" : "(unset)");

    struct timespec m1, m2, r;
    if (clock_gettime(CLOCK_MONOTONIC, &m1) || clock_gettime(CLOCK_MONOTONIC, &m2) ||
        clock_gettime(CLOCK_REALTIME, &r)) {
        printf("clock_gettime failed\n");
        return 1;
    }
    long long a = m1.tv_sec * 1000000000LL + m1.tv_nsec, b = m2.tv_sec * 1000000000LL + m2.tv_nsec;
    printf("monotonic non-decreasing: %s\n", b >= a ? "yes" : "no");
    printf("realtime after 2020: %s\n", r.tv_sec > 1577836800 ? "yes" : "no");

    char buf[256];
    size_t total = 0;
    ssize_t n;
    unsigned sum = 0;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
        total += (size_t)n;
    }
    printf("stdin: %zu bytes, checksum %08x, last read %zd\n", total, sum, n);
    fprintf(stderr, "to stderr: exiting with 3\n");
    fflush(stdout);
    exit(3);
}
