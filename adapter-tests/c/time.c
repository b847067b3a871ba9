// Sleeps and clocks: nanosleep, clock_nanosleep (relative and absolute), usleep below a
// millisecond, poll() as a sleep, clock_getres. Prints only checks, so runs compare.
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void check(const char *what, long long start, long long want_ns, int rc) {
    long long got = now(CLOCK_MONOTONIC) - start;
    printf("%-40s rc=%d slept>=requested: %s\n", what, rc, got >= want_ns ? "yes" : "no");
}

int main(void) {
    long long t;
    struct timespec req = {0, 20 * 1000000};
    t = now(CLOCK_MONOTONIC);
    check("nanosleep 20ms", t, 20000000, nanosleep(&req, NULL));

    struct timespec rel = {0, 15 * 1000000};
    t = now(CLOCK_MONOTONIC);
    check("clock_nanosleep relative 15ms", t, 15000000, clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, NULL));

    t = now(CLOCK_MONOTONIC);
    long long deadline = t + 25000000;
    struct timespec abs = {deadline / 1000000000, deadline % 1000000000};
    check("clock_nanosleep absolute +25ms", t, 25000000, clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));

    t = now(CLOCK_MONOTONIC);
    check("usleep 500us", t, 500000, usleep(500));

    t = now(CLOCK_MONOTONIC);
    struct timespec sub = {0, 300000};
    check("nanosleep 300us", t, 300000, nanosleep(&sub, NULL));

    t = now(CLOCK_MONOTONIC);
    check("poll(NULL, 0, 12)", t, 12000000, poll(NULL, 0, 12));

    struct timespec past = {0, 0};
    t = now(CLOCK_MONOTONIC);
    check("clock_nanosleep absolute in the past", t, 0, clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));

    struct timespec res;
    printf("clock_getres monotonic rc=%d positive: %s\n", clock_getres(CLOCK_MONOTONIC, &res),
           (res.tv_sec > 0 || res.tv_nsec > 0) ? "yes" : "no");
    printf("clock_getres realtime rc=%d positive: %s\n", clock_getres(CLOCK_REALTIME, &res),
           (res.tv_sec > 0 || res.tv_nsec > 0) ? "yes" : "no");
    printf("time() after 2020: %s\n", time(NULL) > 1577836800 ? "yes" : "no");
    return 0;
}
