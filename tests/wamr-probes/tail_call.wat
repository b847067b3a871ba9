;; Tail calls: return_call 1,000,000 deep (would exhaust the stack without real tail calls) and return_call_indirect.
;; expect: ok   (stdout "ok\n", exit 0; a failed check exits with 10+n, no output)
(module
  (type $t (func (param i32 i32) (result i32)))
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
  (table 1 funcref)
  (elem (i32.const 0) $count)
  (func $count (type $t) (if (i32.eqz (local.get 0)) (then (return (local.get 1))))
    (return_call $count (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (i32.const 1))))
  (func $via_table (param i32) (result i32) (return_call_indirect (type $t) (local.get 0) (i32.const 0) (i32.const 0)))
  (func (export "_start")
    (call $expect (call $count (i32.const 1000000) (i32.const 0)) (i32.const 1000000) (i32.const 10))
    (call $expect (call $via_table (i32.const 1000)) (i32.const 1000) (i32.const 11))
    (call $ok))
)
