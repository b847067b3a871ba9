;; Threads: memory.atomic.notify (no waiter: 0) and memory.atomic.wait32 with a mismatched expected
;; value (returns 1, "not-equal", without blocking) on a shared memory.
;; expect: ok
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1 1 shared)
  (data (i32.const 64) "ok\n")
  ;; prints "ok\n" on stdout
  (func $ok
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; exits with status $code (no output) unless $got == $want
  (func $expect (param $got i32) (param $want i32) (param $code i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $code)))))
  (func (export "_start")
    (call $expect (memory.atomic.notify (i32.const 512) (i32.const 1)) (i32.const 0) (i32.const 10))
    (call $expect (memory.atomic.wait32 (i32.const 512) (i32.const 99) (i64.const 0)) (i32.const 1) (i32.const 11))
    (call $ok))
)
