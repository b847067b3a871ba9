// Exit paths: exit(N), return N from main, _Exit(N), abort-free. Usage: exit MODE N
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int n = atoi(argv[2]);
    printf("mode %s code %d\n", argv[1], n);
    if (!strcmp(argv[1], "exit")) exit(n);
    if (!strcmp(argv[1], "_Exit")) { fflush(stdout); _Exit(n); }
    return n;
}
