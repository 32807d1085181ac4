;; micro_globals: global.get and global.set of mutable i32, i64, f32 and f64 globals,
;; with the loop counter and accumulator kept in globals too, as a shadow-stack-heavy or
;; unoptimised compiler would. Immutable globals are read as well.
(module
  (memory (export "memory") 1)
  (global $i (mut i32) (i32.const 0))
  (global $acc (mut i64) (i64.const 0))
  (global $g32 (mut i32) (i32.const 7))
  (global $g64 (mut i64) (i64.const 11))
  (global $f32 (mut f32) (f32.const 0.5))
  (global $f64 (mut f64) (f64.const 0.25))
  (global $k32 i32 (i32.const 0x55))
  (global $k64 i64 (i64.const 0x123456789))

  (func (export "run") (param $n i32) (result i64)
    (global.set $i (i32.const 0))
    (global.set $acc (i64.const 0))
    (global.set $g32 (i32.const 7))
    (global.set $g64 (i64.const 11))
    (global.set $f32 (f32.const 0.5))
    (global.set $f64 (f64.const 0.25))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (global.get $i) (local.get $n)))
        (global.set $g32 (i32.add (global.get $g32) (global.get $k32)))
        (global.set $g64 (i64.xor (global.get $g64) (i64.extend_i32_u (global.get $g32))))
        (global.set $g64 (i64.add (global.get $g64) (global.get $k64)))
        (global.set $f32 (f32.neg (global.get $f32)))
        (global.set $f64 (f64.neg (global.get $f64)))
        (global.set $acc (i64.add (global.get $acc) (global.get $g64)))
        (global.set $acc (i64.add (global.get $acc)
          (i64.extend_i32_u (i32.reinterpret_f32 (global.get $f32)))))
        (global.set $acc (i64.xor (global.get $acc) (i64.reinterpret_f64 (global.get $f64))))
        (global.set $i (i32.add (global.get $i) (i32.const 1)))
        (br $loop)))
    (i64.add (global.get $acc) (i64.extend_i32_u (global.get $g32))))
)
