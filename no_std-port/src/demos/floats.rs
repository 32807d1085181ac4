//! The float guest: f32 and f64 kernels whose results must agree to the bit with the same
//! computation done natively. A build with the `no-float` feature has no float handlers,
//! and must refuse this guest when it loads instead.

use wisp::Engine;

use super::{Failure, FLOATS};
use crate::checks::Checks;

pub fn run(engine: &Engine, checks: &mut Checks) {
    println!();
    println!("== floats: f32 and f64 kernels");
    kernels(engine, checks);
}

/// Without float support the guest must be refused at load, before anything runs.
#[cfg(feature = "no-float")]
fn kernels(engine: &Engine, checks: &mut Checks) {
    match wisp::Module::new(engine, FLOATS) {
        Ok(_) => checks.check(
            false,
            format_args!("a no-float build loaded the float guest"),
        ),
        Err(e) => checks.check(
            matches!(e, wisp::Error::Unsupported(_)),
            format_args!(
                "float guest refused by this no-float build: {}",
                Failure(&e)
            ),
        ),
    }
}

#[cfg(not(feature = "no-float"))]
fn kernels(engine: &Engine, checks: &mut Checks) {
    if let Err(e) = guest(engine, checks) {
        checks.check(false, format_args!("float guest: {}", Failure(&e)));
    }
}

/// Readings averaged, and terms of the pi series.
#[cfg(not(feature = "no-float"))]
const SAMPLES: u32 = 64;
#[cfg(not(feature = "no-float"))]
const PI_TERMS: i32 = 100;

#[cfg(not(feature = "no-float"))]
fn guest(engine: &Engine, checks: &mut Checks) -> wisp::Result<()> {
    let (mut store, instance) = super::instantiate(engine, FLOATS)?;
    store.set_fuel(1_000_000)?;

    let mean = instance
        .get_typed_func::<i32, f32>(&store, "mean_celsius")?
        .call(&mut store, SAMPLES as i32)?;
    let native = native_mean_celsius();
    checks.check(
        mean.to_bits() == native.to_bits(),
        format_args!(
            "mean of {SAMPLES} readings {} degrees C (f32 bits {:#010x}), bit-identical to native",
            Fixed(f64::from(mean), 2),
            mean.to_bits()
        ),
    );

    let pi = instance
        .get_typed_func::<i32, f64>(&store, "pi")?
        .call(&mut store, PI_TERMS)?;
    let native = native_pi();
    checks.check(
        pi.to_bits() == native.to_bits(),
        format_args!(
            "pi from {PI_TERMS} terms = {} (f64 bits {:#018x}), bit-identical to native",
            Fixed(pi, 9),
            pi.to_bits()
        ),
    );
    Ok(())
}

/// The guest's `mean_celsius`, natively, with the same operations in the same order (Rust
/// never fuses or reorders float operations, so the results must agree to the bit). The
/// guest's store is new, so it reads sensor 0 from its first reading.
#[cfg(not(feature = "no-float"))]
fn native_mean_celsius() -> f32 {
    let scale = 330.0f32 / 4095.0;
    let mut sum = 0.0f32;
    for n in 0..SAMPLES {
        sum += crate::device::sensor_value(0, n) as f32 * scale - 50.0;
    }
    sum / SAMPLES as f32
}

/// The guest's `pi`, natively.
#[cfg(not(feature = "no-float"))]
fn native_pi() -> f64 {
    let (mut acc, mut sign, mut k) = (3.0f64, 1.0f64, 2.0f64);
    for _ in 0..PI_TERMS {
        acc += sign * 4.0 / (k * (k + 1.0) * (k + 2.0));
        sign = -sign;
        k += 2.0;
    }
    acc
}

/// A float printed with a fixed number of decimals, by integer arithmetic: the firmware
/// need not carry core's float formatting for two numbers.
#[cfg(not(feature = "no-float"))]
struct Fixed(f64, u32);

#[cfg(not(feature = "no-float"))]
impl core::fmt::Display for Fixed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let scale = 10u64.pow(self.1);
        let (sign, magnitude) = if self.0 < 0.0 {
            ("-", -self.0)
        } else {
            ("", self.0)
        };
        // `as` saturates, so an absurd value prints wrongly but never panics.
        let scaled = (magnitude * scale as f64 + 0.5) as u64;
        write!(
            f,
            "{sign}{}.{:0width$}",
            scaled / scale,
            scaled % scale,
            width = self.1 as usize
        )
    }
}
