;; micro_locals: local.get, local.set and local.tee shuffles. Each of the n iterations
;; rotates eight i64 and four i32 locals through each other with tees and a little
;; arithmetic, the kind of traffic an unoptimised compiler's output is full of.
(module
  (memory (export "memory") 1)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local $e i64) (local $f i64) (local $g i64) (local $h i64) (local $t i64)
    (local $w i32) (local $x i32) (local $y i32) (local $z i32) (local $u i32)
    (local.set $a (i64.const 1)) (local.set $b (i64.const 2)) (local.set $c (i64.const 3))
    (local.set $d (i64.const 4)) (local.set $e (i64.const 5)) (local.set $f (i64.const 6))
    (local.set $g (i64.const 7)) (local.set $h (i64.const 8))
    (local.set $w (i32.const 11)) (local.set $x (i32.const 13))
    (local.set $y (i32.const 17)) (local.set $z (i32.const 19))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; rotate a..h by one, through t
        (local.set $t (local.get $h))
        (local.set $h (local.get $g))
        (local.set $g (local.get $f))
        (local.set $f (local.get $e))
        (local.set $e (local.get $d))
        (local.set $d (local.get $c))
        (local.set $c (local.get $b))
        (local.set $b (local.get $a))
        (local.set $a (i64.add (local.get $t) (local.get $b)))
        ;; tees: chains that keep the value on the stack
        (local.set $t (local.tee $h (local.tee $g (i64.xor (local.get $g) (local.get $c)))))
        (local.set $e (i64.add (local.tee $f (local.get $e)) (local.get $t)))
        ;; swaps of i32 locals
        (local.set $u (local.get $w))
        (local.set $w (local.get $x))
        (local.set $x (local.get $u))
        (local.set $u (local.get $y))
        (local.set $y (local.get $z))
        (local.set $z (i32.add (local.get $u) (local.tee $w (i32.add (local.get $w) (local.get $i)))))
        (local.set $x (local.tee $y (local.get $x)))
        ;; feed the i32s back so nothing is dead
        (local.set $d (i64.add (local.get $d) (i64.extend_i32_u (local.get $z))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (i64.add
      (i64.xor (i64.xor (local.get $a) (local.get $b)) (i64.xor (local.get $c) (local.get $d)))
      (i64.add (i64.add (local.get $e) (local.get $f))
               (i64.add (i64.add (local.get $g) (local.get $h))
                        (i64.extend_i32_u (i32.xor (local.get $w) (local.get $y)))))))
)
