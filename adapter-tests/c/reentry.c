// The component model forbids calling an import while the host is calling the program's
// `cabi_realloc` (to place a result): a native host traps ("cannot leave component
// instance"). This program's `cabi_realloc` (replacing wasi-libc's weak one) calls
// `monotonic-clock.now` the first time it runs after `main` has armed it, inside the
// allocation for `get-arguments`' result list. The adapter must trap the same way.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern uint64_t __wasm_import_monotonic_clock_now(void)
    __attribute__((__import_module__("wasi:clocks/monotonic-clock@0.2.0"), __import_name__("now")));
extern void __wasm_import_environment_get_arguments(int32_t ret)
    __attribute__((__import_module__("wasi:cli/environment@0.2.0"), __import_name__("get-arguments")));

static volatile int reenter;

__attribute__((__export_name__("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    if (reenter) {
        reenter = 0;
        (void)__wasm_import_monotonic_clock_now();
    }
    void *ret = ptr == NULL ? aligned_alloc(align, new_size) : realloc(ptr, new_size);
    if (!ret) abort();
    return ret;
}

int main(void) {
    static int32_t area[2];
    reenter = 1;
    __wasm_import_environment_get_arguments((int32_t)(intptr_t)area);
    printf("re-entered the host from cabi_realloc: did not trap (%d arguments)\n", (int)area[1]);
    return 0;
}
