// One program for the toolchain matrix (tests/toolchains.rs): files, directories, stdio,
// environment and arguments, the fd numbers files and sockets get (wasmtime's component adapter
// numbering: one space, most recently closed first), WASIp1 calls on a libc socket's fd, and
// the exit status. `toolchain exit N` only exits with N.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <wasi/api.h>

#define SHOW(label, expr)                                                                    \
    do {                                                                                     \
        errno = 0;                                                                           \
        long r_ = (long)(expr);                                                              \
        printf("%-28s = %ld errno=%d\n", label, r_, r_ < 0 ? errno : 0);                     \
    } while (0)
#define E(label, expr) printf("%-28s -> %d\n", label, (int)(expr))

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("opendir %s: errno %d\n", dir, errno);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("%s:", dir);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void files(void) {
    SHOW("mkdir sub", mkdir("/sandbox/sub", 0755));
    int f = open("/sandbox/sub/data.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("open data.txt -> %d\n", f);
    SHOW("write", write(f, "hello, files\n", 13));
    SHOW("lseek 0", lseek(f, 0, SEEK_SET));
    char buf[64] = {0};
    SHOW("read", read(f, buf, sizeof buf - 1));
    printf("read back: %s", buf);
    SHOW("pwrite at 7", pwrite(f, "FILES", 5, 7));
    memset(buf, 0, sizeof buf);
    SHOW("pread at 0", pread(f, buf, 12, 0));
    printf("pread: %s\n", buf);
    struct stat st;
    SHOW("fstat", fstat(f, &st));
    printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    SHOW("ftruncate 5", ftruncate(f, 5));
    SHOW("fcntl GETFL & ACCMODE", fcntl(f, F_GETFL) & O_ACCMODE);
    SHOW("close", close(f));
    SHOW("rename", rename("/sandbox/sub/data.txt", "/sandbox/sub/moved.txt"));
    SHOW("stat moved", stat("/sandbox/sub/moved.txt", &st));
    printf("size %lld\n", (long long)st.st_size);
    SHOW("stat missing", stat("/sandbox/sub/none", &st));
    SHOW("open missing", open("/sandbox/none", O_RDONLY));
    FILE *w = fopen("/sandbox/kept.txt", "w");
    fprintf(w, "written with stdio\n");
    fclose(w);
    SHOW("mkdir gone", mkdir("/sandbox/gone", 0755));
    SHOW("rmdir gone", rmdir("/sandbox/gone"));
    int g = open("/sandbox/tmp.txt", O_CREAT | O_WRONLY, 0644);
    SHOW("close tmp", close(g));
    SHOW("unlink tmp", unlink("/sandbox/tmp.txt"));
    list("/sandbox");
    list("/sandbox/sub");
}

static void fds(void) {
    int f1 = open("/sandbox/a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("open a.txt -> %d\n", f1);
    int s1 = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket tcp -> %d errno %d\n", s1, s1 < 0 ? errno : 0);
    int s2 = socket(AF_INET, SOCK_DGRAM, 0);
    printf("socket udp -> %d errno %d\n", s2, s2 < 0 ? errno : 0);
    int f2 = open("/sandbox/b.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("open b.txt -> %d\n", f2);
    SHOW("close a.txt", close(f1));
    SHOW("close b.txt", close(f2));
    int f3 = open("/sandbox/c.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("open c.txt -> %d\n", f3);
    int s3 = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket tcp #2 -> %d\n", s3);
    char buf[4];
    SHOW("read(tcp)", read(s1, buf, 4));
    SHOW("write(tcp)", write(s1, "x", 1));
    SHOW("fcntl(tcp)", fcntl(s1, F_GETFL));
    struct stat st;
    SHOW("fstat(tcp)", fstat(s1, &st));
    SHOW("isatty(tcp)", isatty(s1));
    SHOW("lseek(tcp)", lseek(s1, 0, SEEK_CUR));
    struct pollfd p[2] = {{.fd = s1, .events = POLLOUT}, {.fd = 1, .events = POLLOUT}};
    SHOW("poll(tcp+stdout)", poll(p, 2, 0));
    SHOW("poll(stdout)", poll(p + 1, 1, 0));

#ifdef __WASI_EVENTTYPE_FD_READ
    // WASIp1 itself on the socket's fd (the libc never does this; the errnos are the adapter's).
    // Only the libcs that mix WASIp1 and WASI 0.2 declare it.
    __wasi_fdstat_t fst;
    __wasi_filestat_t fs;
    __wasi_prestat_t ps;
    __wasi_filesize_t sz;
    __wasi_fd_t nfd;
    __wasi_size_t n;
    __wasi_iovec_t iov = {(uint8_t *)buf, 4};
    __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
    E("fd_advise", __wasi_fd_advise(s1, 0, 0, 0));
    E("fd_allocate", __wasi_fd_allocate(s1, 0, 1));
    E("fd_datasync", __wasi_fd_datasync(s1));
    E("fd_fdstat_get", __wasi_fd_fdstat_get(s1, &fst));
    E("fd_fdstat_set_flags", __wasi_fd_fdstat_set_flags(s1, __WASI_FDFLAGS_NONBLOCK));
    E("fd_filestat_get", __wasi_fd_filestat_get(s1, &fs));
    E("fd_filestat_set_size", __wasi_fd_filestat_set_size(s1, 0));
    E("fd_filestat_set_times", __wasi_fd_filestat_set_times(s1, 0, 0, 0));
    E("fd_pread", __wasi_fd_pread(s1, &iov, 1, 0, &n));
    E("fd_prestat_get", __wasi_fd_prestat_get(s1, &ps));
    E("fd_pwrite", __wasi_fd_pwrite(s1, &ciov, 1, 0, &n));
    E("fd_read", __wasi_fd_read(s1, &iov, 1, &n));
    E("fd_readdir", __wasi_fd_readdir(s1, (uint8_t *)buf, 4, 0, &n));
    E("fd_seek", __wasi_fd_seek(s1, 0, __WASI_WHENCE_CUR, &sz));
    E("fd_sync", __wasi_fd_sync(s1));
    E("fd_tell", __wasi_fd_tell(s1, &sz));
    E("fd_write", __wasi_fd_write(s1, &ciov, 1, &n));
    E("path_create_directory", __wasi_path_create_directory(s1, "x"));
    E("path_filestat_get", __wasi_path_filestat_get(s1, 0, "x", &fs));
    E("path_open", __wasi_path_open(s1, 0, "x", 0, 0, 0, 0, &nfd));
    E("path_unlink_file", __wasi_path_unlink_file(s1, "x"));
    __wasi_subscription_t sub = {.userdata = 1, .u.tag = __WASI_EVENTTYPE_FD_READ, .u.u.fd_read.file_descriptor = s1};
    __wasi_event_t ev;
    E("poll_oneoff(fd_read)", __wasi_poll_oneoff(&sub, &ev, 1, &n));
    E("fd_close (wasip1)", __wasi_fd_close(s1));
#endif

    SHOW("close(tcp)", close(s1));
    SHOW("close(tcp) again", close(s1));
    SHOW("close(50)", close(50));
    SHOW("close(udp)", close(s2));
    int s4 = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket tcp #3 -> %d\n", s4);
    int f4 = open("/sandbox/d.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("open d.txt -> %d\n", f4);
    SHOW("close(99)", close(99));
    SHOW("close c", close(f3));
    if (s3 >= 0) SHOW("close tcp #2", close(s3));
    if (s4 >= 0) SHOW("close tcp #3", close(s4));
    SHOW("close d", close(f4));
}

static void stdio(int argc, char **argv) {
    printf("argc %d:", argc);
    for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    const char *g = getenv("GREETING");
    printf("GREETING=%s MISSING=%s\n", g ? g : "(none)", getenv("MISSING") ? "set" : "(none)");
    char line[128];
    while (fgets(line, sizeof line, stdin)) printf("stdin: %s", line);
    fprintf(stderr, "to stderr\n");
    SHOW("isatty(1)", isatty(1));
    SHOW("fcntl(0) & ACCMODE", fcntl(0, F_GETFL) & O_ACCMODE);
    SHOW("fcntl(1) & ACCMODE", fcntl(1, F_GETFL) & O_ACCMODE);
    SHOW("lseek(1)", lseek(1, 0, SEEK_CUR));
    struct timespec ts;
    SHOW("clock_gettime", clock_gettime(CLOCK_MONOTONIC, &ts));
    unsigned char r[8];
    SHOW("getentropy", getentropy(r, sizeof r));
}

// Calls on fds of the wrong kind: stdio, a directory, a file where a directory is needed.
static void kinds(void) {
    char buf[4];
    SHOW("read(stdout)", read(1, buf, 1));
    SHOW("write(stdin)", write(0, "x", 1));
    SHOW("fsync(stdout)", fsync(1));
    SHOW("pread(stdin)", pread(0, buf, 1, 0));
    SHOW("pwrite(stdout)", pwrite(1, "x", 1, 0));
    struct stat st;
    memset(&st, 0x55, sizeof st);
    SHOW("fstat(stdout)", fstat(1, &st));
    printf("stdout: type %o size %lld nlink %lld ino %lld\n", st.st_mode & S_IFMT, (long long)st.st_size, (long long)st.st_nlink, (long long)st.st_ino);
    int d = open("/sandbox", O_RDONLY | O_DIRECTORY);
    printf("open dir -> %d\n", d);
    SHOW("read(dir)", read(d, buf, 1));
    SHOW("write(dir)", write(d, "x", 1));
    SHOW("lseek(dir)", lseek(d, 0, SEEK_CUR));
    SHOW("fsync(dir)", fsync(d));
    SHOW("fcntl(dir, SETFL)", fcntl(d, F_SETFL, O_NONBLOCK));
    struct pollfd pd = {.fd = d, .events = POLLIN};
    SHOW("poll(dir)", poll(&pd, 1, 0));
    struct pollfd pi[2] = {{.fd = 0, .events = POLLIN}, {.fd = 2, .events = POLLOUT}};
    SHOW("poll(stdin at EOF, stderr)", poll(pi, 2, 100));
    printf("revents %d %d\n", pi[0].revents, pi[1].revents);
    SHOW("poll(none, 1 ms)", poll(NULL, 0, 1));
    SHOW("fstat(dir)", fstat(d, &st));
    printf("dir: is dir %d\n", S_ISDIR(st.st_mode));
    int f = openat(d, "k.txt", O_CREAT | O_RDWR, 0644);
    printf("openat(dir, k.txt) -> %d\n", f);
    SHOW("openat(file, x)", openat(f, "x", O_RDONLY));
    SHOW("mkdirat(file, x)", mkdirat(f, "x", 0755));
    SHOW("fcntl(file, SETFL, APPEND)", fcntl(f, F_SETFL, O_APPEND));
    SHOW("fcntl(file, GETFL) & APPEND", fcntl(f, F_GETFL) & O_APPEND);
    SHOW("write(file)", write(f, "ab", 2));
    SHOW("lseek(file, END)", lseek(f, 0, SEEK_END));
    SHOW("lseek(file, -1)", lseek(f, -1, SEEK_SET));
    SHOW("fdatasync(file)", fdatasync(f));
    SHOW("close(file)", close(f));
    SHOW("unlinkat", unlinkat(d, "k.txt", 0));
    SHOW("close(dir)", close(d));
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 3 && strcmp(argv[1], "exit") == 0) {
        printf("exiting with %s\n", argv[2]);
        return atoi(argv[2]);
    }
    stdio(argc, argv);
    files();
    kinds();
    fds();
    return 0;
}
