//! `Extern` and `Linker`: naming definitions (host functions, other instances' exports) and
//! resolving a module's imports against them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

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

#[derive(Clone)]
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
    /// Sorted by `(module, name)`, one entry per name: a linker holds tens to hundreds of
    /// definitions, few enough for a binary search, and a sorted vector costs the firmware
    /// far less code than a hash map.
    defs: Vec<((String, String), Definition)>,
    allow_shadowing: bool,
    _marker: core::marker::PhantomData<fn(T) -> T>,
}

/// A copy holds the same definitions: the same host functions (shared, not copied) and the
/// same store items.
impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
            _marker: core::marker::PhantomData,
        }
    }
}

impl<T: 'static> Linker<T> {
    /// A linker with no definitions, for stores of `engine`.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: Vec::new(),
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

    /// Where `module::name` is in `defs`, or where it would go.
    fn find(&self, module: &str, name: &str) -> core::result::Result<usize, usize> {
        find_in(&self.defs, module, name)
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition) -> Result<&mut Self> {
        match self.find(module, name) {
            Ok(_) if !self.allow_shadowing => {
                return Err(Error::Duplicate {
                    module: module.to_string(),
                    name: name.to_string(),
                });
            }
            Ok(at) => self.defs[at].1 = def,
            Err(at) => {
                let key = (module.to_string(), name.to_string());
                self.defs.insert(at, (key, def));
            }
        }
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

    /// Defines every export of `instance` under module name `module`. Either all of them
    /// are defined or, if one would shadow a definition and shadowing is not allowed, none.
    pub fn instance(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        let exports = instance.exports(&store)?;
        // The new names go to the end, then one stable sort merges the two sorted runs:
        // linear, where inserting each in place would be quadratic in a big instance's
        // exports. Export names are unique, so a new name is only ever found among the
        // definitions that were there before.
        let before = self.defs.len();
        if !self.allow_shadowing {
            if let Some((name, _)) = exports
                .iter()
                .find(|(name, _)| find_in(&self.defs, module, name).is_ok())
            {
                return Err(Error::Duplicate {
                    module: module.to_string(),
                    name: name.clone(),
                });
            }
        }
        for (name, ext) in exports {
            match find_in(&self.defs[..before], module, &name) {
                Ok(at) => self.defs[at].1 = Definition::Extern(ext),
                Err(_) => {
                    let key = (module.to_string(), name);
                    self.defs.push((key, Definition::Extern(ext)));
                }
            }
        }
        self.defs.sort_by(|(a, _), (b, _)| a.cmp(b));
        Ok(self)
    }

    /// The definition of `module::name`, placed in `store` if it is a host function.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = &self.defs[self.find(module, name).ok()?].1;
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

/// Where `module::name` is in `defs` (sorted by name), or where it would go.
fn find_in(
    defs: &[((String, String), Definition)],
    module: &str,
    name: &str,
) -> core::result::Result<usize, usize> {
    defs.binary_search_by(|((m, n), _)| (m.as_str(), n.as_str()).cmp(&(module, name)))
}
