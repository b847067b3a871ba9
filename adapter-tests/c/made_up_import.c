// Imports a `wasi_snapshot_preview1` function that WASIp1 does not have (and WAMR's
// `sock_close`, which WAMR's socket extension has): tests/toolchains.rs checks that the linker
// refuses it and `check` reports it, naming the caller.
#include <stdint.h>
#include <stdio.h>

__attribute__((import_module("wasi_snapshot_preview1"), import_name("made_up_fn"))) int32_t made_up_fn(int32_t);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_close"))) int32_t wamr_sock_close(int32_t);

__attribute__((noinline)) int call_it(int x) { return made_up_fn(x) + wamr_sock_close(x); }

int main(int argc, char **argv) {
    (void)argv;
    printf("%d\n", call_it(argc));
    return 0;
}
