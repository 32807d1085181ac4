//! `serde_json`: `n` rounds of generating an order document (a few KiB of JSON), serialising
//! it with `serde_json::to_string` (derived `Serialize`), parsing it back into the typed
//! struct (derived `Deserialize`) and into a `serde_json::Value`, walking the value, and
//! pretty-printing it. The checksum covers every output byte and what the walks found.

use std::collections::BTreeMap;

use common::{Checksum, Rng};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Order {
    id: u64,
    customer: Customer,
    status: Status,
    lines: Vec<Line>,
    tags: Vec<String>,
    attributes: BTreeMap<String, Value>,
    total: f64,
    discount: Option<f64>,
    gift: bool,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Customer {
    name: String,
    email: String,
    address: Address,
    loyalty_points: i32,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Address {
    street: String,
    city: String,
    postcode: String,
    country: String,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(rename_all = "snake_case")]
enum Status {
    Pending,
    Paid { at: u64 },
    Shipped { carrier: String, tracking: String },
    Cancelled(String),
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Line {
    sku: String,
    description: String,
    quantity: u32,
    unit_price: f64,
    weight_kg: f32,
}

const WORDS: &[&str] = &[
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "x-ray",
    "yankee",
    "zulu",
    "caf\u{e9}",
    "na\u{ef}ve",
    "\u{e5}ngstr\u{f6}m",
    "\"quoted\"",
    "tab\there",
    "line\nbreak",
];
const CITIES: &[&str] = &[
    "Lisboa",
    "Zürich",
    "Kraków",
    "Reykjavík",
    "München",
    "Oslo",
    "Tōkyō",
];

fn words(rng: &mut Rng, count: u32) -> String {
    let mut s = String::new();
    for i in 0..count {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    s
}

fn order(rng: &mut Rng, id: u64) -> Order {
    let lines = (0..8 + rng.below(8))
        .map(|_| Line {
            sku: format!("SKU-{:06}-{}", rng.below(1_000_000), rng.pick(WORDS)),
            description: {
                let count = 3 + rng.below(6);
                words(rng, count)
            },
            quantity: 1 + rng.below(20),
            unit_price: f64::from(rng.below(100_000)) / 100.0,
            weight_kg: rng.unit_f64() as f32 * 25.0,
        })
        .collect::<Vec<_>>();
    let total = lines
        .iter()
        .map(|l| l.unit_price * f64::from(l.quantity))
        .sum();
    let mut attributes = BTreeMap::new();
    for _ in 0..6 {
        let key = format!("{}_{}", rng.pick(WORDS), rng.below(100));
        let value = match rng.below(5) {
            0 => Value::from(rng.next_u64() >> 11),
            1 => Value::from(rng.unit_f64() * 1e6 - 5e5),
            2 => Value::from(words(rng, 2)),
            3 => Value::from(vec![rng.below(10), rng.below(100), rng.below(1000)]),
            _ => Value::Null,
        };
        attributes.insert(key, value);
    }
    let status = match rng.below(4) {
        0 => Status::Pending,
        1 => Status::Paid {
            at: 1_600_000_000 + u64::from(rng.below(100_000_000)),
        },
        2 => Status::Shipped {
            carrier: rng.pick(WORDS).to_string(),
            tracking: format!("{:016x}", rng.next_u64()),
        },
        _ => Status::Cancelled(words(rng, 4)),
    };
    Order {
        id,
        customer: Customer {
            name: words(rng, 2),
            email: format!("{}.{}@example.org", rng.pick(WORDS), rng.below(1000)),
            address: Address {
                street: format!("{} {}", 1 + rng.below(999), words(rng, 2)),
                city: rng.pick(CITIES).to_string(),
                postcode: format!("{:05}", rng.below(100_000)),
                country: "XX".to_string(),
            },
            loyalty_points: rng.below(50_000) as i32 - 1000,
        },
        status,
        tags: (0..rng.below(6))
            .map(|_| rng.pick(WORDS).to_string())
            .collect(),
        attributes,
        total,
        discount: if rng.below(3) == 0 {
            Some(rng.unit_f64() * 0.3)
        } else {
            None
        },
        gift: rng.below(2) == 0,
        lines,
    }
}

/// Visits every node of a parsed document, folding in what it finds.
fn walk(v: &Value, sum: &mut Checksum) {
    match v {
        Value::Null => sum.add(1),
        Value::Bool(b) => sum.add(2 + u64::from(*b)),
        Value::Number(n) => match n.as_u64() {
            Some(u) => sum.add(u),
            None => sum.add_f64(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => sum.add(s.len() as u64),
        Value::Array(a) => {
            sum.add(a.len() as u64);
            a.iter().for_each(|v| walk(v, sum));
        }
        Value::Object(o) => {
            sum.add(o.len() as u64);
            for (k, v) in o {
                sum.add(k.len() as u64);
                walk(v, sum);
            }
        }
    }
}

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(0x15_0A);
    let mut sum = Checksum::new();
    for i in 0..n.max(0) as u64 {
        let doc = order(&mut rng, i);
        let text = serde_json::to_string(&doc).unwrap();
        sum.add_bytes(text.as_bytes());
        let back: Order = serde_json::from_str(&text).unwrap();
        sum.add(u64::from(back == doc));
        let value: Value = serde_json::from_str(&text).unwrap();
        walk(&value, &mut sum);
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        sum.add(pretty.len() as u64);
        sum.add_f64(back.total);
    }
    sum.get()
}
