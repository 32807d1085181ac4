;; micro_calls: direct and indirect calls.
;; Each of the n iterations makes 11 calls: 7 direct ($twice calls $mix twice, $nop has no
;; parameters or results, $divmod returns two values) and 4 call_indirect through a table
;; of 8 functions of one type, the index changing every call. The checksum folds in every
;; result.
(module
  (type $binop (func (param i64 i64) (result i64)))
  (memory (export "memory") 1)
  (table 8 funcref)
  (elem (i32.const 0) $add $sub $xor $mix $add $rotl $mix $sub)

  (func $add (type $binop) (i64.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i64.sub (local.get 0) (local.get 1)))
  (func $xor (type $binop) (i64.xor (local.get 0) (local.get 1)))
  (func $rotl (type $binop) (i64.rotl (local.get 0) (local.get 1)))
  (func $mix (type $binop)
    (i64.add (i64.mul (local.get 0) (i64.const 31)) (local.get 1)))
  ;; Two deep: calls $mix.
  (func $twice (param i64 i64) (result i64)
    (call $mix (call $mix (local.get 0) (local.get 1)) (local.get 1)))
  ;; Three parameters, no locals.
  (func $sel (param i64 i64 i32) (result i64)
    (select (local.get 0) (local.get 1) (i32.and (local.get 2) (i32.const 1))))
  ;; Two results.
  (func $divmod (param i64 i64) (result i64 i64)
    (i64.div_u (local.get 0) (local.get 1))
    (i64.rem_u (local.get 0) (local.get 1)))
  ;; No parameters, no results: the cheapest call there is.
  (func $nop)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i64) (local $x i64) (local $q i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i64.extend_i32_u (local.get $i)))
        ;; direct
        (local.set $acc (call $add (local.get $acc) (local.get $x)))
        (local.set $acc (call $twice (local.get $acc) (local.get $x)))
        (local.set $acc (call $sel (local.get $acc) (local.get $x) (local.get $i)))
        (call $nop)
        ;; indirect, four different targets per iteration
        (local.set $acc (call_indirect (type $binop) (local.get $acc) (local.get $x)
          (i32.and (local.get $i) (i32.const 7))))
        (local.set $acc (call_indirect (type $binop) (local.get $acc) (i64.const 7)
          (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 7))))
        (local.set $acc (call_indirect (type $binop) (local.get $acc) (local.get $x)
          (i32.and (i32.add (local.get $i) (i32.const 3)) (i32.const 7))))
        (local.set $acc (call_indirect (type $binop) (local.get $acc) (i64.const 13)
          (i32.and (i32.add (local.get $i) (i32.const 6)) (i32.const 7))))
        ;; multi-value
        (call $divmod (local.get $acc) (i64.or (local.get $x) (i64.const 1)))
        (local.set $x)  ;; remainder
        (local.set $q)  ;; quotient
        (local.set $acc (i64.xor (local.get $q) (i64.add (local.get $acc) (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (local.get $acc))
)
