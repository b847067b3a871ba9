/*
 * wasip2_on_wasip1.h — the caller-supplied buffer ("zero-copy") API of the wasip2-on-wasip1
 * adapter. Only programs linked with wasip2-on-wasip1-ld have these functions; a program built
 * as a native WASIp2 component does not.
 *
 * Contract
 * - One-shot. wasip2_on_wasip1_arm_buffer(ptr, len) arms the buffer for the NEXT call that
 *   returns a list<u8>: input-stream.read / blocking-read, random get-random-bytes /
 *   get-insecure-random-bytes (and descriptor.read, datagram receive as they are served).
 *   That call disarms it whether or not its result used it.
 * - Used when it fits. If the call's result needs at most `len` bytes (for reads: the `len`
 *   requested, capped at 64 KiB), the adapter reads straight into `ptr` with WASIp1 and the
 *   returned list's pointer is `ptr`. Otherwise the result is allocated with the program's
 *   cabi_realloc as usual and must be freed as usual.
 * - Telling which. wasip2_on_wasip1_buffer_used() returns 1 after a call that used the buffer
 *   (pointer equality with `ptr` says the same). A list in the caller's buffer must NOT be
 *   freed (in Rust: do not drop the Vec the bindings built; mem::forget it).
 * - Alignment: any; byte lists only. The buffer must stay valid until the result is consumed.
 * - Threads: the adapter is built for single-threaded core wasm (no shared memory); the armed
 *   buffer is per instance. It is not usable under wasi-threads.
 * - wasip2_on_wasip1_caller_bytes() counts every byte the adapter has placed directly into
 *   caller buffers since the start (for measuring that no copy happened).
 * - wasip2_on_wasip1_allocated_bytes() counts every byte of list results the adapter handed
 *   out in blocks from the program's allocator instead (each one a copy for a libc read).
 * - Unmodified programs: when wasip2-on-wasip1-ld recognises wasi-libc's read functions it
 *   arms the caller's buffer around each read(2)/readv/pread/preadv/fread/recv itself
 *   (wasm-ld --wrap; `--verbose` says so), so those need no call of this API.
 * - wasip2_on_wasip1_heap_pages() is the number of 64 KiB pages the adapter's private heap
 *   (resource table, directory listings, scratch) has taken with memory.grow so far (for
 *   measuring the adapter's memory; its statics are in the program's data section).
 */
#ifndef WASIP2_ON_WASIP1_H
#define WASIP2_ON_WASIP1_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void wasip2_on_wasip1_arm_buffer(void *ptr, size_t len);
int32_t wasip2_on_wasip1_buffer_used(void);
uint64_t wasip2_on_wasip1_caller_bytes(void);
uint64_t wasip2_on_wasip1_allocated_bytes(void);
uint32_t wasip2_on_wasip1_heap_pages(void);

#ifdef __cplusplus
}
#endif

#endif
