// Zero-copy reads: arms the adapter's caller-supplied buffer before each input-stream read
// of stdin and checks that the list the adapter returns lies in that buffer. Prints the bytes
// read, a checksum, how many reads used the buffer, and the adapter's own count of bytes it
// placed in caller buffers. Then the adapter's private heap across 10000 pollable
// create/drop cycles (wasip2_on_wasip1_heap_pages). Runs only when linked with
// wasip2-on-wasip1-ld.
#include <stdio.h>
#include <stdlib.h>
#include <wasi/wasip2.h>
#include "../../api/wasip2_on_wasip1.h"

int main(void) {
    static unsigned char buf[65536];
    streams_own_input_stream_t in = stdin_get_stdin();
    streams_borrow_input_stream_t b = streams_borrow_input_stream(in);
    size_t total = 0, in_buffer = 0, reads = 0;
    unsigned sum = 0;
    uint64_t before = wasip2_on_wasip1_caller_bytes();
    for (;;) {
        wasip2_list_u8_t list;
        streams_stream_error_t err;
        wasip2_on_wasip1_arm_buffer(buf, sizeof buf);
        if (!streams_method_input_stream_blocking_read(b, sizeof buf, &list, &err)) {
            if (err.tag != STREAMS_STREAM_ERROR_CLOSED) { printf("read failed\n"); return 1; }
            break;
        }
        reads++;
        if (list.ptr == buf && wasip2_on_wasip1_buffer_used()) in_buffer++;
        else if (list.len > 0) free(list.ptr);
        for (size_t i = 0; i < list.len; i++) sum = sum * 31 + list.ptr[i];
        total += list.len;
    }
    // An unarmed read after the end: the buffer is not used.
    uint64_t placed = wasip2_on_wasip1_caller_bytes() - before;
    printf("stdin: %zu bytes checksum %08x\n", total, sum);
    printf("reads: %zu, in the caller's buffer: %zu\n", reads, in_buffer);
    printf("adapter placed %llu bytes in caller buffers; copies avoided: %s\n", (unsigned long long)placed,
           placed == total && in_buffer == reads ? "all" : "NOT ALL");
    // The adapter's private heap holds its table: at least one page once handles exist, and
    // no growth when handles come and go.
    uint32_t pages_before = wasip2_on_wasip1_heap_pages();
    for (int i = 0; i < 10000; i++) poll_pollable_drop_own(streams_method_input_stream_subscribe(b));
    printf("adapter heap pages: %u -> %u\n", (unsigned)pages_before, (unsigned)wasip2_on_wasip1_heap_pages());
    streams_input_stream_drop_own(in);
    return 0;
}
