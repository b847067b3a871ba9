// wasi-libc's stat, lstat and fstatat, which the adapter serves in one step for the known
// libc (`__wasilibc_nocwd_fstatat`): files, directories, links to each (followed or not),
// dangling links, trailing slashes, missing names, a file used as a directory, non-ASCII
// names, a directory fd, a file fd and a closed fd as the directory. Every field that does
// not depend on when the run happened is printed; the times are compared with fstat's.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct stat ref;
static int have_ref;

static void show(const char *what, int r, const struct stat *st) {
    if (r != 0) {
        printf("%s: -1 errno %d (%s)\n", what, errno, strerror(errno));
        return;
    }
    printf("%s: dev %llu mode %#o nlink %llu size %lld uid %u gid %u rdev %llu blksize %ld blocks %lld", what,
           (unsigned long long)st->st_dev, (unsigned)st->st_mode, (unsigned long long)st->st_nlink, (long long)st->st_size,
           (unsigned)st->st_uid, (unsigned)st->st_gid, (unsigned long long)st->st_rdev, (long)st->st_blksize,
           (long long)st->st_blocks);
    // (A link's own times are not the target's: compared only for what fstat can open.)
    if (have_ref && S_ISLNK(st->st_mode))
        printf(" ino%s ref", st->st_ino == ref.st_ino ? " =" : " !=");
    else if (have_ref)
        printf(" ino%s ref, times%s ref", st->st_ino == ref.st_ino ? " =" : " !=",
               st->st_mtim.tv_sec == ref.st_mtim.tv_sec && st->st_mtim.tv_nsec == ref.st_mtim.tv_nsec &&
                       st->st_ctim.tv_sec == ref.st_ctim.tv_sec && st->st_atim.tv_sec == ref.st_atim.tv_sec
                   ? " ="
                   : " !=");
    printf(", times set %d\n", st->st_mtim.tv_sec != 0);
}

// `path` with stat, lstat and fstatat(dirfd) both ways, against fstat of `ref_path` opened.
static void all(const char *label, const char *path, const char *ref_path, int dirfd, const char *rel) {
    have_ref = 0;
    int fd = open(ref_path, O_RDONLY);
    if (fd >= 0 && fstat(fd, &ref) == 0)
        have_ref = 1;
    if (fd >= 0)
        close(fd);
    struct stat st;
    char what[200];
    int r;
    snprintf(what, sizeof what, "%s stat", label);
    r = stat(path, &st);
    show(what, r, &st);
    snprintf(what, sizeof what, "%s lstat", label);
    r = lstat(path, &st);
    show(what, r, &st);
    snprintf(what, sizeof what, "%s fstatat", label);
    r = fstatat(dirfd, rel, &st, 0);
    show(what, r, &st);
    snprintf(what, sizeof what, "%s fstatat NOFOLLOW", label);
    r = fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW);
    show(what, r, &st);
}

int main(void) {
    mkdir("/sandbox/d", 0755);
    int f = open("/sandbox/d/file", O_CREAT | O_WRONLY, 0644);
    printf("write: %zd\n", write(f, "twelve bytes", 12));
    close(f);
    mkdir("/sandbox/d/sub", 0755);
    close(open("/sandbox/d/\xc3\xa9t\xc3\xa9", O_CREAT | O_WRONLY, 0644));
    printf("symlink file: %d\n", symlink("file", "/sandbox/d/link"));
    printf("symlink dir: %d\n", symlink("sub", "/sandbox/d/dlink"));
    printf("symlink dangling: %d\n", symlink("nothing", "/sandbox/d/dangling"));
    int dir = open("/sandbox/d", O_RDONLY | O_DIRECTORY);

    all("file", "/sandbox/d/file", "/sandbox/d/file", dir, "file");
    all("directory", "/sandbox/d/sub", "/sandbox/d/sub", dir, "sub");
    all("link to file", "/sandbox/d/link", "/sandbox/d/file", dir, "link");
    all("link to directory", "/sandbox/d/dlink", "/sandbox/d/sub", dir, "dlink");
    all("dangling link", "/sandbox/d/dangling", "/sandbox/d/dangling", dir, "dangling");
    all("directory/", "/sandbox/d/sub/", "/sandbox/d/sub", dir, "sub/");
    all("link to directory/", "/sandbox/d/dlink/", "/sandbox/d/sub", dir, "dlink/");
    all("file/", "/sandbox/d/file/", "/sandbox/d/file", dir, "file/");
    all("missing", "/sandbox/d/missing", "/sandbox/d/missing", dir, "missing");
    all("file as directory", "/sandbox/d/file/x", "/sandbox/d/file", dir, "file/x");
    all("non-ASCII", "/sandbox/d/\xc3\xa9t\xc3\xa9", "/sandbox/d/\xc3\xa9t\xc3\xa9", dir, "\xc3\xa9t\xc3\xa9");
    all("nested", "/sandbox/d/sub/../file", "/sandbox/d/file", dir, "sub/../file");
    all("dot", "/sandbox/d/.", "/sandbox/d", dir, ".");
    all("empty", "", "/sandbox/d", dir, "");

    // lstat's st_ino of a link is its own; stat's of a link (the libc asks the hash without
    // following) too.
    struct stat a, b;
    stat("/sandbox/d/link", &a);
    lstat("/sandbox/d/link", &b);
    printf("stat(link).st_ino == lstat(link).st_ino: %d\n", a.st_ino == b.st_ino);

    // The directory argument.
    struct stat st;
    int file = open("/sandbox/d/file", O_RDONLY);
    int r = fstatat(file, "x", &st, 0);
    show("fstatat(file fd)", r, &st);
    r = fstatat(99, "file", &st, 0);
    show("fstatat(fd 99)", r, &st);
    close(dir);
    r = fstatat(dir, "file", &st, 0);
    show("fstatat(closed fd)", r, &st);
    chdir("/sandbox/d");
    have_ref = 0;
    r = stat("file", &st);
    show("relative after chdir", r, &st);
    close(file);
    return 0;
}
