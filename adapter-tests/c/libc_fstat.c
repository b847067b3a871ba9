// fstat(2) as an ordinary C program calls it, on a regular file, a directory, stdio, a closed
// fd and a socket: every field of struct stat is printed or, where it differs between runs
// (st_ino is a keyed hash, the timestamps are the files' own), compared with what stat() of
// the same path and readdir's d_ino say. The output must be identical natively and adapted
// (where the adapter serves wasi-libc's fstat of files and directories in one step when it
// recognises the libc, and runs the original otherwise).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind(mode_t m) {
    switch (m & S_IFMT) {
    case S_IFREG: return "regular";
    case S_IFDIR: return "directory";
    case S_IFCHR: return "character device";
    case S_IFBLK: return "block device";
    case S_IFSOCK: return "socket";
    case S_IFLNK: return "symbolic link";
    case S_IFIFO: return "fifo";
    case 0: return "none";
    default: return "?";
    }
}

static int same_time(struct timespec a, struct timespec b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static const char *yes(int b) {
    return b ? "yes" : "no";
}

// Whether every byte of `st` is zero past the fields the original sets, and the padding.
static int rest_zero(const struct stat *st) {
    return st->st_uid == 0 && st->st_gid == 0 && st->__pad0 == 0 && st->st_rdev == 0 && st->st_blksize == 0 &&
           st->st_blocks == 0 && st->__reserved[0] == 0 && st->__reserved[1] == 0 && st->__reserved[2] == 0;
}

// The fields that are the same in every run, and how the others compare with `other` (the
// stat() of the same path) when given.
static void show(const char *what, int fd, const struct stat *other) {
    struct stat st;
    memset(&st, 0x5a, sizeof st);
    errno = 0;
    int r = fstat(fd, &st);
    int e = errno;
    printf("%s: fstat %d", what, r);
    if (r < 0) {
        printf(" (%s)", strerror(e));
        unsigned char *b = (unsigned char *)&st;
        int untouched = 1;
        for (size_t i = 0; i < sizeof st; i++)
            untouched &= b[i] == 0x5a;
        printf(" buffer untouched: %s\n", yes(untouched));
        return;
    }
    printf(" dev %llu mode %#o (%s) nlink %llu size %lld, the rest zero: %s\n", (unsigned long long)st.st_dev,
           (unsigned)st.st_mode, kind(st.st_mode), (unsigned long long)st.st_nlink, (long long)st.st_size, yes(rest_zero(&st)));
    int sane = 1;
    struct timespec ts[3] = {st.st_atim, st.st_mtim, st.st_ctim};
    for (int i = 0; i < 3; i++)
        sane &= ts[i].tv_nsec >= 0 && ts[i].tv_nsec < 1000000000;
    printf("  timestamps set: %s %s %s, nanoseconds in range: %s\n", yes(st.st_atim.tv_sec != 0), yes(st.st_mtim.tv_sec != 0),
           yes(st.st_ctim.tv_sec != 0), yes(sane));
    if (other) {
        printf("  same as stat(): dev %s ino %s mode %s nlink %s size %s atime %s mtime %s ctime %s\n",
               yes(st.st_dev == other->st_dev), yes(st.st_ino == other->st_ino), yes(st.st_mode == other->st_mode),
               yes(st.st_nlink == other->st_nlink), yes(st.st_size == other->st_size), yes(same_time(st.st_atim, other->st_atim)),
               yes(same_time(st.st_mtim, other->st_mtim)), yes(same_time(st.st_ctim, other->st_ctim)));
    }
}

// The d_ino readdir gives `name` in `dir`, or 0.
static ino_t d_ino_of(const char *dir, const char *name) {
    DIR *d = opendir(dir);
    ino_t ino = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, name) == 0)
            ino = e->d_ino;
    closedir(d);
    return ino;
}

int main(void) {
    if (mkdir("/sandbox/sub", 0755) < 0) {
        perror("mkdir");
        return 1;
    }
    int fd = open("/sandbox/sub/file.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "hello, fstat\n", 13) != 13) {
        perror("/sandbox/sub/file.txt");
        return 1;
    }
    struct stat by_path;
    if (stat("/sandbox/sub/file.txt", &by_path) < 0) {
        perror("stat");
        return 1;
    }
    show("regular file", fd, &by_path);
    struct stat st;
    fstat(fd, &st);
    printf("  ino same as readdir's d_ino: %s, nonzero: %s\n", yes(st.st_ino == d_ino_of("/sandbox/sub", "file.txt")), yes(st.st_ino != 0));
    printf("  same ino twice: %s\n", yes(fstat(fd, &st) == 0 && st.st_ino == by_path.st_ino));

    // Grown, then seen through another fd of the same file.
    write(fd, "more\n", 5);
    stat("/sandbox/sub/file.txt", &by_path);
    show("regular file after a write", fd, &by_path);
    int ro = open("/sandbox/sub/file.txt", O_RDONLY);
    show("the same file opened again read-only", ro, &by_path);
    struct stat a, b;
    fstat(fd, &a);
    fstat(ro, &b);
    printf("  same ino through both fds: %s\n", yes(a.st_ino == b.st_ino));
    close(ro);

    int wo = open("/sandbox/sub/empty", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    stat("/sandbox/sub/empty", &by_path);
    show("empty write-only file", wo, &by_path);
    fstat(wo, &b);
    printf("  ino differs from the other file's: %s\n", yes(a.st_ino != b.st_ino));
    close(wo);

    int dir = open("/sandbox/sub", O_RDONLY | O_DIRECTORY);
    stat("/sandbox/sub", &by_path);
    show("directory", dir, &by_path);
    fstat(dir, &st);
    printf("  ino same as readdir's d_ino: %s\n", yes(st.st_ino == d_ino_of("/sandbox", "sub")));
    close(dir);

    int pre = open("/sandbox", O_RDONLY | O_DIRECTORY);
    stat("/sandbox", &by_path);
    show("the preopened directory", pre, &by_path);
    close(pre);

    DIR *d = opendir("/sandbox/sub");
    show("an opendir stream's fd", dirfd(d), NULL);
    closedir(d);

    show("stdin", 0, NULL);
    show("stdout", 1, NULL);
    show("stderr", 2, NULL);

    close(fd);
    show("closed fd", fd, NULL);
    show("fd 99", 99, NULL);
    show("fd -1", -1, NULL);

    int unl = open("/sandbox/sub/gone", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(unl, "x", 1);
    unlink("/sandbox/sub/gone");
    show("unlinked file", unl, NULL);
    close(unl);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        printf("socket: %s\n", strerror(errno));
    } else {
        show("tcp socket", s, NULL);
        close(s);
    }
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    if (u < 0) {
        printf("udp socket: %s\n", strerror(errno));
    } else {
        show("udp socket", u, NULL);
        close(u);
    }
    return 0;
}
