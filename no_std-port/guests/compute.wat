;; The compute guest: real work with results the firmware can check.
;;
;; - crc32_check: CRC-32 (IEEE) of "123456789", the standard check value 0xcbf43926;
;; - primes(n): a sieve of Eratosthenes over its own memory, counting primes below n;
;; - sample(n): n readings of sensor 0 stored in memory, returning their CRC-32;
;; - timed_primes(n): primes(n) timed with the host's clock.
;;
;; It uses no floats, so it runs on builds without float support too (floats.wat has the
;; float kernels).
;;
;; Its memory is 4 KiB in 1-byte pages (the custom-page-sizes proposal): a device gives the
;; guest what it needs, not the 64 KiB a standard page would cost. Layout:
;;
;;   0x000  CRC-32 table, 256 x i32
;;   0x400  "123456789", then log messages
;;   0x500  samples, up to 64 x i32
;;   0x600  sieve, one byte per number, up to 2048
;;   0xe00  a log line being assembled
;;   0xf00  decimal digits being converted (written backwards from 0xf10)
(module $compute
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "millis" (func $millis (result i64)))
  (import "env" "led_set" (func $led_set (param i32 i32)))
  (import "env" "sensor_read" (func $sensor_read (param i32) (result i32)))

  (memory (export "memory") 4096 4096 (pagesize 1))

  (data (i32.const 0x400) "123456789")
  (data (i32.const 0x410) "crc32 table built, entries: ")  ;; 28 bytes
  (data (i32.const 0x430) "sieve done, primes: ")          ;; 20 bytes
  (data (i32.const 0x450) "sampled sensor 0, readings: ")  ;; 28 bytes

  (global $table_ready (mut i32) (i32.const 0))

  ;; Logs the message at $msg followed by $value in decimal.
  (func $say (param $msg i32) (param $len i32) (param $value i32)
    (local $p i32)
    (local.set $p (i32.const 0xf10))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $value) (i32.const 10))))
      (br_if $digit
        (local.tee $value (i32.div_u (local.get $value) (i32.const 10)))))
    (memory.copy (i32.const 0xe00) (local.get $msg) (local.get $len))
    (memory.copy (i32.add (i32.const 0xe00) (local.get $len))
      (local.get $p) (i32.sub (i32.const 0xf10) (local.get $p)))
    (call $log (i32.const 0xe00)
      (i32.add (local.get $len) (i32.sub (i32.const 0xf10) (local.get $p)))))

  ;; The table for the reflected polynomial 0xedb88320, built once.
  (func $build_table
    (local $n i32) (local $c i32) (local $k i32)
    (loop $entries
      (local.set $c (local.get $n))
      (local.set $k (i32.const 8))
      (loop $bits
        (local.set $c
          (select
            (i32.xor (i32.shr_u (local.get $c) (i32.const 1)) (i32.const 0xedb88320))
            (i32.shr_u (local.get $c) (i32.const 1))
            (i32.and (local.get $c) (i32.const 1))))
        (br_if $bits (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      (i32.store (i32.shl (local.get $n) (i32.const 2)) (local.get $c))
      (br_if $entries
        (i32.ne (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 256))))
    (global.set $table_ready (i32.const 1))
    (call $say (i32.const 0x410) (i32.const 28) (local.get $n)))

  (func $crc32 (param $ptr i32) (param $len i32) (result i32)
    (local $crc i32) (local $end i32)
    (if (i32.eqz (global.get $table_ready)) (then (call $build_table)))
    (local.set $crc (i32.const -1))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $crc
          (i32.xor
            (i32.load
              (i32.shl
                (i32.and
                  (i32.xor (local.get $crc) (i32.load8_u (local.get $ptr)))
                  (i32.const 0xff))
                (i32.const 2)))
            (i32.shr_u (local.get $crc) (i32.const 8))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $bytes)))
    (i32.xor (local.get $crc) (i32.const -1)))

  (func $crc32_check (export "crc32_check") (result i32)
    (call $crc32 (i32.const 0x400) (i32.const 9)))

  ;; LED 0 is lit while the sieve runs. An n past the sieve's 2048 bytes traps in
  ;; memory.fill or a store: the guest cannot reach outside its 4 KiB.
  (func $primes (export "primes") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (call $led_set (i32.const 0) (i32.const 1))
    (memory.fill (i32.const 0x600) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $candidates
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u offset=0x600 (local.get $i)))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $marked
              (loop $multiples
                (br_if $marked (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 offset=0x600 (local.get $j) (i32.const 1))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $multiples)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $candidates)))
    (call $led_set (i32.const 0) (i32.const 0))
    (call $say (i32.const 0x430) (i32.const 20) (local.get $count))
    (local.get $count))

  ;; LED 1 is lit while sampling.
  (func $sample (export "sample") (param $n i32) (result i32)
    (local $i i32)
    (if (i32.gt_u (local.get $n) (i32.const 64)) (then unreachable))
    (call $led_set (i32.const 1) (i32.const 1))
    (block $done
      (loop $readings
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store offset=0x500 (i32.shl (local.get $i) (i32.const 2))
          (call $sensor_read (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $readings)))
    (call $led_set (i32.const 1) (i32.const 0))
    (call $say (i32.const 0x450) (i32.const 28) (local.get $n))
    (call $crc32 (i32.const 0x500) (i32.shl (local.get $n) (i32.const 2))))

  (func $timed_primes (export "timed_primes") (param $n i32) (result i64)
    (local $start i64)
    (local.set $start (call $millis))
    (drop (call $primes (local.get $n)))
    (i64.sub (call $millis) (local.get $start))))
