//! `nbody`: the classic n-body simulation of the Jovian planets (as in the Computer Language
//! Benchmarks Game), advanced `n` steps of 0.01 days. The checksum covers the energy before
//! and after and every final position and velocity, as raw f64 bits (wasm float arithmetic
//! is deterministic; no NaN arises).

use common::Checksum;

const PI: f64 = 3.141_592_653_589_793;
const SOLAR_MASS: f64 = 4.0 * PI * PI;
const DAYS_PER_YEAR: f64 = 365.24;
const N: usize = 5;

#[derive(Clone, Copy)]
struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

fn bodies() -> [Body; N] {
    let b = |pos: [f64; 3], vel: [f64; 3], mass: f64| Body {
        pos,
        vel: [
            vel[0] * DAYS_PER_YEAR,
            vel[1] * DAYS_PER_YEAR,
            vel[2] * DAYS_PER_YEAR,
        ],
        mass: mass * SOLAR_MASS,
    };
    [
        // Sun
        b([0.0; 3], [0.0; 3], 1.0),
        // Jupiter
        b(
            [
                4.841_431_442_464_72e0,
                -1.160_320_044_027_428_4e0,
                -1.036_220_444_711_231_1e-1,
            ],
            [
                1.660_076_642_744_037e-3,
                7.699_011_184_197_404e-3,
                -6.904_600_169_720_63e-5,
            ],
            9.547_919_384_243_266e-4,
        ),
        // Saturn
        b(
            [
                8.343_366_718_244_58e0,
                4.124_798_564_124_305e0,
                -4.035_234_171_143_214e-1,
            ],
            [
                -2.767_425_107_268_624e-3,
                4.998_528_012_349_172e-3,
                2.304_172_975_737_639_3e-5,
            ],
            2.858_859_806_661_308e-4,
        ),
        // Uranus
        b(
            [
                1.289_436_956_213_913_1e1,
                -1.511_115_140_169_863_1e1,
                -2.233_075_788_926_557_3e-1,
            ],
            [
                2.964_601_375_647_616e-3,
                2.378_471_739_594_809_5e-3,
                -2.965_895_685_402_375_6e-5,
            ],
            4.366_244_043_351_563e-5,
        ),
        // Neptune
        b(
            [
                1.537_969_711_485_091_1e1,
                -2.591_931_460_998_796_4e1,
                1.792_587_729_503_711_8e-1,
            ],
            [
                2.680_677_724_903_893_2e-3,
                1.628_241_700_382_423e-3,
                -9.515_922_545_197_159e-5,
            ],
            5.151_389_020_466_114_5e-5,
        ),
    ]
}

fn offset_momentum(bodies: &mut [Body; N]) {
    let mut p = [0.0f64; 3];
    for b in bodies.iter() {
        for k in 0..3 {
            p[k] += b.vel[k] * b.mass;
        }
    }
    for k in 0..3 {
        bodies[0].vel[k] = -p[k] / SOLAR_MASS;
    }
}

fn energy(bodies: &[Body; N]) -> f64 {
    let mut e = 0.0;
    for i in 0..N {
        let bi = &bodies[i];
        e +=
            0.5 * bi.mass * (bi.vel[0] * bi.vel[0] + bi.vel[1] * bi.vel[1] + bi.vel[2] * bi.vel[2]);
        for bj in &bodies[i + 1..] {
            let dx = bi.pos[0] - bj.pos[0];
            let dy = bi.pos[1] - bj.pos[1];
            let dz = bi.pos[2] - bj.pos[2];
            e -= bi.mass * bj.mass / (dx * dx + dy * dy + dz * dz).sqrt();
        }
    }
    e
}

#[inline(never)]
fn advance(bodies: &mut [Body; N], dt: f64) {
    for i in 0..N {
        let (left, right) = bodies.split_at_mut(i + 1);
        let bi = &mut left[i];
        for bj in right.iter_mut() {
            let dx = bi.pos[0] - bj.pos[0];
            let dy = bi.pos[1] - bj.pos[1];
            let dz = bi.pos[2] - bj.pos[2];
            let d2 = dx * dx + dy * dy + dz * dz;
            let mag = dt / (d2 * d2.sqrt());
            let mi = bi.mass * mag;
            let mj = bj.mass * mag;
            bi.vel[0] -= dx * mj;
            bi.vel[1] -= dy * mj;
            bi.vel[2] -= dz * mj;
            bj.vel[0] += dx * mi;
            bj.vel[1] += dy * mi;
            bj.vel[2] += dz * mi;
        }
    }
    for b in bodies.iter_mut() {
        b.pos[0] += dt * b.vel[0];
        b.pos[1] += dt * b.vel[1];
        b.pos[2] += dt * b.vel[2];
    }
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut bodies = bodies();
    offset_momentum(&mut bodies);
    let mut sum = Checksum::new();
    sum.add_f64(energy(&bodies));
    for _ in 0..n.max(0) {
        advance(&mut bodies, 0.01);
    }
    sum.add_f64(energy(&bodies));
    for b in &bodies {
        for k in 0..3 {
            sum.add_f64(b.pos[k]);
            sum.add_f64(b.vel[k]);
        }
    }
    sum.get()
}
