;; micro_branches: br_if, br_table, if/else and loops, with little arithmetic around them.
;; Each of the n iterations steps a 32-bit LCG, dispatches on its top bits through a
;; 9-way br_table, runs a short inner loop exiting by br_if, and takes an if/else chain.
(module
  (memory (export "memory") 1)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $s i32) (local $k i32) (local $c0 i32) (local $c1 i32) (local $acc i64)
    (local.set $s (i32.const 12345))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (i32.mul (local.get $s) (i32.const 1103515245)) (i32.const 12345)))
        ;; br_table over the top 4 bits: 8 cases and a default.
        (block $join
          (block $d
            (block $c7
              (block $c6
                (block $c5
                  (block $c4
                    (block $c3
                      (block $c2
                        (block $c1
                          (block $c0
                            (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7 $d
                              (i32.shr_u (local.get $s) (i32.const 28))))
                          (local.set $c0 (i32.add (local.get $c0) (i32.const 1)))
                          (br $join))
                        (local.set $c1 (i32.add (local.get $c1) (i32.const 1)))
                        (br $join))
                      (local.set $c0 (i32.add (local.get $c0) (i32.const 3)))
                      (br $join))
                    (local.set $c1 (i32.add (local.get $c1) (i32.const 5)))
                    (br $join))
                  (local.set $c0 (i32.xor (local.get $c0) (local.get $s)))
                  (br $join))
                (local.set $c1 (i32.xor (local.get $c1) (local.get $i)))
                (br $join))
              (local.set $c0 (i32.sub (local.get $c0) (i32.const 1)))
              (br $join))
            (local.set $c1 (i32.sub (local.get $c1) (i32.const 1)))
            (br $join))
          (local.set $c0 (i32.add (local.get $c0) (local.get $c1))))
        ;; An inner loop of 0..7 trips, leaving by br_if at the top and the bottom.
        (local.set $k (i32.and (local.get $s) (i32.const 7)))
        (block $out
          (loop $inner
            (br_if $out (i32.eqz (local.get $k)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (local.set $c1 (i32.add (local.get $c1) (local.get $k)))
            (br_if $inner (i32.and (local.get $k) (i32.const 3)))))
        ;; An if/else chain on compare results.
        (if (i32.lt_s (local.get $c0) (local.get $c1))
          (then
            (if (i32.gt_u (local.get $s) (i32.const 0x80000000))
              (then (local.set $acc (i64.add (local.get $acc) (i64.const 1))))
              (else (local.set $acc (i64.add (local.get $acc) (i64.const 2))))))
          (else
            (if (i32.eq (i32.and (local.get $s) (i32.const 0x300)) (i32.const 0x100))
              (then (local.set $acc (i64.sub (local.get $acc) (i64.const 1)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (i64.add
      (i64.shl (local.get $acc) (i64.const 32))
      (i64.extend_i32_u (i32.xor (local.get $c0) (local.get $c1)))))
)
