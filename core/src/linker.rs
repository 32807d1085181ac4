//! `Extern` and `Linker`: naming definitions (host functions, other instances' exports) and
//! resolving a module's imports against them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::hash::HashMap;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::exception::Tag;
use crate::func::{Caller, Func, HostFunc};
use crate::global::Global;
use crate::instance::{instantiate, Instance};
use crate::memory::Memory;
use crate::module::Module;
use crate::store::{AsContext, AsContextMut};
use crate::table::Table;
use crate::trap::Trap;
use crate::typed::IntoFunc;
use crate::types::FuncType;
use crate::value::Val;

/// Anything that can be imported or exported.
#[derive(Debug, Copy, Clone, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A linear memory.
    Memory(Memory),
    /// A global.
    Global(Global),
    /// An exception tag.
    Tag(Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Self {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Self {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Self {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Self {
        Extern::Global(g)
    }
}
impl From<Tag> for Extern {
    fn from(t: Tag) -> Self {
        Extern::Tag(t)
    }
}

enum Definition {
    /// Something already living in a store.
    Extern(Extern),
    /// A host function not yet placed in any store; each store that instantiates through
    /// the linker gets its own copy.
    Host(FuncType, HostFunc),
}

/// Named definitions for resolving imports. `T` is the store data host functions see.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition>,
    allow_shadowing: bool,
    _marker: core::marker::PhantomData<fn(T) -> T>,
}

impl<T: 'static> Linker<T> {
    /// A linker with no definitions, for stores of `engine`.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::default(),
            allow_shadowing: false,
            _marker: core::marker::PhantomData,
        }
    }

    /// The engine the linker's definitions are for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::Duplicate {
                module: key.0,
                name: key.1,
            });
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines `module::name` as `item`.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines a host function from a closure with typed parameters and results:
    /// `|caller: Caller<'_, T>, a: i32, b: i64| -> i64 { .. }`, or returning
    /// `Result<_, Trap>` to trap.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, host) = func.into_func();
        self.insert(module, name, Definition::Host(ty, host))
    }

    /// Defines a host function of type `ty` taking and returning `Val`s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let host = HostFunc::new_dynamic(ty.clone(), func);
        self.insert(module, name, Definition::Host(ty, host))
    }

    /// Defines every export of `instance` under module name `module`.
    pub fn instance(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        for (name, ext) in instance.exports(&store)? {
            self.define(module, &name, ext)?;
        }
        Ok(self)
    }

    /// The definition of `module::name`, placed in `store` if it is a host function.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(match def {
            Definition::Extern(e) => *e,
            Definition::Host(ty, host) => Extern::Func(Func::alloc_host(
                &mut store.as_context_mut().0.inner,
                ty.clone(),
                host.clone(),
            )),
        })
    }

    /// Instantiates `module`, resolving each import by name. A missing import is an
    /// `UnknownImport` error naming it; a mistyped one is `IncompatibleImport`.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let store = store.as_context_mut().0;
        let mut imports = Vec::with_capacity(module.inner.imports.len());
        for imp in &module.inner.imports {
            let ext = self
                .get(&mut *store, &imp.module, &imp.name)
                .ok_or_else(|| Error::UnknownImport {
                    module: imp.module.clone(),
                    name: imp.name.clone(),
                })?;
            imports.push(ext);
        }
        instantiate(store, module, &imports)
    }
}
