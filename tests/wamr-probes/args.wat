;; Prints each argument the guest sees (args_get), one per line, as "arg[i]=<value>"; then each
;; environment variable (environ_get) as "env=<value>". Run with extra arguments and --env.
;; expect: args
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 32) "arg[")
  (data (i32.const 40) "]=")
  (data (i32.const 48) "env=")
  (func $write (param $p i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; writes the NUL-terminated string at $p with its NUL replaced by "\n"
  (func $line (param $p i32) (local $e i32)
    (local.set $e (local.get $p))
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (local.get $e))))
      (local.set $e (i32.add (local.get $e) (i32.const 1))) (br $next)))
    (i32.store8 (local.get $e) (i32.const 10))
    (call $write (local.get $p) (i32.add (i32.sub (local.get $e) (local.get $p)) (i32.const 1))))
  (func (export "_start") (local $n i32) (local $i i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $n (i32.load (i32.const 16)))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $write (i32.const 32) (i32.const 4))
      (i32.store8 (i32.const 56) (i32.add (i32.const 48) (local.get $i)))   ;; single digit index
      (call $write (i32.const 56) (i32.const 1))
      (call $write (i32.const 40) (i32.const 2))
      (call $line (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next)))
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $n (i32.load (i32.const 16)))
    (local.set $i (i32.const 0))
    (drop (call $environ_get (i32.const 2048) (i32.const 70000)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $write (i32.const 48) (i32.const 4))
      (call $line (i32.load (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next))))
)
