;; The C firmware's guest (main.c): Fibonacci numbers, reported to the host through an
;; import, and a division the host makes trap.
(module
  (import "env" "report" (func $report (param i32 i32)))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "run") (param $n i32) (result i32) (local $i i32)
    (loop $next
      (call $report (local.get $i) (call $fib (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.le_u (local.get $i) (local.get $n))))
    (call $fib (local.get $n)))
  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))
