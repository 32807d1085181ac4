//! The handlers of the operator groups, generated from the instruction table: each
//! computes with the `wisp_core::wasm` function its entry names (arithmetic, comparisons,
//! conversions, compare-and-branch), or moves the memory type its entry names (loads and
//! stores). Nothing about these instructions is written here by hand.

use wisp_core::wasm;

use super::super::{trap, Accs, Done, Exec, Ip, Sp};
use super::handler::{step, HandlerOf, Variants};
use super::operands::*;
use crate::bytecode::{payload, words_for};

macro_rules! operator_handlers {
    (
        simd { $($simd:tt)* }
        binary { $( $bin:ident ($($bin_in:ident),* -> $($bin_out:ident)?) [$($bin_flags:tt)*] = $bin_sem:ident; )* }
        binary_imm { $( $bimm:ident ($($bimm_in:ident),* -> $($bimm_out:ident)?) [$($bimm_flags:tt)*] = $bimm_sem:ident; )* }
        unary { $( $un:ident ($($un_in:ident),* -> $($un_out:ident)?) [$($un_flags:tt)*] = $un_sem:ident; )* }
        load { $( $load:ident ($($load_in:ident),* -> $load_out:ident) [$($load_flags:tt)*] = $load_mem:ident; )* }
        load_add { $( $ladd:ident ($($ladd_in:ident),* -> $ladd_out:ident) [$($ladd_flags:tt)*] = $ladd_mem:ident; )* }
        store { $( $store:ident ($store_in:ident ->) [$($store_flags:tt)*] = $store_mem:ident; )* }
        branch_cmp { $( $brc:ident ($($brc_in:ident),* -> $($brc_out:ident)?) [$($brc_flags:tt)*] = $brc_pol:ident $brc_sem:ident; )* }
        branch_cmp_imm { $( $brci:ident ($($brci_in:ident),* -> $($brci_out:ident)?) [$($brci_flags:tt)*] = $brci_pol:ident $brci_sem:ident; )* }
        other { $($other:tt)* }
    ) => {
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $bin { dst, a, b } => bin(sp, fw, dst, a, b, wasm::$bin_sem)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $bimm { dst, a, imm } => self::imm(sp, fw, dst, a, imm, wasm::$bimm_sem)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $un { dst, src } => un(sp, fw, dst, src, wasm::$un_sem)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $load { dst, addr, offset } =>
            load!(sp, fw, mem_base, mem_len, dst, addr, offset, $load_mem, <$load_out>::from)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $ladd { dst, a, imm, offset } =>
            load_add!(sp, fw, mem_base, mem_len, dst, a, imm, offset, $ladd_mem, <$ladd_out>::from)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] fallible $store { addr, value, offset } =>
            store!(sp, fw, mem_base, mem_len, addr, value, offset, $store_mem, |v: $store_in| v as $store_mem)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] branch $brc { a, b, offset } =>
            test!($brc_pol wasm::$brc_sem(first(sp, a, fw), second(sp, b, fw))).then_some(offset)); )*
        $( handler!([ip, sp, mem_base, mem_len, ex, fw] branch $brci { a, imm, offset } =>
            test!($brci_pol wasm::$brci_sem(first(sp, a, fw), imm.into())).then_some(offset)); )*
    };
}

/// A branch's condition: taken `if` the test is true (non-zero), or `unless` it is.
macro_rules! test {
    (if $e:expr) => {
        Truth::truth($e)
    };
    (unless $e:expr) => {
        !Truth::truth($e)
    };
}

crate::for_each_instr!(operator_handlers);
