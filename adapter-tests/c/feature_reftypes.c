// Uses reference types (an externref table and table.size) in `table_user`: WAMR before 2.3.0
// (default build: REF_TYPES=0) cannot load it.
#include <stdio.h>
static __externref_t table[0];
__attribute__((noinline)) int table_user(void) { return (int)__builtin_wasm_table_size(table); }
int main(void) { printf("%d\n", table_user()); return 0; }
