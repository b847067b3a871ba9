// Benchmark workloads. One source, built four ways by `cargo run -p bench`:
//   p1        for wasm32-wasip1 (no adapter: the limit),
//   p2        for wasm32-wasip2, linked with the adapter (unmodified code: its read(2)s are
//             zero-copy when the linker recognises wasi-libc, see crates/ld/src/zerocopy.rs),
//   p2zc      the same with -DZEROCOPY: reads call WASI 0.2's descriptor.read directly with
//             the adapter's caller-supplied buffer armed by hand (the explicit API),
//   native    for wasm32-wasip2 as a component (wasmtime only, for reference).
// Each run times only the workload (monotonic clock) and prints `elapsed_ns=N`, plus facts
// the harness checks (bytes moved, memory pages, adapter counters).
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__wasip2__)
#define HAVE_SOCKETS 1
#elif defined(WAMR_SOCKETS)
#include <wasi_socket_ext.h>
#define HAVE_SOCKETS 1
#endif
#ifdef ZEROCOPY
#include <wasi/wasip2.h>
#endif
#ifdef ADAPTER
#include "../api/wasip2_on_wasip1.h"
#define HEAP_PAGES() ((long)wasip2_on_wasip1_heap_pages())
#else
#define HEAP_PAGES() (-1L)
#endif

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static char buf[1 << 16];

static int write_file(size_t chunk, long long total) {
    memset(buf, 'w', sizeof buf);
    int fd = open("/sandbox/big.bin", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) { perror("open"); return 1; }
    long long t0 = now(), done = 0;
    while (done < total) {
        ssize_t n = write(fd, buf, chunk);
        if (n <= 0) { perror("write"); return 1; }
        done += n;
    }
    long long t1 = now();
    close(fd);
    printf("elapsed_ns=%lld bytes=%lld\n", t1 - t0, done);
    return 0;
}

#ifdef ZEROCOPY
// pread-style reads through wasi:filesystem `descriptor.read`, with the buffer armed.
static int read_file(size_t chunk) {
    filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
    filesystem_preopens_get_directories(&dirs);
    filesystem_borrow_descriptor_t root = filesystem_borrow_descriptor(dirs.ptr[0].f0);
    wasip2_string_t path = {(uint8_t *)"big.bin", 7};
    filesystem_own_descriptor_t f;
    filesystem_error_code_t err;
    if (!filesystem_method_descriptor_open_at(root, 0, &path, 0, FILESYSTEM_DESCRIPTOR_FLAGS_READ, &f, &err)) {
        printf("open-at failed %d\n", err);
        return 1;
    }
    filesystem_borrow_descriptor_t d = filesystem_borrow_descriptor(f);
    long long t0 = now(), done = 0, in_place = 0;
    unsigned sum = 0;
    uint64_t placed0 = wasip2_on_wasip1_caller_bytes();
    for (;;) {
        wasip2_tuple2_list_u8_bool_t r;
        wasip2_on_wasip1_arm_buffer(buf, chunk);
        if (!filesystem_method_descriptor_read(d, chunk, done, &r, &err)) { printf("read failed %d\n", err); return 1; }
        if (r.f0.len == 0) break;
        if (r.f0.ptr == (uint8_t *)buf) in_place += r.f0.len; else free(r.f0.ptr);
        sum += buf[0];
        done += r.f0.len;
    }
    long long t1 = now();
    printf("elapsed_ns=%lld bytes=%lld in_place=%lld adapter_placed=%llu\n", t1 - t0, done, in_place,
           (unsigned long long)(wasip2_on_wasip1_caller_bytes() - placed0));
    return sum == 0xdeadbeef;
}
#else
// An unmodified read(2) loop. Linked with the adapter, it also reports (after the timed
// loop) the adapter's counters over the loop: bytes it placed straight into the program's
// buffers, and bytes it handed out in allocated lists that wasi-libc then copied.
static int read_file(size_t chunk) {
    int fd = open("/sandbox/big.bin", O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
#ifdef ADAPTER
    uint64_t placed0 = wasip2_on_wasip1_caller_bytes(), allocated0 = wasip2_on_wasip1_allocated_bytes();
#endif
    long long t0 = now(), done = 0;
    unsigned sum = 0;
    ssize_t n;
    while ((n = read(fd, buf, chunk)) > 0) { done += n; sum += buf[0]; }
    long long t1 = now();
    close(fd);
#ifdef ADAPTER
    printf("elapsed_ns=%lld bytes=%lld adapter_placed=%llu adapter_copied=%llu\n", t1 - t0, done,
           (unsigned long long)(wasip2_on_wasip1_caller_bytes() - placed0),
           (unsigned long long)(wasip2_on_wasip1_allocated_bytes() - allocated0));
#else
    printf("elapsed_ns=%lld bytes=%lld\n", t1 - t0, done);
#endif
    return sum == 0xdeadbeef;
}
#endif

#ifdef HAVE_SOCKETS
// TCP over loopback in one process: a client writes 16 KiB chunks, the server reads each one
// back out before the next (so no buffer ever fills). WAMR only; the p1 build gets sockets
// from WAMR's own socket shim (wasi_socket_ext.c), the p2 builds from the adapter.
static int tcp_loopback(long long total) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1)) { perror("listen"); return 1; }
    socklen_t al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    int s = accept(l, NULL, NULL);
    enum { CHUNK = 16384 };
    static char out[CHUNK], in[CHUNK];
    memset(out, 't', sizeof out);
    long long t0 = now(), done = 0;
    while (done < total) {
        for (size_t off = 0; off < CHUNK;) {
            ssize_t w = write(c, out + off, CHUNK - off);
            if (w <= 0) { perror("write"); return 1; }
            off += (size_t)w;
        }
        for (size_t got = 0; got < CHUNK;) {
            ssize_t r = read(s, in + got, CHUNK - got);
            if (r <= 0) { perror("read"); return 1; }
            got += (size_t)r;
        }
        done += CHUNK;
    }
    printf("elapsed_ns=%lld bytes=%lld\n", now() - t0, done);
    close(c); close(s); close(l);
    return 0;
}
#endif

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *w = argv[1];
    long n = argc > 2 ? atol(argv[2]) : 0;
    long long m = argc > 3 ? atoll(argv[3]) : 0;
    if (!strcmp(w, "write")) return write_file((size_t)n, m);
#ifdef HAVE_SOCKETS
    if (!strcmp(w, "tcp")) return tcp_loopback(n);
#endif
    if (!strcmp(w, "read")) return read_file((size_t)n);
    if (!strcmp(w, "pread")) {
        int fd = open("/sandbox/big.bin", O_RDONLY);
        long long t0 = now(), done = 0;
        ssize_t k;
        while ((k = pread(fd, buf, (size_t)n, done)) > 0) done += k;
        printf("elapsed_ns=%lld bytes=%lld\n", now() - t0, done);
        return 0;
    }
    if (!strcmp(w, "stdout")) {
        long long t0 = now();
        for (long i = 0; i < n; i++) printf("line %ld\n", i);
        fflush(stdout);
        fprintf(stderr, "elapsed_ns=%lld\n", now() - t0);
        return 0;
    }
    if (!strcmp(w, "clock")) {
        struct timespec t;
        long long acc = 0, t0 = now();
        for (long i = 0; i < n; i++) { clock_gettime(CLOCK_MONOTONIC, &t); acc += t.tv_nsec & 1; }
        printf("elapsed_ns=%lld (%d)\n", now() - t0, acc >= 0);
        return 0;
    }
    if (!strcmp(w, "poll")) {
        struct pollfd p = {.fd = 1, .events = POLLOUT};
        long ready = 0;
        long long t0 = now();
        for (long i = 0; i < n; i++) ready += poll(&p, 1, 0);
        printf("elapsed_ns=%lld ready=%ld\n", now() - t0, ready);
        return 0;
    }
    if (!strcmp(w, "mkfiles")) {
        mkdir("/sandbox/dir", 0755);
        for (long i = 0; i < n; i++) {
            char p[64];
            snprintf(p, sizeof p, "/sandbox/dir/f%06ld", i);
            close(open(p, O_CREAT | O_WRONLY, 0644));
        }
        return 0;
    }
    if (!strcmp(w, "listdir")) {
        long long t0 = now();
        DIR *d = opendir("/sandbox/dir");
        long count = 0;
        while (readdir(d)) count++;
        closedir(d);
        printf("elapsed_ns=%lld entries=%ld\n", now() - t0, count);
        return 0;
    }
    if (!strcmp(w, "openstat")) {
        close(open("/sandbox/f", O_CREAT | O_WRONLY, 0644));
        struct stat st;
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            int fd = open("/sandbox/f", O_RDONLY);
            fstat(fd, &st);
            close(fd);
        }
        printf("elapsed_ns=%lld\n", now() - t0);
        return 0;
    }
    if (!strcmp(w, "stat")) {
        mkdir("/sandbox/dir", 0755);
        close(open("/sandbox/dir/f", O_CREAT | O_WRONLY, 0644));
        struct stat st;
        long long t0 = now();
        for (long i = 0; i < n; i++)
            stat("/sandbox/dir/f", &st);
        printf("elapsed_ns=%lld\n", now() - t0);
        return 0;
    }
    if (!strcmp(w, "openclose-memory")) {
        close(open("/sandbox/f", O_CREAT | O_WRONLY, 0644));
        int fd = open("/sandbox/f", O_RDONLY);
        close(fd);
        size_t before = __builtin_wasm_memory_size(0);
        long heap_before = HEAP_PAGES();
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            fd = open("/sandbox/f", O_RDONLY);
            char c;
            read(fd, &c, 1);
            close(fd);
        }
        printf("elapsed_ns=%lld pages_before=%zu pages_after=%zu adapter_heap_pages_before=%ld adapter_heap_pages_after=%ld\n",
               now() - t0, before, (size_t)__builtin_wasm_memory_size(0), heap_before, HEAP_PAGES());
        return 0;
    }
#ifdef HAVE_SOCKETS
    if (!strcmp(w, "socket-memory")) {
        close(socket(AF_INET, SOCK_STREAM, 0));
        size_t before = __builtin_wasm_memory_size(0);
        long heap_before = HEAP_PAGES();
        long long t0 = now();
        for (long i = 0; i < n; i++) {
            int s = socket(i & 1 ? AF_INET : AF_INET6, i & 2 ? SOCK_DGRAM : SOCK_STREAM, 0);
            if (s < 0) { perror("socket"); return 1; }
            close(s);
        }
        printf("elapsed_ns=%lld pages_before=%zu pages_after=%zu adapter_heap_pages_before=%ld adapter_heap_pages_after=%ld\n",
               now() - t0, before, (size_t)__builtin_wasm_memory_size(0), heap_before, HEAP_PAGES());
        return 0;
    }
#endif
    fprintf(stderr, "unknown workload %s\n", w);
    return 2;
}
