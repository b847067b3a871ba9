;; A missing import that IS called, after printing "ok": stdout "ok" then a failure means "fails at
;; call", no "ok" means "fails at load/instantiation".
;; expect: fail-at-call
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "no_such_function" (func $missing (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "ok\n")
  (func $ok
    (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (call $ok) (drop (call $missing (i32.const 0))))
)
