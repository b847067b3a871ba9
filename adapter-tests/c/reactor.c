// A reactor (crt1-reactor: `_initialize`, no `_start`) exporting a function that uses WASI:
// constructors run once, then each call prints and reads the clock.
#include <stdio.h>
#include <time.h>

static int initialized;
__attribute__((constructor)) static void init(void) { initialized = 42; }

__attribute__((export_name("compute"))) int compute(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("compute: initialized=%d clock ok=%d\n", initialized, t.tv_sec >= 0);
    fflush(stdout);
    return initialized + 1;
}
