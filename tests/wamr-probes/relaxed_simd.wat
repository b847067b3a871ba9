;; Relaxed SIMD: i32x4.relaxed_trunc_f32x4_s (in-range values, deterministic) and i8x16.relaxed_swizzle.
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
    (call $expect (i32x4.extract_lane 1 (i32x4.relaxed_trunc_f32x4_s (v128.const f32x4 1.5 -2.5 3 4))) (i32.const -2) (i32.const 10))
    (call $expect (i8x16.extract_lane_u 0 (i8x16.relaxed_swizzle (v128.const i8x16 7 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0))) (i32.const 7) (i32.const 11))
    (call $ok))
)
