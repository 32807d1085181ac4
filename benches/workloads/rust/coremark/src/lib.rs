//! `coremark`: an integer workload in the spirit of EEMBC's CoreMark, written for this
//! repository (no CoreMark code is used). Each of `n` iterations runs four kernels on
//! inputs derived from the iteration number and folds their results into a running CRC16:
//!
//! - **lists**: a singly linked list of 96 nodes in an index-linked pool; find values,
//!   reverse, unlink and re-insert nodes, and merge-sort by two different keys;
//! - **matrices**: 20×20 `i16` matrices: add and multiply by constants, matrix×vector,
//!   matrix×matrix, and matrix×matrix keeping only bit fields of the products;
//! - **state machine**: a scanner classifying comma-separated tokens of a 256-byte string
//!   (integers, decimals, scientific numbers, hex, invalid), with some bytes corrupted per
//!   iteration and then restored;
//! - **CRC16** (reflected 0x8408, i.e. CRC-16/KERMIT bit by bit) over every result.

use common::{Checksum, Rng};

// ---------------------------------------------------------------- CRC16 -------

fn crc16_u8(data: u8, mut crc: u16) -> u16 {
    let mut x = data;
    for _ in 0..8 {
        let carry = (x as u16 ^ crc) & 1;
        x >>= 1;
        crc >>= 1;
        if carry != 0 {
            crc ^= 0x8408;
        }
    }
    crc
}

fn crc16_u16(v: u16, crc: u16) -> u16 {
    crc16_u8((v >> 8) as u8, crc16_u8(v as u8, crc))
}

fn crc16_u32(v: u32, crc: u16) -> u16 {
    crc16_u16((v >> 16) as u16, crc16_u16(v as u16, crc))
}

// ---------------------------------------------------------------- lists -------

const NIL: u32 = u32::MAX;
const NODES: usize = 96;

#[derive(Clone, Copy)]
struct Node {
    next: u32,
    value: i16,
    order: u16,
}

struct List {
    pool: Vec<Node>,
    head: u32,
}

impl List {
    fn new(rng: &mut Rng) -> Self {
        let pool = (0..NODES)
            .map(|i| Node {
                next: if i + 1 < NODES { i as u32 + 1 } else { NIL },
                value: (rng.next_u32() & 0x7FFF) as i16 - 0x4000,
                order: i as u16,
            })
            .collect();
        List { pool, head: 0 }
    }

    fn find(&self, value: i16) -> Option<u32> {
        let mut at = self.head;
        while at != NIL {
            let node = &self.pool[at as usize];
            if node.value & 0xFF == value & 0xFF {
                return Some(at);
            }
            at = node.next;
        }
        None
    }

    fn reverse(&mut self) {
        let (mut prev, mut at) = (NIL, self.head);
        while at != NIL {
            let next = self.pool[at as usize].next;
            self.pool[at as usize].next = prev;
            prev = at;
            at = next;
        }
        self.head = prev;
    }

    /// Unlinks the node after `at` (or the head, for `NIL`), returning it.
    fn remove_after(&mut self, at: u32) -> u32 {
        if at == NIL {
            let h = self.head;
            self.head = self.pool[h as usize].next;
            h
        } else {
            let victim = self.pool[at as usize].next;
            if victim != NIL {
                self.pool[at as usize].next = self.pool[victim as usize].next;
            }
            victim
        }
    }

    fn insert_after(&mut self, at: u32, node: u32) {
        if at == NIL {
            self.pool[node as usize].next = self.head;
            self.head = node;
        } else {
            self.pool[node as usize].next = self.pool[at as usize].next;
            self.pool[at as usize].next = node;
        }
    }

    /// Bottom-up merge sort of the linked list (no recursion, no allocation).
    fn sort(&mut self, key: fn(&Node) -> i32) {
        let mut width = 1usize;
        loop {
            let mut p = self.head;
            self.head = NIL;
            let mut tail = NIL;
            let mut merges = 0;
            while p != NIL {
                merges += 1;
                let mut q = p;
                let mut psize = 0;
                while psize < width && q != NIL {
                    psize += 1;
                    q = self.pool[q as usize].next;
                }
                let mut qsize = width;
                while psize > 0 || (qsize > 0 && q != NIL) {
                    let take_p = if psize == 0 {
                        false
                    } else if qsize == 0 || q == NIL {
                        true
                    } else {
                        key(&self.pool[p as usize]) <= key(&self.pool[q as usize])
                    };
                    let e = if take_p {
                        let e = p;
                        p = self.pool[p as usize].next;
                        psize -= 1;
                        e
                    } else {
                        let e = q;
                        q = self.pool[q as usize].next;
                        qsize -= 1;
                        e
                    };
                    if tail == NIL {
                        self.head = e;
                    } else {
                        self.pool[tail as usize].next = e;
                    }
                    tail = e;
                }
                p = q;
            }
            if tail != NIL {
                self.pool[tail as usize].next = NIL;
            }
            if merges <= 1 {
                return;
            }
            width *= 2;
        }
    }

    fn fold(&self, mut crc: u16) -> u16 {
        let mut at = self.head;
        while at != NIL {
            let node = &self.pool[at as usize];
            crc = crc16_u16(node.value as u16, crc);
            at = node.next;
        }
        crc
    }
}

fn list_kernel(list: &mut List, seed: u32, mut crc: u16) -> u16 {
    let (mut found, mut missed) = (0u32, 0u32);
    for k in 0..16u32 {
        let wanted = (seed.wrapping_mul(2_654_435_761).wrapping_add(k * 97) & 0xFFFF) as i16;
        match list.find(wanted) {
            Some(at) => {
                found += 1;
                crc = crc16_u16(list.pool[at as usize].order, crc);
                // Move the found node to the front, CoreMark-style churn.
                let mut prev = NIL;
                let mut cur = list.head;
                while cur != at {
                    prev = cur;
                    cur = list.pool[cur as usize].next;
                }
                let node = list.remove_after(prev);
                list.insert_after(NIL, node);
            }
            None => missed += 1,
        }
        if k % 4 == 0 {
            list.reverse();
        }
    }
    crc = crc16_u32(found << 16 | missed, crc);
    // Sort by value, fold; perturb values; sort back into creation order, fold.
    list.sort(|n| i32::from(n.value));
    crc = list.fold(crc);
    let mut at = list.head;
    let mut i = 0u32;
    while at != NIL {
        let node = &mut list.pool[at as usize];
        node.value = node
            .value
            .wrapping_add((seed ^ i) as i16 & 0x3F)
            .wrapping_sub(0x1F);
        at = node.next;
        i += 1;
    }
    list.sort(|n| i32::from(n.order));
    list.fold(crc)
}

// ---------------------------------------------------------------- matrices ----

const DIM: usize = 20;
type Mat16 = [[i16; DIM]; DIM];
type Mat32 = [[i32; DIM]; DIM];

fn mat_fold(m: &Mat32, crc: u16) -> u16 {
    // Like CoreMark: a summary that is cheap but depends on every element.
    let mut acc: i32 = 0;
    let mut tmp: i32 = 0;
    let mut prev: i32 = 0;
    for row in m {
        for &v in row {
            tmp = tmp.wrapping_add(v);
            if tmp > 0x7FFF {
                acc = acc.wrapping_add(10);
                tmp = 0;
            } else {
                acc = acc.wrapping_add(if v > prev { 1 } else { 0 });
            }
            prev = v;
        }
    }
    crc16_u32(acc as u32, crc16_u32(tmp as u32, crc))
}

fn matrix_kernel(a: &mut Mat16, b: &Mat16, seed: u32, mut crc: u16) -> u16 {
    let k = (seed & 0xFF) as i16 | 1;
    let mut c: Mat32 = [[0; DIM]; DIM];
    // A += k
    for row in a.iter_mut() {
        for v in row.iter_mut() {
            *v = v.wrapping_add(k);
        }
    }
    // C = A * k
    for i in 0..DIM {
        for j in 0..DIM {
            c[i][j] = i32::from(a[i][j]) * i32::from(k);
        }
    }
    crc = mat_fold(&c, crc);
    // C[.][0] = A × column 0 of B
    let mut vec = [0i32; DIM];
    for i in 0..DIM {
        let mut acc = 0i32;
        for j in 0..DIM {
            acc = acc.wrapping_add(i32::from(a[i][j]) * i32::from(b[j][0]));
        }
        vec[i] = acc;
    }
    for v in vec {
        crc = crc16_u32(v as u32, crc);
    }
    // C = A × B
    for i in 0..DIM {
        for j in 0..DIM {
            let mut acc = 0i32;
            for x in 0..DIM {
                acc = acc.wrapping_add(i32::from(a[i][x]) * i32::from(b[x][j]));
            }
            c[i][j] = acc;
        }
    }
    crc = mat_fold(&c, crc);
    // C = A × B on bit fields of the products
    for i in 0..DIM {
        for j in 0..DIM {
            let mut acc = 0i32;
            for x in 0..DIM {
                let p = i32::from(a[i][x]) * i32::from(b[x][j]);
                acc = acc.wrapping_add(((p >> 2) & 0xF) * ((p >> 5) & 0x7F));
            }
            c[i][j] = acc;
        }
    }
    crc = mat_fold(&c, crc);
    // A -= k: leave A as found, so every iteration starts from the same A plus its seed.
    for row in a.iter_mut() {
        for v in row.iter_mut() {
            *v = v.wrapping_sub(k);
        }
    }
    crc
}

// ---------------------------------------------------------------- state machine

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Sign,
    Int,
    Zero,
    Hex,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpDigits,
    Invalid,
}

const STATES: usize = 11;

fn state_index(s: State) -> usize {
    s as usize
}

/// Scans comma-separated tokens, counting the final state of each token and every
/// transition into each state.
fn scan(input: &[u8], finals: &mut [u32; STATES], transitions: &mut [u32; STATES]) {
    use State::*;
    let mut state = Start;
    for &c in input {
        if c == b',' {
            finals[state_index(state)] += 1;
            state = Start;
            continue;
        }
        let next = match state {
            Start => match c {
                b'0' => Zero,
                b'1'..=b'9' => Int,
                b'+' | b'-' => Sign,
                b'.' => Dot,
                _ => Invalid,
            },
            Sign => match c {
                b'0'..=b'9' => Int,
                b'.' => Dot,
                _ => Invalid,
            },
            Zero => match c {
                b'x' | b'X' => Hex,
                b'0'..=b'9' => Int,
                b'.' => Dot,
                b'e' | b'E' => Exp,
                _ => Invalid,
            },
            Int => match c {
                b'0'..=b'9' => Int,
                b'.' => Dot,
                b'e' | b'E' => Exp,
                _ => Invalid,
            },
            Hex => match c {
                b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => Hex,
                _ => Invalid,
            },
            Dot | Frac => match c {
                b'0'..=b'9' => Frac,
                b'e' | b'E' => Exp,
                _ => Invalid,
            },
            Exp => match c {
                b'+' | b'-' => ExpSign,
                b'0'..=b'9' => ExpDigits,
                _ => Invalid,
            },
            ExpSign | ExpDigits => match c {
                b'0'..=b'9' => ExpDigits,
                _ => Invalid,
            },
            Invalid => Invalid,
        };
        if next != state {
            transitions[state_index(next)] += 1;
        }
        state = next;
    }
    finals[state_index(state)] += 1;
}

const TOKENS: &[&str] = &[
    "5012", "1234", "-874", "+122", "0x1F3a", "0XFF", "35.54400", ".1234500", "-110.700",
    "+0.64400", "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z",
    "34.0e-T^", "0x", "7e", "--1", "0", "",
];

fn state_input(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len + 16);
    while v.len() < len {
        v.extend_from_slice(rng.pick(TOKENS).as_bytes());
        v.push(b',');
    }
    v.truncate(len);
    v
}

fn state_kernel(input: &mut [u8], seed: u32, mut crc: u16) -> u16 {
    let mut finals = [0u32; STATES];
    let mut transitions = [0u32; STATES];
    scan(input, &mut finals, &mut transitions);
    // Corrupt every `stride`-th byte, scan again, then restore.
    let stride = 3 + (seed % 13) as usize;
    let xor = (seed as u8) | 1;
    for i in (0..input.len()).step_by(stride) {
        input[i] ^= xor;
    }
    scan(input, &mut finals, &mut transitions);
    for i in (0..input.len()).step_by(stride) {
        input[i] ^= xor;
    }
    for s in 0..STATES {
        crc = crc16_u32(finals[s], crc);
        crc = crc16_u32(transitions[s], crc);
    }
    crc
}

// ---------------------------------------------------------------- run ---------

#[no_mangle]
pub extern "C" fn run(n: i32) -> i64 {
    let mut rng = Rng::new(0xC0DE);
    let mut list = List::new(&mut rng);
    let mut a: Mat16 = [[0; DIM]; DIM];
    let mut b: Mat16 = [[0; DIM]; DIM];
    for i in 0..DIM {
        for j in 0..DIM {
            a[i][j] = (rng.next_u32() % 2048) as i16 - 1024;
            b[i][j] = (rng.next_u32() % 256) as i16;
        }
    }
    let mut text = state_input(&mut rng, 256);

    let mut sum = Checksum::new();
    let mut crc = 0u16;
    for i in 0..n.max(0) as u32 {
        let seed = i.wrapping_mul(0x9E37_79B9) ^ i;
        let l = list_kernel(&mut list, seed, 0);
        let m = matrix_kernel(&mut a, &b, seed, 0);
        let s = state_kernel(&mut text, seed, 0);
        crc = crc16_u16(l, crc);
        crc = crc16_u16(m, crc);
        crc = crc16_u16(s, crc);
        sum.add(u64::from(l) << 32 | u64::from(m) << 16 | u64::from(s));
    }
    sum.add(u64::from(crc));
    sum.get()
}
