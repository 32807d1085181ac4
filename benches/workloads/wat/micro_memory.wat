;; micro_memory: loads and stores of every width and signedness, i32/i64/f32/f64, at
;; addresses that walk a 64 KiB window with a stride, plus a memory.fill/copy pair every
;; 1024 iterations. The checksum is the folded load results and a hash of the window.
(module
  (memory (export "memory") 2)

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $p i32) (local $q i32) (local $acc i64) (local $a i32) (local $b i64)
    ;; Seed the window with a pattern.
    (block $seeded
      (loop $seed
        (i64.store (local.get $p)
          (i64.mul (i64.extend_i32_u (i32.add (local.get $p) (i32.const 1)))
                   (i64.const 0x9E3779B97F4A7C15)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br_if $seed (i32.lt_u (local.get $p) (i32.const 65536)))))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; p walks the window 8-aligned, q unaligned and elsewhere.
        (local.set $p (i32.and (i32.mul (local.get $i) (i32.const 40)) (i32.const 0xFFF8)))
        (local.set $q (i32.and (i32.add (i32.mul (local.get $i) (i32.const 77)) (i32.const 3))
                               (i32.const 0xFFEF)))
        ;; i32 loads of each width
        (local.set $a (i32.add
          (i32.add (i32.load8_s (local.get $p)) (i32.load8_u offset=1 (local.get $p)))
          (i32.add (i32.load16_s offset=2 (local.get $p)) (i32.load16_u (local.get $q)))))
        (local.set $a (i32.xor (local.get $a) (i32.load offset=4 (local.get $q))))
        ;; i64 loads of each width
        (local.set $b (i64.add
          (i64.add (i64.load8_s offset=5 (local.get $p)) (i64.load8_u offset=6 (local.get $q)))
          (i64.add (i64.load16_s offset=8 (local.get $q)) (i64.load16_u offset=10 (local.get $p)))))
        (local.set $b (i64.add (local.get $b)
          (i64.add (i64.load32_s offset=12 (local.get $p)) (i64.load32_u offset=1 (local.get $q)))))
        (local.set $b (i64.xor (local.get $b) (i64.load offset=8 (local.get $p))))
        ;; float loads (only their bits are used, so NaNs are harmless)
        (local.set $b (i64.add (local.get $b)
          (i64.add (i64.extend_i32_u (i32.reinterpret_f32 (f32.load offset=2 (local.get $q))))
                   (i64.reinterpret_f64 (f64.load offset=16 (local.get $p))))))
        ;; stores of each width
        (i32.store8 offset=3 (local.get $q) (local.get $a))
        (i32.store16 offset=20 (local.get $p) (local.get $a))
        (i32.store offset=24 (local.get $p) (i32.add (local.get $a) (local.get $i)))
        (i64.store8 offset=9 (local.get $q) (local.get $b))
        (i64.store16 offset=6 (local.get $q) (local.get $b))
        (i64.store32 offset=28 (local.get $p) (local.get $b))
        (i64.store offset=32 (local.get $p) (i64.add (local.get $b) (local.get $acc)))
        (f32.store offset=11 (local.get $q) (f32.reinterpret_i32 (local.get $a)))
        (f64.store offset=40 (local.get $p) (f64.reinterpret_i64 (local.get $b)))
        (local.set $acc (i64.add (i64.rotl (local.get $acc) (i64.const 5))
                                 (i64.xor (local.get $b) (i64.extend_i32_s (local.get $a)))))
        ;; bulk memory, now and then
        (if (i32.eqz (i32.and (local.get $i) (i32.const 1023)))
          (then
            (memory.copy (i32.const 65536) (local.get $p) (i32.const 4096))
            (memory.fill (local.get $q) (local.get $a) (i32.const 64))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    ;; Hash the window.
    (local.set $p (i32.const 0))
    (block $hashed
      (loop $hash
        (local.set $acc (i64.mul (i64.xor (local.get $acc) (i64.load (local.get $p)))
                                 (i64.const 0x100000001B3)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br_if $hash (i32.lt_u (local.get $p) (i32.const 65600)))))
    (local.get $acc))
)
