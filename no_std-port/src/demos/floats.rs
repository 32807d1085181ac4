//! The float guest: f32 and f64 kernels whose results must agree to the bit with the same
//! computation done natively. A build with the `no-float` feature has no float handlers,
//! and must refuse this guest when it loads instead.

use wisp::Engine;

use super::{Failure, FLOATS};
use crate::checks::Checks;
#[cfg(not(feature = "no-float"))]
use crate::console::Bits;

pub fn run(engine: &Engine, checks: &mut Checks) {
    println!();
    println!("== floats: f32 and f64 kernels");
    kernels(engine, checks);
}

/// Without float support the guest must be refused at load, before anything runs.
#[cfg(feature = "no-float")]
fn kernels(engine: &Engine, checks: &mut Checks) {
    match wisp::Module::new(engine, FLOATS) {
        Ok(_) => check!(checks, false, "a no-float build loaded the float guest"),
        Err(e) => check!(
            checks,
            matches!(e, wisp::Error::Unsupported(_)),
            "float guest refused by this no-float build: {}",
            Failure(&e)
        ),
    }
}

#[cfg(not(feature = "no-float"))]
fn kernels(engine: &Engine, checks: &mut Checks) {
    if let Err(e) = guest(engine, checks) {
        check!(checks, false, "float guest: {}", Failure(&e));
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
    check!(
        checks,
        mean.to_bits() == native.to_bits(),
        "mean of {} readings {} degrees C (f32 bits {}), bit-identical to native",
        SAMPLES,
        Fixed(f64::from(mean), 2),
        Bits(u64::from(mean.to_bits()), 8)
    );

    let pi = instance
        .get_typed_func::<i32, f64>(&store, "pi")?
        .call(&mut store, PI_TERMS)?;
    let native = native_pi();
    check!(
        checks,
        pi.to_bits() == native.to_bits(),
        "pi from {} terms = {} (f64 bits {}), bit-identical to native",
        PI_TERMS,
        Fixed(pi, 9),
        Bits(pi.to_bits(), 16)
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
impl wisp::text::Text for Fixed {
    fn write_to(&self, f: &mut dyn wisp::text::Out) -> core::fmt::Result {
        let scale = 10u64.pow(self.1);
        let (sign, magnitude) = if self.0 < 0.0 {
            ("-", -self.0)
        } else {
            ("", self.0)
        };
        // `as` saturates, so an absurd value prints wrongly but never panics.
        let scaled = (magnitude * scale as f64 + 0.5) as u64;
        wisp::put!(f, "{}{}.", sign, scaled / scale)?;
        // The fraction's digits one by one, leading zeros included.
        let fraction = scaled % scale;
        let mut place = scale / 10;
        while place > 0 {
            let digit = (fraction / place % 10) as usize;
            f.put("0123456789".get(digit..=digit).unwrap_or("?"))?;
            place /= 10;
        }
        Ok(())
    }
}
