//! Function bodies' operators as wisp decodes them, for the firmware profile (Wasm 2.0
//! without SIMD, plus multiple memories and tail calls; `validate`): one byte of input at a
//! time into an [`Operator`] that names each operator as wasmparser's does, so that the
//! code matching on operators reads the same whichever decoder fed it.
//!
//! Firmware builds read bodies with this decoder only (wisp-interp's `own-decoder`
//! feature, and the `own-validator` feature here for constant expressions), so they link
//! none of wasmparser's operator decoding, which carries every proposal's operators. Desktop
//! builds keep wasmparser's for the tiers, and the own validator
//! ([`Config::own_validator`](crate::Config::own_validator)) reads with this one on every
//! build, so that the spec suite and the `validate_own` fuzz target hold it to wasmparser.
//!
//! It is as strict as wasmparser's on the profile: LEB128 integers of canonical length
//! with no stray bits, reserved memory-argument flags refused, sizes bounded as wasmparser
//! bounds them. An operator of a proposal outside the profile is [`Why::OutsideProfile`];
//! bytes that are no operator at all are [`Why::Malformed`].

use wasmparser::{AbstractHeapType, BlockType, HeapType, MemArg, MemArgTarget, RefType, ValType};

use crate::validate::{Invalid, Why};

/// The most targets a `br_table` may list: wasmparser's bound (`MAX_WASM_BR_TABLE_SIZE`).
const MAX_BR_TABLE: u32 = 128 * 1024;
/// The most types a `select` may list: wasmparser's bound (only one is valid).
const MAX_SELECT_TYPES: u32 = 10;

/// The one list of the operators without immediates, the operators with a memory argument
/// (with their natural alignment, as log2 of bytes) and the `0xFC`-prefixed saturating
/// conversions: it defines their variants and their decoding.
macro_rules! operators {
    (
        plain { $($plain_code:literal $plain:ident),* $(,)? }
        memory { $($mem_code:literal $mem:ident $align:literal),* $(,)? }
        saturating { $($sat_code:literal $sat:ident),* $(,)? }
    ) => {
        /// An operator of the firmware profile, named and shaped as wasmparser's
        /// `Operator` names it.
        #[derive(Debug, Clone, Copy, PartialEq)]
        #[allow(missing_docs)]
        pub enum Operator<'a> {
            $($plain,)*
            $($mem { memarg: MemArg },)*
            $($sat,)*
            Block { blockty: BlockType },
            Loop { blockty: BlockType },
            If { blockty: BlockType },
            Br { relative_depth: u32 },
            BrIf { relative_depth: u32 },
            BrTable { targets: BrTable<'a> },
            Call { function_index: u32 },
            CallIndirect { type_index: u32, table_index: u32 },
            ReturnCall { function_index: u32 },
            ReturnCallIndirect { type_index: u32, table_index: u32 },
            TypedSelect { ty: ValType },
            LocalGet { local_index: u32 },
            LocalSet { local_index: u32 },
            LocalTee { local_index: u32 },
            GlobalGet { global_index: u32 },
            GlobalSet { global_index: u32 },
            TableGet { table: u32 },
            TableSet { table: u32 },
            MemorySize { mem: u32 },
            MemoryGrow { mem: u32 },
            I32Const { value: i32 },
            I64Const { value: i64 },
            F32Const { value: Ieee32 },
            F64Const { value: Ieee64 },
            RefNull { hty: HeapType },
            RefFunc { function_index: u32 },
            MemoryInit { data_index: u32, mem: u32 },
            DataDrop { data_index: u32 },
            MemoryCopy { dst_mem: u32, src_mem: u32 },
            MemoryFill { mem: u32 },
            TableInit { elem_index: u32, table: u32 },
            ElemDrop { elem_index: u32 },
            TableCopy { dst_table: u32, src_table: u32 },
            TableGrow { table: u32 },
            TableSize { table: u32 },
            TableFill { table: u32 },
        }

        /// The operator of one-byte opcode `code` that has no immediates.
        fn plain(code: u8) -> Option<Operator<'static>> {
            Some(match code {
                $($plain_code => Operator::$plain,)*
                _ => return None,
            })
        }

        /// The natural alignment of the memory operator of opcode `code`.
        fn natural_alignment(code: u8) -> Option<u8> {
            match code {
                $($mem_code => Some($align),)*
                _ => None,
            }
        }

        /// The memory operator of opcode `code` (one `natural_alignment` knows).
        fn with_memarg(code: u8, memarg: MemArg) -> Operator<'static> {
            match code {
                $($mem_code => Operator::$mem { memarg },)*
                _ => Operator::Unreachable,
            }
        }

        /// The `0xFC`-prefixed saturating conversion of sub-opcode `code`.
        fn saturating(code: u32) -> Option<Operator<'static>> {
            Some(match code {
                $($sat_code => Operator::$sat,)*
                _ => return None,
            })
        }
    };
}

operators! {
    plain {
        0x00 Unreachable, 0x01 Nop, 0x05 Else, 0x0B End, 0x0F Return, 0x1A Drop, 0x1B Select,
        0xD1 RefIsNull,
        0x45 I32Eqz, 0x46 I32Eq, 0x47 I32Ne, 0x48 I32LtS, 0x49 I32LtU, 0x4A I32GtS, 0x4B I32GtU,
        0x4C I32LeS, 0x4D I32LeU, 0x4E I32GeS, 0x4F I32GeU, 0x50 I64Eqz, 0x51 I64Eq, 0x52 I64Ne,
        0x53 I64LtS, 0x54 I64LtU, 0x55 I64GtS, 0x56 I64GtU, 0x57 I64LeS, 0x58 I64LeU, 0x59 I64GeS,
        0x5A I64GeU, 0x5B F32Eq, 0x5C F32Ne, 0x5D F32Lt, 0x5E F32Gt, 0x5F F32Le, 0x60 F32Ge,
        0x61 F64Eq, 0x62 F64Ne, 0x63 F64Lt, 0x64 F64Gt, 0x65 F64Le, 0x66 F64Ge, 0x67 I32Clz,
        0x68 I32Ctz, 0x69 I32Popcnt, 0x6A I32Add, 0x6B I32Sub, 0x6C I32Mul, 0x6D I32DivS,
        0x6E I32DivU, 0x6F I32RemS, 0x70 I32RemU, 0x71 I32And, 0x72 I32Or, 0x73 I32Xor,
        0x74 I32Shl, 0x75 I32ShrS, 0x76 I32ShrU, 0x77 I32Rotl, 0x78 I32Rotr, 0x79 I64Clz,
        0x7A I64Ctz, 0x7B I64Popcnt, 0x7C I64Add, 0x7D I64Sub, 0x7E I64Mul, 0x7F I64DivS,
        0x80 I64DivU, 0x81 I64RemS, 0x82 I64RemU, 0x83 I64And, 0x84 I64Or, 0x85 I64Xor,
        0x86 I64Shl, 0x87 I64ShrS, 0x88 I64ShrU, 0x89 I64Rotl, 0x8A I64Rotr, 0x8B F32Abs,
        0x8C F32Neg, 0x8D F32Ceil, 0x8E F32Floor, 0x8F F32Trunc, 0x90 F32Nearest, 0x91 F32Sqrt,
        0x92 F32Add, 0x93 F32Sub, 0x94 F32Mul, 0x95 F32Div, 0x96 F32Min, 0x97 F32Max,
        0x98 F32Copysign, 0x99 F64Abs, 0x9A F64Neg, 0x9B F64Ceil, 0x9C F64Floor, 0x9D F64Trunc,
        0x9E F64Nearest, 0x9F F64Sqrt, 0xA0 F64Add, 0xA1 F64Sub, 0xA2 F64Mul, 0xA3 F64Div,
        0xA4 F64Min, 0xA5 F64Max, 0xA6 F64Copysign, 0xA7 I32WrapI64, 0xA8 I32TruncF32S,
        0xA9 I32TruncF32U, 0xAA I32TruncF64S, 0xAB I32TruncF64U, 0xAC I64ExtendI32S,
        0xAD I64ExtendI32U, 0xAE I64TruncF32S, 0xAF I64TruncF32U, 0xB0 I64TruncF64S,
        0xB1 I64TruncF64U, 0xB2 F32ConvertI32S, 0xB3 F32ConvertI32U, 0xB4 F32ConvertI64S,
        0xB5 F32ConvertI64U, 0xB6 F32DemoteF64, 0xB7 F64ConvertI32S, 0xB8 F64ConvertI32U,
        0xB9 F64ConvertI64S, 0xBA F64ConvertI64U, 0xBB F64PromoteF32, 0xBC I32ReinterpretF32,
        0xBD I64ReinterpretF64, 0xBE F32ReinterpretI32, 0xBF F64ReinterpretI64, 0xC0 I32Extend8S,
        0xC1 I32Extend16S, 0xC2 I64Extend8S, 0xC3 I64Extend16S, 0xC4 I64Extend32S,
    }
    memory {
        0x28 I32Load 2, 0x29 I64Load 3, 0x2A F32Load 2, 0x2B F64Load 3, 0x2C I32Load8S 0,
        0x2D I32Load8U 0, 0x2E I32Load16S 1, 0x2F I32Load16U 1, 0x30 I64Load8S 0,
        0x31 I64Load8U 0, 0x32 I64Load16S 1, 0x33 I64Load16U 1, 0x34 I64Load32S 2,
        0x35 I64Load32U 2, 0x36 I32Store 2, 0x37 I64Store 3, 0x38 F32Store 2, 0x39 F64Store 3,
        0x3A I32Store8 0, 0x3B I32Store16 1, 0x3C I64Store8 0, 0x3D I64Store16 1,
        0x3E I64Store32 2,
    }
    saturating {
        0 I32TruncSatF32S, 1 I32TruncSatF32U, 2 I32TruncSatF64S, 3 I32TruncSatF64U,
        4 I64TruncSatF32S, 5 I64TruncSatF32U, 6 I64TruncSatF64S, 7 I64TruncSatF64U,
    }
}

/// An `f32.const`'s bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ieee32(u32);

impl Ieee32 {
    /// The float's bits.
    pub fn bits(self) -> u32 {
        self.0
    }
}

/// An `f64.const`'s bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ieee64(u64);

impl Ieee64 {
    /// The float's bits.
    pub fn bits(self) -> u64 {
        self.0
    }
}

/// A `br_table`'s labels: its targets, read when asked for (they were checked to decode
/// when the operator was read), and its default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BrTable<'a> {
    /// The targets' LEB128 encodings, and where they start in the module.
    targets: Reader<'a>,
    len: u32,
    default: u32,
}

impl<'a> BrTable<'a> {
    /// How many targets there are, the default not counted.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the default is the only label.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The label taken when the index is out of range.
    pub fn default(&self) -> u32 {
        self.default
    }

    /// The targets in order. (Each is `Ok`: the result is wasmparser's shape.)
    pub fn targets(&self) -> impl Iterator<Item = Result<u32, Invalid>> + 'a {
        let mut reader = self.targets;
        (0..self.len).map(move |_| reader.var_u32())
    }
}

/// A function body's bytes, read front to back: its local declarations (`read_locals`),
/// then its operators (`read`) until `eof`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The module offset of `bytes[0]`, for errors.
    base: usize,
    /// Whether the multi-memory proposal is on: memory indices are LEB128 integers, and
    /// a memory argument may name one (bit 6 of its flags). Off, each is a zero byte.
    multi_memory: bool,
}

/// `bytes` as a `str` if they are UTF-8: what `core::str::from_utf8` accepts (no overlong
/// forms, no surrogates, nothing past U+10FFFF), without its 256-byte table, which is all
/// the loader needs of it for names.
pub(crate) fn utf8(bytes: &[u8]) -> Option<&str> {
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        // The sequence's length, and the least code point it may encode.
        let (len, least) = match lead {
            0x00..=0x7f => (1, 0),
            0xc2..=0xdf => (2, 0x80),
            0xe0..=0xef => (3, 0x800),
            0xf0..=0xf4 => (4, 0x1_0000),
            _ => return None,
        };
        let tail = bytes.get(at + 1..at + len)?;
        let mut c = u32::from(lead) & (0x7f >> len);
        for &b in tail {
            if b & 0xc0 != 0x80 {
                return None;
            }
            c = c << 6 | u32::from(b & 0x3f);
        }
        if c < least || c > 0x10_ffff || (0xd800..=0xdfff).contains(&c) {
            return None;
        }
        at += len;
    }
    // SAFETY: every sequence was checked above to be a UTF-8 encoding of a scalar value
    // in its shortest form, which is what `str` requires (the tests compare this with
    // `core::str::from_utf8` on every sequence of up to three bytes).
    Some(unsafe { core::str::from_utf8_unchecked(bytes) })
}

impl<'a> Reader<'a> {
    /// A reader of `bytes`, which start at offset `base` of the module.
    pub fn new(bytes: &'a [u8], base: usize, multi_memory: bool) -> Self {
        Reader {
            bytes,
            pos: 0,
            base,
            multi_memory,
        }
    }

    /// Whether every byte has been read.
    pub fn eof(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// The module offset of the next byte.
    pub fn original_position(&self) -> u64 {
        (self.base + self.pos) as u64
    }

    fn malformed(&self) -> Invalid {
        Invalid::new(Why::Malformed, self.original_position())
    }

    /// One byte.
    pub(crate) fn byte(&mut self) -> Result<u8, Invalid> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.malformed())?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], Invalid> {
        Ok(self.slice(N as u32)?.try_into().unwrap_or([0; N]))
    }

    /// An unsigned LEB128 integer of at most `bits` bits, in at most `ceil(bits / 7)`
    /// bytes, whose last byte sets no bit beyond them.
    fn leb_unsigned(&mut self, bits: u32) -> Result<u64, Invalid> {
        let start = self.original_position();
        let mut result = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            result |= u64::from(b & 0x7F) << shift;
            if shift + 7 >= bits {
                // The last byte there may be: no continuation, no bits above `bits`.
                if b & 0x80 != 0 || u32::from(b) >> (bits - shift) != 0 {
                    return Err(Invalid::new(Why::Malformed, start));
                }
                return Ok(result);
            }
            if b & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// A signed LEB128 integer of at most `bits` bits, in at most `ceil(bits / 7)` bytes,
    /// whose last byte's unused bits repeat its sign bit.
    fn leb_signed(&mut self, bits: u32) -> Result<i64, Invalid> {
        let start = self.original_position();
        let mut result = 0i64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            result |= i64::from(b & 0x7F) << shift;
            if shift + 7 >= bits {
                // The last byte: its bits from the sign bit (`bits - 1 - shift`) up to bit
                // 6 are all copies of the sign.
                let used = bits - shift;
                let rest = (b & 0x7F) >> (used - 1);
                if b & 0x80 != 0 || (rest != 0 && rest != 0x7F >> (used - 1)) {
                    return Err(Invalid::new(Why::Malformed, start));
                }
                let unused = 64 - bits;
                return Ok((result << unused) >> unused);
            }
            shift += 7;
            if b & 0x80 == 0 {
                let unused = 64 - shift;
                return Ok((result << unused) >> unused);
            }
        }
    }

    /// An unsigned LEB128 32-bit integer.
    pub(crate) fn var_u32(&mut self) -> Result<u32, Invalid> {
        self.leb_unsigned(32).map(|v| v as u32)
    }

    /// An unsigned LEB128 64-bit integer.
    pub(crate) fn var_u64(&mut self) -> Result<u64, Invalid> {
        self.leb_unsigned(64)
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The next byte, left to be read.
    pub(crate) fn peek(&self) -> Result<u8, Invalid> {
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.malformed())
    }

    /// The next `len` bytes.
    pub(crate) fn slice(&mut self, len: u32) -> Result<&'a [u8], Invalid> {
        let end = self
            .pos
            .checked_add(len as usize)
            .ok_or_else(|| self.malformed())?;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| self.malformed())?;
        self.pos = end;
        Ok(bytes)
    }

    /// A reference type: `funcref` or `externref`, or `OutsideProfile` for the others.
    pub(crate) fn ref_type(&mut self) -> Result<RefType, Invalid> {
        let at = self.original_position();
        match self.val_type()? {
            ValType::Ref(r) => Ok(r),
            _ => Err(Invalid::new(Why::Malformed, at)),
        }
    }

    /// A memory's index: a LEB128 integer with multiple memories, a zero byte without.
    fn memory_index(&mut self) -> Result<u32, Invalid> {
        if self.multi_memory {
            return self.var_u32();
        }
        match self.byte()? {
            0 => Ok(0),
            _ => Err(Invalid::new(Why::Malformed, self.original_position() - 1)),
        }
    }

    /// A value type: the profile's, or `OutsideProfile` for another proposal's.
    pub fn val_type(&mut self) -> Result<ValType, Invalid> {
        let at = self.original_position();
        Ok(match self.byte()? {
            0x7F => ValType::I32,
            0x7E => ValType::I64,
            0x7D => ValType::F32,
            0x7C => ValType::F64,
            0x70 => ValType::Ref(RefType::FUNCREF),
            0x6F => ValType::Ref(RefType::EXTERNREF),
            0x7B => return Err(Invalid::new(Why::Simd, at)),
            0x63 | 0x64 => return Err(Invalid::new(Why::FunctionReferences, at)),
            byte @ (0x65 | 0x69..=0x6E | 0x71..=0x74) => {
                return Err(Invalid::new(abbreviation_outside(byte), at))
            }
            _ => return Err(Invalid::new(Why::Malformed, at)),
        })
    }

    /// A heap type: `func` or `extern`, or `OutsideProfile` for the others.
    fn heap_type(&mut self) -> Result<HeapType, Invalid> {
        let at = self.original_position();
        let ty = match self.bytes.get(self.pos) {
            Some(0x70) => AbstractHeapType::Func,
            Some(0x6F) => AbstractHeapType::Extern,
            // GC's and exceptions' abstract heap types, shared ones.
            Some(&byte @ (0x65 | 0x69..=0x6E | 0x71..=0x74)) => {
                return Err(Invalid::new(abbreviation_outside(byte), at))
            }
            // A type index (typed function references) if it decodes as one.
            _ => {
                return match self.leb_signed(33)? {
                    index if (0..=i64::from(u32::MAX)).contains(&index) => {
                        Err(Invalid::new(Why::FunctionReferences, at))
                    }
                    _ => Err(Invalid::new(Why::Malformed, at)),
                };
            }
        };
        self.pos += 1;
        Ok(HeapType::Abstract { shared: false, ty })
    }

    /// A block type: empty, one value type, or a type index (a signed 33-bit integer).
    fn block_type(&mut self) -> Result<BlockType, Invalid> {
        let at = self.original_position();
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.malformed())?;
        // A one-byte negative number is empty or a value type (wasmparser's reading).
        if b & 0x80 == 0 && b & 0x40 != 0 {
            if b == 0x40 {
                self.pos += 1;
                return Ok(BlockType::Empty);
            }
            return Ok(BlockType::Type(self.val_type()?));
        }
        match u32::try_from(self.leb_signed(33)?) {
            Ok(index) => Ok(BlockType::FuncType(index)),
            Err(_) => Err(Invalid::new(Why::Malformed, at)),
        }
    }

    /// A memory argument for an access of natural alignment `max_align`: flags with the
    /// alignment in bits 0-5 and, with multiple memories, bit 6 for a memory index that
    /// follows; then the offset. Any other flag bit is reserved.
    fn memarg(&mut self, max_align: u8) -> Result<MemArg, Invalid> {
        let at = self.original_position();
        let flags = self.var_u32()?;
        let align = (flags & 0x3F) as u8;
        let mut rest = flags & !0x3F;
        let mut memory = 0;
        if self.multi_memory && rest & (1 << 6) != 0 {
            rest ^= 1 << 6;
            memory = self.var_u32()?;
        }
        if rest != 0 {
            return Err(Invalid::new(Why::Malformed, at));
        }
        let offset = u64::from(self.var_u32()?);
        Ok(MemArg {
            align,
            max_align,
            offset,
            target: MemArgTarget::Memory(memory),
            ordering: None,
        })
    }

    /// The local declarations that open a body: `each(count, type)` for each group.
    pub fn read_locals(
        &mut self,
        mut each: impl FnMut(u32, ValType) -> Result<(), Invalid>,
    ) -> Result<(), Invalid> {
        for _ in 0..self.var_u32()? {
            let count = self.var_u32()?;
            each(count, self.val_type()?)?;
        }
        Ok(())
    }

    /// The next operator, and the module offset it starts at.
    pub fn read_with_offset(&mut self) -> Result<(Operator<'a>, u64), Invalid> {
        let at = self.original_position();
        Ok((self.read()?, at))
    }

    /// The next operator.
    pub fn read(&mut self) -> Result<Operator<'a>, Invalid> {
        type O<'a> = Operator<'a>;
        let at = self.original_position();
        let code = self.byte()?;
        if let Some(op) = plain(code) {
            return Ok(op);
        }
        if let Some(max_align) = natural_alignment(code) {
            return Ok(with_memarg(code, self.memarg(max_align)?));
        }
        Ok(match code {
            0x02 => O::Block {
                blockty: self.block_type()?,
            },
            0x03 => O::Loop {
                blockty: self.block_type()?,
            },
            0x04 => O::If {
                blockty: self.block_type()?,
            },
            0x0C => O::Br {
                relative_depth: self.var_u32()?,
            },
            0x0D => O::BrIf {
                relative_depth: self.var_u32()?,
            },
            0x0E => {
                let len = self.var_u32()?;
                if len > MAX_BR_TABLE {
                    return Err(Invalid::new(Why::Malformed, at));
                }
                let targets = *self;
                for _ in 0..len {
                    self.var_u32()?;
                }
                let default = self.var_u32()?;
                O::BrTable {
                    targets: BrTable {
                        targets,
                        len,
                        default,
                    },
                }
            }
            0x10 => O::Call {
                function_index: self.var_u32()?,
            },
            0x11 => O::CallIndirect {
                type_index: self.var_u32()?,
                table_index: self.var_u32()?,
            },
            0x12 => O::ReturnCall {
                function_index: self.var_u32()?,
            },
            0x13 => O::ReturnCallIndirect {
                type_index: self.var_u32()?,
                table_index: self.var_u32()?,
            },
            0x1C => match self.var_u32()? {
                1 => O::TypedSelect {
                    ty: self.val_type()?,
                },
                // No other count is valid (wasmparser decodes up to ten, then refuses them).
                n if n <= MAX_SELECT_TYPES => {
                    for _ in 0..n {
                        self.val_type()?;
                    }
                    return Err(Invalid::new(Why::TypeMismatch, at));
                }
                _ => return Err(Invalid::new(Why::Malformed, at)),
            },
            0x20 => O::LocalGet {
                local_index: self.var_u32()?,
            },
            0x21 => O::LocalSet {
                local_index: self.var_u32()?,
            },
            0x22 => O::LocalTee {
                local_index: self.var_u32()?,
            },
            0x23 => O::GlobalGet {
                global_index: self.var_u32()?,
            },
            0x24 => O::GlobalSet {
                global_index: self.var_u32()?,
            },
            0x25 => O::TableGet {
                table: self.var_u32()?,
            },
            0x26 => O::TableSet {
                table: self.var_u32()?,
            },
            0x3F => O::MemorySize {
                mem: self.memory_index()?,
            },
            0x40 => O::MemoryGrow {
                mem: self.memory_index()?,
            },
            0x41 => O::I32Const {
                value: self.leb_signed(32)? as i32,
            },
            0x42 => O::I64Const {
                value: self.leb_signed(64)?,
            },
            0x43 => O::F32Const {
                value: Ieee32(u32::from_le_bytes(self.bytes()?)),
            },
            0x44 => O::F64Const {
                value: Ieee64(u64::from_le_bytes(self.bytes()?)),
            },
            0xD0 => O::RefNull {
                hty: self.heap_type()?,
            },
            0xD2 => O::RefFunc {
                function_index: self.var_u32()?,
            },
            0xFC => {
                let sub = self.var_u32()?;
                if let Some(op) = saturating(sub) {
                    return Ok(op);
                }
                match sub {
                    8 => O::MemoryInit {
                        data_index: self.var_u32()?,
                        mem: self.memory_index()?,
                    },
                    9 => O::DataDrop {
                        data_index: self.var_u32()?,
                    },
                    10 => O::MemoryCopy {
                        dst_mem: self.memory_index()?,
                        src_mem: self.memory_index()?,
                    },
                    11 => O::MemoryFill {
                        mem: self.memory_index()?,
                    },
                    12 => O::TableInit {
                        elem_index: self.var_u32()?,
                        table: self.var_u32()?,
                    },
                    13 => O::ElemDrop {
                        elem_index: self.var_u32()?,
                    },
                    14 => O::TableCopy {
                        dst_table: self.var_u32()?,
                        src_table: self.var_u32()?,
                    },
                    15 => O::TableGrow {
                        table: self.var_u32()?,
                    },
                    16 => O::TableSize {
                        table: self.var_u32()?,
                    },
                    17 => O::TableFill {
                        table: self.var_u32()?,
                    },
                    // memory.discard (memory control).
                    18 => return Err(Invalid::new(Why::OutsideProfile, at)),
                    19..=22 => return Err(Invalid::new(Why::WideArithmetic, at)),
                    _ => return Err(Invalid::new(Why::Malformed, at)),
                }
            }
            // Other proposals' operators, each refused naming its proposal.
            0x06..=0x0A | 0x18 | 0x19 | 0x1F => {
                return Err(Invalid::new(Why::ExceptionHandling, at))
            }
            0x14 | 0x15 | 0xD4..=0xD6 => return Err(Invalid::new(Why::FunctionReferences, at)),
            0xD3 | 0xFB => return Err(Invalid::new(Why::Gc, at)),
            0xE0..=0xE6 => return Err(Invalid::new(Why::StackSwitching, at)),
            0xFD => return Err(Invalid::new(Why::Simd, at)),
            0xFE => return Err(Invalid::new(Why::Threads, at)),
            _ => return Err(Invalid::new(Why::Malformed, at)),
        })
    }
}

/// The proposal of a value or heap type's one-byte abbreviation outside the profile:
/// `shared` (0x65) is shared-everything threads', `exn` and `noexn` exception handling's,
/// the rest GC's.
fn abbreviation_outside(byte: u8) -> Why {
    match byte {
        0x65 => Why::Threads,
        0x69 | 0x74 => Why::ExceptionHandling,
        _ => Why::Gc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn reader(bytes: &[u8]) -> Reader<'_> {
        Reader::new(bytes, 0, true)
    }

    /// `utf8` accepts exactly what `core::str::from_utf8` does: every sequence of up to
    /// three bytes, and four-byte ones around every boundary of the encoding.
    #[test]
    fn utf8_agrees_with_core() {
        let agree = |bytes: &[u8]| {
            assert_eq!(
                utf8(bytes),
                core::str::from_utf8(bytes).ok(),
                "{bytes:02x?}"
            )
        };
        agree(&[]);
        for a in 0..=255u8 {
            agree(&[a]);
            for b in 0..=255u8 {
                agree(&[a, b]);
                for c in 0..=255u8 {
                    agree(&[a, b, c]);
                }
            }
        }
        let edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
        for a in 0xf0..=0xff {
            for b in edges {
                for c in edges {
                    for d in edges {
                        agree(&[a, b, c, d]);
                        agree(&[b'x', a, b, c, d, b'y']);
                    }
                }
            }
        }
        agree("wisp: ünïcödé 名前 🦀".as_bytes());
    }

    #[test]
    fn leb128_integers_must_be_canonical_in_length_and_unused_bits() {
        // u32: five bytes at most, and the fifth has 4 bits.
        assert_eq!(
            reader(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).var_u32(),
            Ok(u32::MAX)
        );
        assert!(reader(&[0xFF, 0xFF, 0xFF, 0xFF, 0x1F]).var_u32().is_err());
        assert!(reader(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])
            .var_u32()
            .is_err());
        // An overlong but in-range encoding is allowed (the spec's `leb128` tests).
        assert_eq!(reader(&[0x80, 0x80, 0x80, 0x80, 0x00]).var_u32(), Ok(0));
        // i32: the fifth byte's unused bits repeat the sign.
        assert_eq!(
            reader(&[0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).leb_signed(32),
            Ok(-1)
        );
        assert_eq!(
            reader(&[0x80, 0x80, 0x80, 0x80, 0x78]).leb_signed(32),
            Ok(i32::MIN.into())
        );
        assert!(reader(&[0xFF, 0xFF, 0xFF, 0xFF, 0x4F])
            .leb_signed(32)
            .is_err());
        assert!(reader(&[0x80, 0x80, 0x80, 0x80, 0x70])
            .leb_signed(32)
            .is_err());
        // i64: the tenth byte holds one bit, then copies of it.
        let min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F];
        assert_eq!(reader(&min).leb_signed(64), Ok(i64::MIN));
        let bad = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        assert!(reader(&bad).leb_signed(64).is_err());
        // A short one sign-extends.
        assert_eq!(reader(&[0x7F]).leb_signed(64), Ok(-1));
        assert_eq!(reader(&[0x3F]).leb_signed(32), Ok(63));
    }

    #[test]
    fn operators_decode_as_wasmparser_decodes_them() {
        let body: &[u8] = &[
            0x41, 0x7F, // i32.const -1
            0x28, 0x42, 0x01, 0x08, // i32.load align=4 memory 1 offset 8
            0x0E, 0x02, 0x00, 0x01, 0x02, // br_table 0 1 2
            0xFC, 0x0A, 0x01, 0x00, // memory.copy 1 0
            0x0B, // end
        ];
        let mut ours = reader(body);
        let mut theirs = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(body, 0));
        let mut count = 0;
        while !theirs.eof() {
            let (mine, wp) = (ours.read().unwrap(), theirs.read().unwrap());
            // Debug forms agree but for the br_table, whose fields differ in shape.
            if let (Operator::BrTable { targets }, wasmparser::Operator::BrTable { targets: t }) =
                (&mine, &wp)
            {
                let a: Vec<u32> = targets.targets().map(Result::unwrap).collect();
                let b: Vec<u32> = t.targets().map(Result::unwrap).collect();
                assert_eq!((a, targets.default()), (b, t.default()));
            } else {
                assert_eq!(alloc::format!("{mine:?}"), alloc::format!("{wp:?}"));
            }
            count += 1;
        }
        assert!(ours.eof());
        assert_eq!(count, 5);
    }

    #[test]
    fn other_proposals_are_outside_the_profile_and_unknown_bytes_malformed() {
        let why = |bytes: &[u8]| reader(bytes).read().unwrap_err().why;
        assert_eq!(why(&[0xFD, 0x0C]), Why::Simd); // v128.const
        assert_eq!(why(&[0x08, 0x00]), Why::ExceptionHandling); // throw
        assert_eq!(why(&[0xFC, 0x13]), Why::WideArithmetic); // i64.add128
        assert_eq!(why(&[0xD0, 0x00]), Why::FunctionReferences); // ref.null (type 0)
        assert_eq!(why(&[0xD0, 0x6E]), Why::Gc); // ref.null any
        assert_eq!(why(&[0xD0, 0x69]), Why::ExceptionHandling); // ref.null exn
        assert_eq!(why(&[0xFE, 0x03, 0x00]), Why::Threads); // atomic.fence
        assert_eq!(why(&[0xFB, 0x00]), Why::Gc); // struct.new
        assert_eq!(why(&[0x14, 0x00]), Why::FunctionReferences); // call_ref
        assert_eq!(why(&[0xE0, 0x00]), Why::StackSwitching); // cont.new
        assert_eq!(why(&[0xFC, 0x12, 0x00]), Why::OutsideProfile); // memory.discard
        assert_eq!(why(&[0x17]), Why::Malformed);
        assert_eq!(why(&[0xFC, 0x40]), Why::Malformed);
        assert_eq!(why(&[0x28, 0x80, 0x01, 0x00]), Why::Malformed); // reserved flag bit 7
        assert_eq!(why(&[0x41]), Why::Malformed); // cut short
    }
}
