;; micro_float: f32 and f64 arithmetic: add, sub, mul, div, sqrt, min, max, abs, neg,
;; copysign, floor, ceil, trunc, nearest and comparisons. Every value stays finite, so the
;; results (folded as raw bits) are the same on every runtime.
(module
  (memory (export "memory") 1)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32)
    (local $x f64) (local $y f64) (local $z f64)
    (local $p f32) (local $q f32) (local $r f32)
    (local $acc i64)
    (local.set $x (f64.const 0.5)) (local.set $y (f64.const 1.25)) (local.set $z (f64.const 0))
    (local.set $p (f32.const 0.75)) (local.set $q (f32.const 1.5)) (local.set $r (f32.const 0))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; f64: a bounded map, x in [0, 4), y in (1, 2)
        (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.999))
                               (f64.div (local.get $y) (f64.add (local.get $x) (f64.const 3.0)))))
        (local.set $y (f64.add (f64.const 1.0)
                               (f64.sqrt (f64.mul (f64.sub (local.get $y) (f64.const 0.9))
                                                  (f64.const 0.5)))))
        (local.set $z (f64.add (local.get $z)
          (f64.copysign
            (f64.max (f64.floor (f64.mul (local.get $x) (f64.const 7.3)))
                     (f64.ceil (f64.neg (local.get $y))))
            (f64.sub (local.get $y) (f64.const 1.5)))))
        (local.set $z (f64.sub (local.get $z)
          (f64.min (f64.abs (f64.nearest (f64.mul (local.get $x) (f64.const 2.5))))
                   (f64.trunc (f64.mul (local.get $y) (f64.const 3.1))))))
        ;; f32: the same shape
        (local.set $p (f32.add (f32.mul (local.get $p) (f32.const 0.999))
                               (f32.div (local.get $q) (f32.add (local.get $p) (f32.const 3.0)))))
        (local.set $q (f32.add (f32.const 1.0)
                               (f32.sqrt (f32.mul (f32.sub (local.get $q) (f32.const 0.9))
                                                  (f32.const 0.5)))))
        (local.set $r (f32.add (local.get $r)
          (f32.copysign
            (f32.max (f32.floor (f32.mul (local.get $p) (f32.const 7.3)))
                     (f32.ceil (f32.neg (local.get $q))))
            (f32.sub (local.get $q) (f32.const 1.5)))))
        (local.set $r (f32.sub (local.get $r)
          (f32.min (f32.abs (f32.nearest (f32.mul (local.get $p) (f32.const 2.5))))
                   (f32.trunc (f32.mul (local.get $q) (f32.const 3.1))))))
        ;; keep the running sums bounded
        (if (f64.gt (f64.abs (local.get $z)) (f64.const 1e6))
          (then (local.set $z (f64.mul (local.get $z) (f64.const 0.5)))))
        (if (f32.ge (f32.abs (local.get $r)) (f32.const 1e4))
          (then (local.set $r (f32.mul (local.get $r) (f32.const 0.5)))))
        (local.set $acc (i64.add (i64.rotl (local.get $acc) (i64.const 1))
          (i64.xor (i64.reinterpret_f64 (local.get $z))
                   (i64.extend_i32_u (i32.reinterpret_f32 (local.get $r))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (i64.xor (local.get $acc)
      (i64.xor (i64.reinterpret_f64 (local.get $x))
               (i64.extend_i32_u (i32.reinterpret_f32 (local.get $q))))))
)
