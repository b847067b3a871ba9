;; memory.grow beyond the initial size (1 -> 33 pages, 2 MiB + 64 KiB), store at the new end, memory.size.
;; expect: ok   (stdout "ok\n", exit 0; a failed check exits with 10+n, no output)
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "ok\n")
  ;; prints "ok\n" on stdout
  (func $ok
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; exits with status $code (no output) unless $got == $want
  (func $expect (param $got i32) (param $want i32) (param $code i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $proc_exit (local.get $code)))))
  (func (export "_start")
    (call $expect (memory.grow (i32.const 32)) (i32.const 1) (i32.const 10))
    (call $expect (memory.size) (i32.const 33) (i32.const 11))
    (i32.store (i32.const 2162684) (i32.const 77))
    (call $expect (i32.load (i32.const 2162684)) (i32.const 77) (i32.const 12))
    (call $ok))
)
