;; Memory64: a 64-bit memory (limits flag 0x04), i64 addresses, memory.size returning i64. There is
;; no 32-bit memory for WASI to print from, so this probe reports by exit status only.
;; expect: exit=42   (10 if memory.size is wrong; 11 if the stored value is not read back)
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") i64 1)
  (func (export "_start")
    (if (i64.ne (memory.size) (i64.const 1)) (then (call $proc_exit (i32.const 10))))
    (i64.store (i64.const 65528) (i64.const 42))
    (if (i64.ne (i64.load (i64.const 65528)) (i64.const 42)) (then (call $proc_exit (i32.const 11))))
    (call $proc_exit (i32.wrap_i64 (i64.load (i64.const 65528)))))
)
