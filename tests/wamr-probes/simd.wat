;; Fixed-width SIMD: v128.const, i32x4.add, i32x4.extract_lane, v128 load/store.
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
    (v128.store (i32.const 256) (i32x4.add (v128.const i32x4 1 2 3 4) (v128.const i32x4 10 20 30 40)))
    (call $expect (i32x4.extract_lane 2 (v128.load (i32.const 256))) (i32.const 33) (i32.const 10))
    (call $expect (i32.load (i32.const 268)) (i32.const 44) (i32.const 11))
    (call $ok))
)
