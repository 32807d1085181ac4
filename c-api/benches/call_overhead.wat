;; The module of the call-overhead benchmark (call_overhead.c, and the Rust side in
;; benches/src/bin/call_overhead.rs).
(module
  (import "host" "g" (func $g (param i32) (result i32)))
  ;; C -> wasm: a call that does nothing.
  (func (export "id") (param i32) (result i32) (local.get 0))
  ;; C -> wasm -> C: one host call inside.
  (func (export "roundtrip") (param i32) (result i32) (call $g (local.get 0)))
  ;; wasm -> C, n times in a loop.
  (func (export "calls") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $g (local.get $n))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc)))
