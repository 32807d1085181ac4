;; The float guest: f32 and f64 kernels, kept apart from the compute guest so that a build
;; without float support (the `no-float` feature) can show that it refuses them at load.
;;
;; - mean_celsius(n): n readings of sensor 0 as temperatures, averaged in f32 (a 10 mV per
;;   degree sensor with a 500 mV offset on a 3.3 V, 12-bit ADC: raw * (330 / 4095) - 50);
;; - pi(terms): the Nilakantha series in f64.
(module $floats
  (import "env" "sensor_read" (func $sensor_read (param i32) (result i32)))

  (func $mean_celsius (export "mean_celsius") (param $n i32) (result f32)
    (local $i i32) (local $scale f32) (local $sum f32)
    (local.set $scale (f32.div (f32.const 330) (f32.const 4095)))
    (block $done
      (loop $readings
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (f32.add (local.get $sum)
            (f32.sub
              (f32.mul (f32.convert_i32_s (call $sensor_read (i32.const 0)))
                (local.get $scale))
              (f32.const 50))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $readings)))
    (f32.div (local.get $sum) (f32.convert_i32_u (local.get $n))))

  ;; pi = 3 + 4/(2*3*4) - 4/(4*5*6) + 4/(6*7*8) - ...
  (func $pi (export "pi") (param $terms i32) (result f64)
    (local $acc f64) (local $sign f64) (local $k f64)
    (local.set $acc (f64.const 3))
    (local.set $sign (f64.const 1))
    (local.set $k (f64.const 2))
    (block $done
      (loop $series
        (br_if $done (i32.eqz (local.get $terms)))
        (local.set $acc
          (f64.add (local.get $acc)
            (f64.div (f64.mul (local.get $sign) (f64.const 4))
              (f64.mul (f64.mul (local.get $k) (f64.add (local.get $k) (f64.const 1)))
                (f64.add (local.get $k) (f64.const 2))))))
        (local.set $sign (f64.neg (local.get $sign)))
        (local.set $k (f64.add (local.get $k) (f64.const 2)))
        (local.set $terms (i32.sub (local.get $terms) (i32.const 1)))
        (br $series)))
    (local.get $acc)))
