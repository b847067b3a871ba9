// Large stdout and stderr output through stdio and write(), and stdin read to the end.
// Usage: stdio [LINES]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int lines = argc > 1 ? atoi(argv[1]) : 20000;
    for (int i = 0; i < lines; i++) printf("line %06d %s\n", i, i % 7 ? "stdout" : "stdout stdout stdout");
    static char block[1 << 20];
    for (size_t i = 0; i < sizeof block; i++) block[i] = "0123456789abcdef\n"[i % 17];
    size_t w = fwrite(block, 1, sizeof block, stdout);
    fflush(stdout);
    ssize_t r = write(1, block, 65536 + 17);
    for (int i = 0; i < 5000; i++) fprintf(stderr, "err %d\n", i);
    ssize_t e = write(2, block, 30000);

    char buf[4096];
    size_t total = 0, n;
    unsigned sum = 0;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        for (size_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
        total += n;
    }
    printf("\nfwrite %zu, write %zd, stderr write %zd, stdin %zu bytes checksum %08x eof=%d error=%d\n",
           w, r, e, total, sum, feof(stdin), ferror(stdin));
    return 0;
}
