;; Throw and catch across 100 frames, `n` times (`throw`), against the same calls
;; returning normally (`return`): the difference is what unwinding costs. Each frame adds
;; to the result after its call returns, so no runtime can turn the recursion into a loop.
(module
  (tag $e (param i32))

  ;; `d` frames down, then throws (or returns) 7.
  (func $down (param $d i32) (param $throw i32) (result i32)
    (if (i32.eqz (local.get $d))
      (then
        (if (local.get $throw) (then (throw $e (i32.const 7))))
        (return (i32.const 7))))
    (i32.add (i32.const 1)
      (call $down (i32.sub (local.get $d) (i32.const 1)) (local.get $throw))))

  ;; One round: the value thrown from 100 frames down, or the sum the frames returned.
  (func $round (param $throw i32) (result i32)
    (block $caught (result i32)
      (try_table (result i32) (catch $e $caught)
        (call $down (i32.const 100) (local.get $throw)))))

  (func $rounds (param $n i32) (param $throw i32) (result i64) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum
          (i64.add (local.get $sum) (i64.extend_i32_u (call $round (local.get $throw)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func (export "throw") (param $n i32) (result i64)
    (call $rounds (local.get $n) (i32.const 1)))
  (func (export "return") (param $n i32) (result i64)
    (call $rounds (local.get $n) (i32.const 0))))
