//! The `spectest` host module the testsuite imports from, as the reference interpreter
//! defines it.

use wisp::{
    Global, GlobalType, Linker, Memory, MemoryType, Mutability, RefType, Store, Table, TableType,
    Val, ValType,
};

/// Defines every `spectest` export in `linker`, creating its table, memory and globals in
/// `store` (and, with `shared`, the threads proposal's shared memory). The print functions
/// print nothing: their output is no part of any assertion.
pub fn define(linker: &mut Linker<()>, store: &mut Store<()>, shared: bool) -> wisp::Result<()> {
    linker.func_wrap("spectest", "print", || {})?;
    linker.func_wrap("spectest", "print_i32", |_: i32| {})?;
    linker.func_wrap("spectest", "print_i64", |_: i64| {})?;
    linker.func_wrap("spectest", "print_f32", |_: f32| {})?;
    linker.func_wrap("spectest", "print_f64", |_: f64| {})?;
    linker.func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?;
    linker.func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;

    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::from(666.6f32)),
        ("global_f64", ValType::F64, Val::from(666.6f64)),
    ];
    for (name, ty, value) in globals {
        let global = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), value)?;
        linker.define("spectest", name, global)?;
    }

    let table = Table::new(
        &mut *store,
        TableType::new(RefType::FUNCREF, 10, Some(20)),
        Val::FuncRef(None),
    )?;
    linker.define("spectest", "table", table)?;
    let table64 = Table::new(
        &mut *store,
        TableType::new64(RefType::FUNCREF, 10, Some(20)),
        Val::FuncRef(None),
    )?;
    linker.define("spectest", "table64", table64)?;
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define("spectest", "memory", memory)?;
    if shared {
        let memory = Memory::new(&mut *store, MemoryType::shared(1, 2))?;
        linker.define("spectest", "shared_memory", memory)?;
    }
    Ok(())
}
