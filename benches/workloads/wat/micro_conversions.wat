;; micro_conversions: numeric conversions: int<->float both ways (trapping truncation in
;; range, saturating truncation out of range too), wrap and extend, the sign-extension
;; operators, promote/demote and reinterpret. Folded into an i64 checksum.
(module
  (memory (export "memory") 1)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $s i32) (local $w i64) (local $f f64) (local $g f32) (local $acc i64)
    (local.set $s (i32.const 0x2545F491))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.xor (local.get $s) (i32.shl (local.get $s) (i32.const 13))))
        (local.set $s (i32.xor (local.get $s) (i32.shr_u (local.get $s) (i32.const 17))))
        (local.set $s (i32.xor (local.get $s) (i32.shl (local.get $s) (i32.const 5))))
        ;; extend and wrap
        (local.set $w (i64.add (i64.extend_i32_s (local.get $s))
                               (i64.shl (i64.extend_i32_u (local.get $i)) (i64.const 32))))
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (i32.wrap_i64
          (i64.rotr (local.get $w) (i64.const 7))))))
        ;; sign extension
        (local.set $acc (i64.add (local.get $acc)
          (i64.add (i64.extend_i32_s (i32.add (i32.extend8_s (local.get $s))
                                              (i32.extend16_s (local.get $s))))
                   (i64.add (i64.extend8_s (local.get $w))
                            (i64.add (i64.extend16_s (local.get $w)) (i64.extend32_s (local.get $w)))))))
        ;; int -> float, every source type and signedness
        (local.set $f (f64.add (f64.add (f64.convert_i32_s (local.get $s)) (f64.convert_i32_u (local.get $s)))
                               (f64.add (f64.convert_i64_s (local.get $w)) (f64.convert_i64_u (local.get $w)))))
        (local.set $g (f32.add (f32.add (f32.convert_i32_s (local.get $s)) (f32.convert_i32_u (local.get $s)))
                               (f32.add (f32.convert_i64_s (local.get $w)) (f32.convert_i64_u (local.get $w)))))
        ;; float -> int, in range (|s| < 2^31 so s / 2 fits i32; |w| < 2^63 scaled down)
        (local.set $acc (i64.add (local.get $acc)
          (i64.extend_i32_s (i32.trunc_f64_s (f64.mul (f64.convert_i32_s (local.get $s)) (f64.const 0.5))))))
        (local.set $acc (i64.add (local.get $acc)
          (i64.extend_i32_u (i32.trunc_f64_u (f64.mul (f64.convert_i32_u (local.get $s)) (f64.const 0.75))))))
        (local.set $acc (i64.add (local.get $acc)
          (i64.trunc_f64_s (f64.mul (local.get $f) (f64.const 0.125)))))
        (local.set $acc (i64.add (local.get $acc)
          (i64.trunc_f32_u (f32.abs (f32.mul (local.get $g) (f32.const 0.125))))))
        (local.set $acc (i64.add (local.get $acc)
          (i64.extend_i32_s (i32.trunc_f32_s (f32.mul (f32.convert_i32_s (local.get $s)) (f32.const 0.25))))))
        ;; saturating, deliberately out of range in half the cases
        (local.set $acc (i64.add (local.get $acc)
          (i64.add (i64.extend_i32_s (i32.trunc_sat_f64_s (local.get $f)))
                   (i64.extend_i32_u (i32.trunc_sat_f32_u (local.get $g))))))
        (local.set $acc (i64.xor (local.get $acc)
          (i64.add (i64.trunc_sat_f64_u (local.get $f)) (i64.trunc_sat_f32_s (local.get $g)))))
        ;; promote, demote, reinterpret
        (local.set $acc (i64.add (local.get $acc)
          (i64.add (i64.reinterpret_f64 (f64.promote_f32 (local.get $g)))
                   (i64.extend_i32_u (i32.reinterpret_f32 (f32.demote_f64 (local.get $f)))))))
        (local.set $acc (i64.add (local.get $acc)
          (i64.extend_i32_u (i32.reinterpret_f32 (f32.reinterpret_i32 (local.get $s))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (local.get $acc))
)
