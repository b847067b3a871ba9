// getentropy, arc4random, arc4random_buf, arc4random_uniform.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    unsigned char a[256], b[256];
    int ra = getentropy(a, sizeof a), rb = getentropy(b, sizeof b);
    printf("getentropy: rc=%d,%d differ=%s\n", ra, rb, memcmp(a, b, sizeof a) ? "yes" : "no");
    printf("getentropy 257 bytes: rc=%d\n", getentropy(a, 257) == 0 ? 0 : -1);
    uint32_t x = arc4random(), y = arc4random(), z = arc4random();
    printf("arc4random: not all equal=%s\n", (x != y || y != z) ? "yes" : "no");
    static unsigned char big[100000];
    memset(big, 0, sizeof big);
    arc4random_buf(big, sizeof big);
    size_t zeros = 0;
    for (size_t i = 0; i < sizeof big; i++) zeros += big[i] == 0;
    printf("arc4random_buf: plausible=%s\n", zeros < 1000 ? "yes" : "no");
    uint32_t u = arc4random_uniform(10);
    printf("arc4random_uniform(10) < 10: %s\n", u < 10 ? "yes" : "no");
    return 0;
}
