// Atomics in `bump`; linked with --shared-memory it has a shared memory, which the adapter
// (one global, unsynchronised state) refuses for every runtime.
#include <stdio.h>
static int counter;
__attribute__((noinline)) int bump(void) { return __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST) + 1; }
int main(void) { printf("%d\n", bump()); return 0; }
