;; The fuel guest.
;;
;; run(n) adds up the Collatz steps of 1..=n, keeping its progress in globals, so a call
;; that runs out of fuel can be continued by calling it again after refuelling: each call
;; picks up at the first number not yet committed.
;;
;; runaway() never returns; only fuel stops it.
(module $fuel
  (global $next (mut i32) (i32.const 1))
  (global $total (mut i64) (i64.const 0))

  (func $run (export "run") (param $n i32) (result i64)
    (local $x i64) (local $steps i64)
    (block $done
      (loop $numbers
        (br_if $done (i32.gt_u (global.get $next) (local.get $n)))
        (local.set $x (i64.extend_i32_u (global.get $next)))
        (local.set $steps (i64.const 0))
        (block $reached_one
          (loop $step
            (br_if $reached_one (i64.eq (local.get $x) (i64.const 1)))
            (local.set $x
              (if (result i64) (i64.eqz (i64.and (local.get $x) (i64.const 1)))
                (then (i64.shr_u (local.get $x) (i64.const 1)))
                (else (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.const 1)))))
            (local.set $steps (i64.add (local.get $steps) (i64.const 1)))
            (br $step)))
        ;; Commit this number. Fuel is charged when a basic block is entered, for the whole
        ;; block, so the two stores below happen together or not at all: running out of
        ;; fuel loses at most the number in progress, which the next call redoes.
        (global.set $total (i64.add (global.get $total) (local.get $steps)))
        (global.set $next (i32.add (global.get $next) (i32.const 1)))
        (br $numbers)))
    (global.get $total))

  (func $runaway (export "runaway")
    (loop $forever (br $forever))))
