;; The trap guest: each export fails in its own way, so the firmware can show that every
;; failure comes back as a reported trap and that it, and this instance, carry on.
;; Its memory is 256 bytes (1-byte pages): bounds are checked at 256, not at 64 KiB.
(module $trap
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "led_set" (func $led_set (param i32 i32)))
  (import "env" "sensor_read" (func $sensor_read (param i32) (result i32)))

  (memory (export "memory") 256 256 (pagesize 1))
  (data (i32.const 0) "dividing")

  (func $divide (export "divide") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))

  ;; Two frames deep, for the backtrace.
  (func $average (export "average") (param $sum i32) (param $count i32) (result i32)
    (call $log (i32.const 0) (i32.const 8))
    (call $divide (local.get $sum) (local.get $count)))

  ;; A 4-byte load at 253 reaches byte 256, one past the end.
  (func $read_past_end (export "read_past_end") (result i32)
    (i32.load (i32.const 253)))

  (func $bad_led (export "bad_led")
    (call $led_set (i32.const 7) (i32.const 1)))

  (func $bad_sensor (export "bad_sensor") (result i32)
    (call $sensor_read (i32.const 99)))

  ;; 100 bytes from 200 run past the 256-byte memory: the host refuses to read them.
  (func $bad_log (export "bad_log")
    (call $log (i32.const 200) (i32.const 100)))

  ;; Never returns: ends when the engine's call-depth limit is reached, on wisp's own
  ;; value stack, while the native stack stays one interpreter frame deep.
  (func $recurse (export "recurse") (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))

  (func $unreachable (export "unreachable")
    unreachable))
