// Transparent zero-copy reads: an ordinary C program, unchanged, reading stdin and a file
// through read, readv, pread, preadv and stdio's fread/getc (buffered and unbuffered), and
// writing with write(2) (read(2) and write(2) the adapter serves in one step when it recognises
// wasi-libc).
// It prints what it read (lengths and checksums), identical natively and adapted. With the
// argument `report` it also prints the adapter's counters (bytes it placed in caller buffers,
// bytes it handed out in allocated lists), found through weak references: a native build has
// no adapter, and says so.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

uint64_t wasip2_on_wasip1_caller_bytes(void) __attribute__((weak));
uint64_t wasip2_on_wasip1_allocated_bytes(void) __attribute__((weak));

static unsigned sum(const unsigned char *p, size_t n, unsigned s) {
    for (size_t i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

static unsigned char big[70000];

int main(int argc, char **argv) {
    // stdin: read(2) in odd sizes until the end, then a read at the end.
    size_t total = 0;
    unsigned s = 0;
    ssize_t n;
    size_t sizes[] = {1, 7, 4096, 65536, 70000, 3};
    for (int i = 0; (n = read(0, big, sizes[i % 6])) > 0; i++) {
        s = sum(big, (size_t)n, s);
        total += (size_t)n;
    }
    printf("stdin read: %zu bytes, checksum %08x, last read %zd\n", total, s, n);

    // A file: write it, then read it back every way.
    int fd = open("/sandbox/data.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0) { perror("open"); return 1; }
    for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 7 + i / 251);
    for (size_t off = 0; off < sizeof big;) {
        ssize_t w = write(fd, big + off, sizeof big - off);
        if (w <= 0) { perror("write"); return 1; }
        off += (size_t)w;
    }
    unsigned want = sum(big, sizeof big, 0);
    memset(big, 0, sizeof big);
    lseek(fd, 0, SEEK_SET);
    total = 0, s = 0;
    while ((n = read(fd, big + total, 5000)) > 0) total += (size_t)n;
    printf("file read: %zu bytes, checksum %s\n", total, sum(big, total, 0) == want ? "ok" : "WRONG");

    memset(big, 0, sizeof big);
    lseek(fd, 0, SEEK_SET);
    total = 0;
    for (;;) {
        struct iovec iov[3] = {{big + total, 0}, {big + total, 3000}, {big + total + 3000, 100}};
        n = readv(fd, iov, 3);
        if (n <= 0) break;
        total += (size_t)n;
    }
    printf("file readv: %zu bytes, checksum %s\n", total, sum(big, total, 0) == want ? "ok" : "WRONG");

    unsigned char small[100];
    n = pread(fd, small, sizeof small, 12345);
    unsigned char ref[100];
    for (int i = 0; i < 100; i++) ref[i] = (unsigned char)((12345 + i) * 7 + (12345 + i) / 251);
    printf("pread: %zd bytes, %s; at the end: %zd\n", n, memcmp(small, ref, 100) == 0 ? "ok" : "WRONG",
           pread(fd, small, 10, sizeof big));
    struct iovec piov[2] = {{small, 0}, {small, 50}};
    n = preadv(fd, piov, 2, 69990);
    printf("preadv at 69990: %zd bytes\n", n);
    close(fd);

    // stdio: fread (buffered), fgets, getc, then unbuffered fread.
    FILE *f = fopen("/sandbox/data.bin", "r");
    if (!f) { perror("fopen"); return 1; }
    memset(big, 0, sizeof big);
    size_t got = fread(big, 1, 10, f);
    got += fread(big + got, 1, 20000, f);
    int c = getc(f);
    big[got++] = (unsigned char)c;
    got += fread(big + got, 1, sizeof big - got, f);
    printf("fread: %zu bytes, checksum %s, eof %d\n", got, sum(big, got, 0) == want ? "ok" : "WRONG", feof(f) != 0);
    fclose(f);
    f = fopen("/sandbox/data.bin", "r");
    setvbuf(f, NULL, _IONBF, 0);
    memset(big, 0, sizeof big);
    got = fread(big, 1, sizeof big, f);
    printf("unbuffered fread: %zu bytes, checksum %s\n", got, sum(big, got, 0) == want ? "ok" : "WRONG");
    fclose(f);

    // A write the adapter serves in one step that fails (its failure reported through
    // wasi-libc's own path): as natively.
    int ro = open("/sandbox/data.bin", O_RDONLY);
    errno = 0;
    ssize_t w = write(ro, "x", 1);
    printf("write to a read-only fd: %zd (%s)\n", w, strerror(errno));
    close(ro);
    // And a read the adapter serves in one step that fails: as natively.
    int wo = open("/sandbox/data.bin", O_WRONLY);
    errno = 0;
    ssize_t r = read(wo, small, sizeof small);
    printf("read from a write-only fd: %zd (%s)\n", r, strerror(errno));
    close(wo);

    if (argc > 1 && !strcmp(argv[1], "report")) {
        if (wasip2_on_wasip1_caller_bytes && wasip2_on_wasip1_allocated_bytes)
            printf("adapter: placed %llu bytes in caller buffers, allocated %llu bytes of lists\n",
                   (unsigned long long)wasip2_on_wasip1_caller_bytes(), (unsigned long long)wasip2_on_wasip1_allocated_bytes());
        else
            printf("no adapter\n");
    }
    return 0;
}
