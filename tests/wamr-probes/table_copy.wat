;; Bulk memory: table.copy within table 0 (filled by an MVP active elem segment).
;; expect: ok   (stdout "ok\n", exit 0; a failed check exits with 10+n, no output)
(module
  (type $t (func (param i32) (result i32)))
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
  (table 4 funcref)
  (elem (i32.const 0) $double $triple)
  (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (type $t) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "_start")
    (table.copy (i32.const 2) (i32.const 0) (i32.const 2))
    (call $expect (call_indirect (type $t) (i32.const 7) (i32.const 3)) (i32.const 21) (i32.const 10))
    (call $ok))
)
