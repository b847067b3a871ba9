// poll(2) as an ordinary C program calls it, on stdio, files, directories and bad fds, with
// every kind of events and timeouts wasi-libc handles: what it returns, errno and every
// revents are printed, and must be identical natively and adapted (where the adapter serves
// wasi-libc's poll in one step when it recognises the libc, and runs the original otherwise).
// Built with the 2024 wasi-libc (Debian trixie), whose poll is WASIp1's poll_oneoff (files
// answered by the adapter as natively), only the reads after a file grew differ, as
// docs/design.md says (tests/libc_poll.rs lists them).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef POLLPRI
#define POLLPRI 0x0200
#endif

// Prints the outcome of poll(fds, n, timeout); every revents starts as 0x5a5a, so that which
// ones poll zeroed shows too.
static int show(const char *what, struct pollfd *fds, nfds_t n, int timeout) {
    for (nfds_t i = 0; i < n; i++)
        fds[i].revents = 0x5a5a;
    errno = 0;
    int r = poll(fds, n, timeout);
    int e = errno;
    printf("%s: %d", what, r);
    if (r < 0)
        printf(" (%s)", strerror(e));
    printf(" revents");
    for (nfds_t i = 0; i < n; i++)
        printf(" %#x", (unsigned)(unsigned short)fds[i].revents);
    printf("\n");
    return r;
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int make(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        perror(path);
        return -1;
    }
    return close(fd);
}

int main(void) {
    // stdio.
    struct pollfd out[] = {{.fd = 1, .events = POLLOUT}};
    show("stdout POLLOUT", out, 1, 0);
    struct pollfd err[] = {{.fd = 2, .events = POLLOUT}};
    show("stderr POLLOUT", err, 1, 0);
    struct pollfd both[] = {{.fd = 1, .events = POLLOUT}, {.fd = 2, .events = POLLOUT | POLLPRI}};
    show("stdout+stderr", both, 2, 0);
    struct pollfd twice[] = {{.fd = 1, .events = POLLOUT}, {.fd = 1, .events = POLLOUT}};
    show("stdout twice", twice, 2, 0);
    struct pollfd rw[] = {{.fd = 1, .events = POLLIN | POLLOUT}};
    show("stdout POLLIN|POLLOUT", rw, 1, 0);
    struct pollfd in_out[] = {{.fd = 0, .events = POLLOUT}};
    show("stdin POLLOUT", in_out, 1, 0);
    struct pollfd out_in[] = {{.fd = 2, .events = POLLIN}};
    show("stderr POLLIN", out_in, 1, 0);
    // A later fd failing: the earlier ones' revents are zeroed anyway, the later ones' too.
    struct pollfd later[] = {{.fd = 1, .events = POLLOUT}, {.fd = 0, .events = POLLOUT}, {.fd = 2, .events = POLLOUT}};
    show("stdout, stdin POLLOUT, stderr", later, 3, 0);

    // Negative fds and no events.
    struct pollfd neg[] = {{.fd = -1, .events = POLLIN}, {.fd = 1, .events = POLLOUT}, {.fd = -5, .events = 0}};
    show("negative fds around stdout", neg, 3, 0);
    struct pollfd none[] = {{.fd = 1, .events = 0}, {.fd = 2, .events = POLLOUT}};
    show("stdout no events, stderr", none, 2, 0);
    struct pollfd only_neg[] = {{.fd = -1, .events = POLLIN}, {.fd = -2, .events = POLLOUT}};
    show("only negative fds", only_neg, 2, 0);
    long long t0 = now_ms();
    show("only negative fds, 30 ms", only_neg, 2, 30);
    printf("  waited at least 30 ms: %s\n", now_ms() - t0 >= 29 ? "yes" : "no");
    t0 = now_ms();
    show("no fds, 20 ms", NULL, 0, 20);
    printf("  waited at least 20 ms: %s\n", now_ms() - t0 >= 19 ? "yes" : "no");
    show("no fds, 0 ms", NULL, 0, 0);

    // Bad fds.
    struct pollfd bad[] = {{.fd = 99, .events = POLLIN}};
    show("fd 99", bad, 1, 0);
    struct pollfd bad_none[] = {{.fd = 99, .events = 0}};
    show("fd 99 without events", bad_none, 1, 0);
    struct pollfd bad_later[] = {{.fd = 1, .events = POLLOUT}, {.fd = 77, .events = POLLOUT}};
    show("stdout, fd 77", bad_later, 2, 0);

    // POLLPRI and events wasi-libc does not support.
    struct pollfd pri[] = {{.fd = 1, .events = POLLPRI}};
    show("stdout POLLPRI only", pri, 1, 0);
    struct pollfd pri_bad[] = {{.fd = 99, .events = POLLPRI}, {.fd = -1, .events = POLLOUT}};
    show("fd 99 POLLPRI only, negative fd", pri_bad, 2, 0);
    struct pollfd pri_mix[] = {{.fd = 1, .events = POLLPRI}, {.fd = 2, .events = POLLOUT}};
    show("stdout POLLPRI, stderr POLLOUT", pri_mix, 2, 0);
    struct pollfd hup[] = {{.fd = 1, .events = POLLOUT | POLLHUP}};
    show("stdout POLLOUT|POLLHUP", hup, 1, 0);
    struct pollfd high[] = {{.fd = 1, .events = (short)0x8000}};
    show("stdout events 0x8000", high, 1, 0);
    struct pollfd four[] = {{.fd = 1, .events = 0x4}};
    show("stdout events 0x4", four, 1, 0);

    // Timeouts.
    show("stdout, 10 ms", out, 1, 10);
    show("stdout, no timeout", out, 1, -1);
    show("stdout+stderr, 5 ms", both, 2, 5);

    // More fds than the adapter serves itself: the original.
    struct pollfd many[20];
    for (int i = 0; i < 20; i++)
        many[i] = (struct pollfd){.fd = 1 + i % 2, .events = POLLOUT};
    show("20 fds", many, 20, 0);

    // Files. A native host reads a file input stream ahead in the background when it is
    // waited on, so its first poll with a timeout of 0 may come before that read is done
    // (not ready) or after: a file read stream is first polled with a timeout (ready when
    // the read-ahead is, at once here), then with 0 (ready: the read-ahead is buffered).
    if (make("/sandbox/data.txt", "hello") < 0)
        return 1;
    int rd = open("/sandbox/data.txt", O_RDONLY);
    int wr = open("/sandbox/data.txt", O_WRONLY);
    int rdwr = open("/sandbox/data.txt", O_RDWR);
    int app = open("/sandbox/data.txt", O_WRONLY | O_APPEND);
    struct pollfd f1[] = {{.fd = rd, .events = POLLIN}};
    show("file POLLIN, 1 s", f1, 1, 1000);
    show("file POLLIN", f1, 1, 0);
    struct pollfd f2[] = {{.fd = wr, .events = POLLOUT}};
    show("file POLLOUT", f2, 1, 0);
    struct pollfd f3[] = {{.fd = rdwr, .events = POLLIN | POLLOUT | POLLPRI}};
    struct pollfd f3in[] = {{.fd = rdwr, .events = POLLIN}};
    show("read-write file POLLIN, 1 s", f3in, 1, 1000);
    show("read-write file POLLIN|POLLOUT|POLLPRI", f3, 1, 0);
    show("read-write file POLLIN|POLLOUT|POLLPRI, 1 s", f3, 1, 1000);
    struct pollfd f4[] = {{.fd = app, .events = POLLOUT}};
    show("append file POLLOUT", f4, 1, 0);
    struct pollfd f5[] = {{.fd = wr, .events = POLLIN}};
    show("write-only file POLLIN, 1 s", f5, 1, 1000);
    struct pollfd f6[] = {{.fd = rd, .events = POLLOUT}};
    show("read-only file POLLOUT", f6, 1, 0);
    struct pollfd mixed[] = {{.fd = rd, .events = POLLIN}, {.fd = 1, .events = POLLOUT}, {.fd = -1}, {.fd = wr, .events = POLLOUT}};
    show("file, stdout, negative, file", mixed, 4, 0);
    show("file, stdout, negative, file, 10 ms", mixed, 4, 10);
    show("file, stdout, negative, file, no timeout", mixed, 4, -1);
    // Files only, and a file with a long timeout: ready at once, no waiting.
    show("file POLLIN, no timeout", f1, 1, -1);
    t0 = now_ms();
    show("file POLLIN, 3 s", f1, 1, 3000);
    printf("  returned within 1 s: %s\n", now_ms() - t0 < 1000 ? "yes" : "no");
    struct pollfd three[] = {{.fd = rd, .events = POLLIN}, {.fd = rdwr, .events = POLLIN | POLLOUT}, {.fd = app, .events = POLLOUT}};
    show("three files, no timeout", three, 3, -1);
    char buf[64];
    ssize_t n = read(rd, buf, sizeof buf);
    printf("read: %zd\n", n);
    // At the end of the file: a wait there ends the stream (as the native read-ahead does), so
    // what is appended afterwards is not read through it.
    show("file at its end POLLIN, 1 s", f1, 1, 1000);
    if (write(app, " world", 6) != 6)
        perror("append");
    n = read(rd, buf, sizeof buf);
    printf("read after the end was polled and the file grew: %zd\n", n);
    // After a seek libc makes a new stream: it reads what is there.
    lseek(rd, 0, SEEK_SET);
    show("file after a seek POLLIN, 1 s", f1, 1, 1000);
    n = read(rd, buf, sizeof buf);
    printf("read after the seek: %zd\n", n);
    // A file not polled at its end reads what was appended.
    int rd2 = open("/sandbox/data.txt", O_RDONLY);
    n = read(rd2, buf, sizeof buf);
    if (write(app, "!", 1) != 1)
        perror("append");
    n = read(rd2, buf, sizeof buf);
    printf("read of a file not polled at its end after it grew: %zd\n", n);
    close(rd2);
    // Writes after polling.
    show("file POLLOUT again", f2, 1, 0);
    printf("write after poll: %zd\n", write(wr, "HE", 2));

    // A directory: libc's read stream of it fails.
    int dir = open("/sandbox", O_RDONLY | O_DIRECTORY);
    struct pollfd d[] = {{.fd = dir, .events = POLLIN}};
    show("directory POLLIN", d, 1, 0);
    struct pollfd d2[] = {{.fd = dir, .events = POLLOUT}};
    show("directory POLLOUT", d2, 1, 0);
    struct pollfd d3[] = {{.fd = 1, .events = POLLOUT}, {.fd = dir, .events = POLLIN}, {.fd = 2, .events = POLLOUT}};
    show("stdout, directory, stderr", d3, 3, 0);
    close(dir);

    // Closed fds.
    close(wr);
    show("closed file", f2, 1, 0);
    close(rd);
    close(rdwr);
    close(app);

    // stdin: wait until it has data or has ended, read it all, then poll it at its end.
    struct pollfd in[] = {{.fd = 0, .events = POLLIN}};
    show("stdin POLLIN, 5 s", in, 1, 5000);
    size_t total = 0;
    for (;;) {
        n = read(0, buf, sizeof buf);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    printf("stdin: %zu bytes, last read %zd\n", total, n);
    show("stdin at its end POLLIN", in, 1, 0);
    struct pollfd all[] = {{.fd = 0, .events = POLLIN}, {.fd = 1, .events = POLLOUT}, {.fd = 2, .events = POLLOUT}};
    show("stdin, stdout, stderr", all, 3, 0);
    show("stdin, stdout, stderr, no timeout", all, 3, -1);
    return 0;
}
