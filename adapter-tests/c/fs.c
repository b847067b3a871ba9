// wasi-libc's file API over the adapter. Everything happens under /sandbox (a fresh preopened
// directory); the harness also compares the tree left behind. Prints only deterministic facts.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define R(label, expr) do { errno = 0; long long _r = (long long)(expr); \
    printf("%-44s -> %lld%s%s\n", label, _r, _r < 0 ? " " : "", _r < 0 ? strerror(errno) : ""); } while (0)

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) { printf("put %s: %s\n", path, strerror(errno)); return; }
    fputs(text, f);
    fclose(f);
}

static void show(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("show %s: %s\n", path, strerror(errno)); return; }
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    printf("%s: %zu bytes [%s]\n", path, n, buf);
    fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

int main(void) {
    chdir("/sandbox");
    // stdio
    FILE *f = fopen("/sandbox/stdio.txt", "w+");
    fwrite("0123456789", 1, 10, f);
    fseek(f, 3, SEEK_SET);
    char buf[64] = {0};
    size_t n = fread(buf, 1, 4, f);
    printf("fread after fseek(3): %zu [%.4s], ftell %ld\n", n, buf, ftell(f));
    fseek(f, 0, SEEK_END);
    printf("ftell at end: %ld\n", ftell(f));
    fclose(f);
    show("/sandbox/stdio.txt");

    // open / pread / pwrite / lseek / ftruncate
    int fd = open("/sandbox/raw.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    R("open O_CREAT|O_RDWR|O_TRUNC", fd >= 0);
    R("write 8", write(fd, "abcdefgh", 8));
    R("pwrite 3 at 20 (hole)", pwrite(fd, "XYZ", 3, 20));
    R("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR));
    R("lseek SEEK_END", lseek(fd, 0, SEEK_END));
    R("lseek SEEK_SET 2", lseek(fd, 2, SEEK_SET));
    n = read(fd, buf, 3);
    printf("read after lseek: %zu [%.3s]\n", n, buf);
    memset(buf, 0, sizeof buf);
    R("pread 30 at 18", pread(fd, buf, 30, 18));
    printf("pread bytes: %02x %02x %c%c%c\n", buf[0], buf[1], buf[2], buf[3], buf[4]);
    R("pread at end", pread(fd, buf, 10, 23));
    R("ftruncate 5", ftruncate(fd, 5));
    struct stat st;
    R("fstat", fstat(fd, &st));
    printf("size after ftruncate: %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    R("ftruncate 100 (grow)", ftruncate(fd, 100));
    R("fsync", fsync(fd));
    R("fdatasync", fdatasync(fd));
    R("posix_fadvise SEQUENTIAL", posix_fadvise(fd, 0, 100, POSIX_FADV_SEQUENTIAL));
    R("posix_fadvise DONTNEED", posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
    close(fd);

    // O_APPEND
    put("/sandbox/log.txt", "one\n");
    fd = open("/sandbox/log.txt", O_WRONLY | O_APPEND);
    R("append write", write(fd, "two\n", 4));
    R("lseek 0 then append write", (lseek(fd, 0, SEEK_SET), write(fd, "three\n", 6)));
    close(fd);
    show("/sandbox/log.txt");

    // O_CREAT|O_EXCL, O_DIRECTORY, write-only read, directory for writing
    R("O_CREAT|O_EXCL on existing", open("/sandbox/log.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    R("O_DIRECTORY on a file", open("/sandbox/log.txt", O_RDONLY | O_DIRECTORY));
    fd = open("/sandbox/log.txt", O_WRONLY);
    R("read from write-only fd", read(fd, buf, 4));
    close(fd);
    fd = open("/sandbox/log.txt", O_RDONLY);
    R("write to read-only fd", write(fd, "x", 1));
    close(fd);
    R("open directory O_WRONLY", open("/sandbox", O_WRONLY));
    R("open directory O_RDONLY", (fd = open("/sandbox", O_RDONLY)) >= 0);
    R("read from a directory fd", read(fd, buf, 4));
    close(fd);

    // stat / lstat / access
    R("stat missing", stat("/sandbox/missing", &st));
    R("mkdir sub", mkdir("/sandbox/sub", 0755));
    R("mkdir sub again", mkdir("/sandbox/sub", 0755));
    R("mkdir sub/a/b (no parent)", mkdir("/sandbox/sub/a/b", 0755));
    R("stat sub", stat("/sandbox/sub", &st));
    printf("sub is dir: %d, nlink>=2: %d\n", S_ISDIR(st.st_mode), st.st_nlink >= 2);
    R("access log.txt R_OK", access("/sandbox/log.txt", R_OK));
    R("access missing F_OK", access("/sandbox/missing", F_OK));

    // link, symlink, readlink, lstat
    R("link", link("/sandbox/log.txt", "/sandbox/sub/hard.txt"));
    struct stat a, b;
    stat("/sandbox/log.txt", &a);
    stat("/sandbox/sub/hard.txt", &b);
    printf("hard link: same ino %d, nlink %lld\n", a.st_ino == b.st_ino, (long long)a.st_nlink);
    R("link onto existing", link("/sandbox/log.txt", "/sandbox/sub/hard.txt"));
    R("symlink", symlink("../log.txt", "/sandbox/sub/soft"));
    n = readlink("/sandbox/sub/soft", buf, sizeof buf);
    printf("readlink: %zd [%.*s]\n", (ssize_t)n, (int)n, buf);
    R("readlink on a file", readlink("/sandbox/log.txt", buf, sizeof buf));
    R("lstat symlink", lstat("/sandbox/sub/soft", &st));
    printf("lstat: is link %d\n", S_ISLNK(st.st_mode));
    R("stat through symlink", stat("/sandbox/sub/soft", &st));
    printf("stat: is regular %d size %lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
    show("/sandbox/sub/soft");
    R("symlink escaping the sandbox, then open it", (symlink("../../outside", "/sandbox/esc"), open("/sandbox/esc", O_RDONLY)));
    R("symlink absolute target", symlink("/etc/passwd", "/sandbox/abs"));

    // rename: files, directories, over an existing target
    put("/sandbox/r1.txt", "r1");
    put("/sandbox/r2.txt", "r2");
    R("rename file over existing file", rename("/sandbox/r1.txt", "/sandbox/r2.txt"));
    show("/sandbox/r2.txt");
    R("rename missing", rename("/sandbox/r1.txt", "/sandbox/r3.txt"));
    R("mkdir d1", mkdir("/sandbox/d1", 0755));
    put("/sandbox/d1/inner", "inner");
    R("mkdir d2 (empty)", mkdir("/sandbox/d2", 0755));
    R("rename dir over empty dir", rename("/sandbox/d1", "/sandbox/d2"));
    show("/sandbox/d2/inner");
    R("rename dir over file", rename("/sandbox/d2", "/sandbox/r2.txt"));
    R("rename file into missing dir", rename("/sandbox/r2.txt", "/sandbox/nope/r2.txt"));

    // unlink, rmdir
    R("rmdir non-empty", rmdir("/sandbox/d2"));
    R("unlink a directory", unlink("/sandbox/d2"));
    R("unlink d2/inner", unlink("/sandbox/d2/inner"));
    R("rmdir d2", rmdir("/sandbox/d2"));
    R("rmdir a file", rmdir("/sandbox/r2.txt"));
    R("unlink missing", unlink("/sandbox/missing"));

    // utimensat / futimens
    struct timespec times[2] = {{1000000000, 123456789}, {1500000000, 987654321}};
    R("utimensat", utimensat(AT_FDCWD, "/sandbox/r2.txt", times, 0));
    stat("/sandbox/r2.txt", &st);
    printf("times: atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec keep[2] = {{0, UTIME_OMIT}, {1600000000, 5}};
    fd = open("/sandbox/r2.txt", O_RDWR);
    R("futimens (atime omitted)", futimens(fd, keep));
    close(fd);
    stat("/sandbox/r2.txt", &st);
    printf("times: atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    R("utimensat UTIME_NOW", utimensat(AT_FDCWD, "/sandbox/r2.txt", now, 0));
    stat("/sandbox/r2.txt", &st);
    printf("mtime now is after 2020: %d\n", st.st_mtim.tv_sec > 1577836800);

    // realpath
    char *rp = realpath("/sandbox/sub/../log.txt", NULL);
    printf("realpath: %s\n", rp ? rp : strerror(errno));
    free(rp);

    // bad paths
    R("open absolute outside", open("/etc/passwd", O_RDONLY));
    R("open .. escape", open("/sandbox/../x", O_RDONLY));
    R("open empty path", open("", O_RDONLY));
    char longname[400];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    char longpath[420];
    snprintf(longpath, sizeof longpath, "/sandbox/%s", longname);
    R("open name of 399 bytes", open(longpath, O_CREAT | O_WRONLY, 0644));

    // a large directory
    R("mkdir big", mkdir("/sandbox/big", 0755));
    for (int i = 0; i < 2500; i++) {
        char p[64];
        snprintf(p, sizeof p, "/sandbox/big/file-%04d-with-a-longer-name.txt", i);
        int c = open(p, O_CREAT | O_WRONLY, 0644);
        if (c < 0) { printf("create %s: %s\n", p, strerror(errno)); break; }
        if (i % 500 == 0) write(c, p, strlen(p));
        close(c);
    }
    DIR *d = opendir("/sandbox/big");
    int count = 0, dots = 0, regular = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        count++;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) dots++;
        else if (e->d_type == DT_REG) regular++;
    }
    closedir(d);
    printf("readdir big: %d entries, %d dot entries, %d regular\n", count, dots, regular);
    struct dirent **list;
    int m = scandir("/sandbox/big", &list, NULL, by_name);
    printf("scandir big: %d, first %s, last %s\n", m, m > 2 ? list[2]->d_name : "-", m > 0 ? list[m - 1]->d_name : "-");
    for (int i = 0; i < m; i++) free(list[i]);
    free(list);
    m = scandir("/sandbox", &list, NULL, by_name);
    printf("scandir /sandbox:");
    for (int i = 0; i < m; i++) { printf(" %s", list[i]->d_name); free(list[i]); }
    printf("\n");
    free(list);
    for (int i = 0; i < 2500; i += 2) {
        char p[64];
        snprintf(p, sizeof p, "/sandbox/big/file-%04d-with-a-longer-name.txt", i);
        unlink(p);
    }
    d = opendir("/sandbox/big");
    count = 0;
    while ((e = readdir(d))) count++;
    closedir(d);
    printf("after removing half: %d entries\n", count);
    return 0;
}
