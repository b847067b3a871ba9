// wasi-libc's readdir, which the adapter serves in one step for the known libc: every entry's
// name, d_type and d_ino (against lstat's st_ino) in listings long enough to refill the
// adapter's buffer and with names long enough to grow the dirent; rewinddir, seekdir, two
// streams on one directory, an entry removed while listed, the directory's fd closed or
// renumbered under it, fdopendir of a file. Printed sorted: the order is the host's.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/libc.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *names[512];
static int count;

// Reads `d` to its end (or an error): keeps each name with its type, and counts the entries
// whose d_ino is lstat's st_ino of the name in `dir`.
static void list(DIR *d, const char *dir, const char *what) {
    int ino_ok = 0;
    count = 0;
    errno = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[600], line[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && (unsigned long long)st.st_ino == (unsigned long long)e->d_ino)
            ino_ok++;
        snprintf(line, sizeof line, "%s type %d", e->d_name, e->d_type);
        if (count < 512)
            names[count++] = strdup(line);
    }
    int err = errno;
    qsort(names, count, sizeof names[0], cmp);
    printf("%s: %d entries, d_ino = st_ino for %d, end errno %d (%s)\n", what, count, ino_ok, err, err ? strerror(err) : "-");
    for (int i = 0; i < count; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
}

static void touch(const char *p) {
    close(open(p, O_CREAT | O_WRONLY, 0644));
}

int main(void) {
    mkdir("/sandbox/d", 0755);
    char p[600];
    // 150 entries of 60-byte names: over the adapter's 8 KiB buffer of WASIp1 entries.
    for (int i = 0; i < 150; i++) {
        snprintf(p, sizeof p, "/sandbox/d/%03d-%s", i, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz123456");
        touch(p);
    }
    // Names growing to 255 bytes, after short ones: the dirent grows in the middle.
    mkdir("/sandbox/g", 0755);
    for (int len = 1; len <= 255; len += 37) {
        char name[256];
        memset(name, 'a' + len % 26, len);
        name[len] = 0;
        snprintf(p, sizeof p, "/sandbox/g/%s", name);
        touch(p);
    }
    mkdir("/sandbox/g/sub", 0755);
    touch("/sandbox/g/x");
    touch("/sandbox/g/\xc3\xa9t\xc3\xa9");

    DIR *d = opendir("/sandbox/d");
    list(d, "/sandbox/d", "long listing");
    rewinddir(d);
    list(d, "/sandbox/d", "after rewinddir");
    closedir(d);

    d = opendir("/sandbox/g");
    list(d, "/sandbox/g", "growing names");
    // seekdir: back to an entry in the middle (the libc passes over the ones before).
    rewinddir(d);
    long at = -1;
    for (int i = 0; i < 5; i++) {
        if (i == 3)
            at = telldir(d);
        readdir(d);
    }
    seekdir(d, at);
    int rest = 0;
    while (readdir(d))
        rest++;
    printf("after seekdir to the 4th: %d more\n", rest);
    closedir(d);

    // Two streams on one directory, interleaved.
    DIR *a = opendir("/sandbox/g"), *b = opendir("/sandbox/g");
    int na = 0, nb = 0;
    for (;;) {
        struct dirent *ea = readdir(a), *eb = readdir(b);
        na += ea != NULL;
        nb += eb != NULL;
        if (!ea && !eb)
            break;
    }
    printf("two streams: %d and %d\n", na, nb);
    closedir(a);
    closedir(b);

    // An entry removed after the listing began: the last one in the host's order.
    mkdir("/sandbox/r", 0755);
    touch("/sandbox/r/one");
    touch("/sandbox/r/two");
    touch("/sandbox/r/three");
    d = opendir("/sandbox/r");
    char last[300] = "";
    struct dirent *e;
    while ((e = readdir(d)))
        snprintf(last, sizeof last, "%s", e->d_name);
    rewinddir(d);
    int seen = 0;
    for (int i = 0; i < 3 && readdir(d); i++)
        seen++;
    snprintf(p, sizeof p, "/sandbox/r/%s", last);
    unlink(p);
    errno = 0;
    while ((e = readdir(d)))
        seen++;
    printf("removed while listed: %d seen in all, end errno %d (%s)\n", seen, errno, errno ? strerror(errno) : "-");
    closedir(d);

    // The directory's fd closed under the stream.
    d = opendir("/sandbox/d");
    for (int i = 0; i < 4; i++)
        readdir(d);
    int fd = dirfd(d);
    printf("close(dirfd): %d\n", close(fd));
    errno = 0;
    e = readdir(d);
    printf("readdir after: %s, errno %d (%s)\n", e ? "an entry" : "NULL", errno, errno ? strerror(errno) : "-");
    // Its fd taken by another file.
    int other = open("/sandbox/d/000-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz123456", O_RDONLY);
    errno = 0;
    e = readdir(d);
    printf("fd reused by a file (%s): %s, errno %d (%s)\n", other == fd ? "same fd" : "another fd", e ? "an entry" : "NULL", errno,
           errno ? strerror(errno) : "-");
    close(other);
    closedir(d);

    // The directory's fd renumbered onto another one (which it replaces), then back.
    d = opendir("/sandbox/g");
    for (int i = 0; i < 3; i++)
        readdir(d);
    fd = dirfd(d);
    int spare = open("/sandbox/g/x", O_RDONLY);
    printf("renumber: %d\n", __wasilibc_fd_renumber(fd, spare));
    errno = 0;
    e = readdir(d);
    printf("readdir after: %s, errno %d (%s)\n", e ? "an entry" : "NULL", errno, errno ? strerror(errno) : "-");
    other = open("/sandbox/g/x", O_RDONLY);
    printf("renumber back: %d (%s)\n", __wasilibc_fd_renumber(spare, other), other == fd ? "same fd" : "another fd");
    errno = 0;
    int more = 0;
    while (readdir(d))
        more++;
    printf("renumbered back: %d more, errno %d\n", more, errno);
    closedir(d);

    // fdopendir of a file; of a directory opened with open().
    fd = open("/sandbox/g/x", O_RDONLY);
    d = fdopendir(fd);
    printf("fdopendir(file): %s, errno %d (%s)\n", d ? "a DIR" : "NULL", errno, strerror(errno));
    close(fd);
    fd = open("/sandbox/r", O_RDONLY | O_DIRECTORY);
    d = fdopendir(fd);
    list(d, "/sandbox/r", "fdopendir(directory)");
    closedir(d);
    return 0;
}
