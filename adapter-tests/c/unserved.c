// Uses WASI 0.2 imports the adapter cannot serve: wasi:http (no WASIp1 equivalent) and a
// wasi:cli function from a 0.2.x newer than the adapter's WIT. Linking must fail and name
// both, with the calling function.
#include <stdint.h>

__attribute__((import_module("wasi:http/types@0.2.0"), import_name("[constructor]fields")))
extern int32_t http_fields_new(void);

__attribute__((import_module("wasi:cli/environment@0.2.99"), import_name("get-arguments")))
extern void future_get_arguments(int32_t ret);

__attribute__((noinline)) int make_request(void) { return http_fields_new(); }

__attribute__((noinline)) int read_args(void) {
    int32_t area[2];
    future_get_arguments((int32_t)(intptr_t)area);
    return area[1];
}

int main(void) { return make_request() + read_args(); }
