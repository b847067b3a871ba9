// Uses SIMD (v128 loads and lanes) in `add_vectors`: WAMR's interpreters before 2.4 cannot run it.
#include <stdio.h>
#include <wasm_simd128.h>
__attribute__((noinline)) int add_vectors(const int *x, const int *y) {
    v128_t s = wasm_i32x4_add(wasm_v128_load(x), wasm_v128_load(y));
    return wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 3);
}
int main(int argc, char **argv) { int a[4] = {argc, 2, 3, 4}, b[4] = {5, 6, 7, argc}; printf("%d\n", add_vectors(a, b)); return 0; }
