//! The tier-up manager: what the interpreter calls when code gets hot
//! (`wisp_interp::NativeTier`), and the background thread that compiles it.
//!
//! One compile thread per engine, started on the first request. Jobs hold their module
//! (`Arc<ModuleInner>`), so a module lives until its queued jobs are done; the thread holds
//! only the queue, and ends once the engine and its modules are gone (the last `Shared`
//! to drop tells it to). With `TierUp::background` off, the thread that found the code hot
//! compiles it itself before going on.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, Weak};

use wisp_core::module::ModuleInner;
use wisp_core::vm::ArrayCallFn;
use wisp_core::{StoreInner, Trap};
use wisp_interp::NativeTier;

use super::state::TierModule;
use crate::executor::outcome;
use crate::translate::Entry;

/// A function (or loop entry) to compile.
struct Job {
    module: Arc<ModuleInner>,
    def: u32,
    entry: Entry,
}

#[derive(Default)]
struct Jobs {
    queue: VecDeque<Job>,
    /// The engine is gone: the thread ends.
    closed: bool,
}

#[derive(Default)]
struct Queue {
    jobs: Mutex<Jobs>,
    ready: Condvar,
}

/// The engine's tier-up state, shared by the executor, the interpreter (as its
/// `NativeTier`) and every tiered module.
pub struct Shared {
    /// Itself, for the modules' state to hold.
    this: Weak<Shared>,
    queue: Arc<Queue>,
    /// Whether the compile thread has been started.
    started: Mutex<bool>,
}

impl Shared {
    pub fn new() -> Arc<Shared> {
        Arc::new_cyclic(|this| Shared {
            this: this.clone(),
            queue: Arc::default(),
            started: Mutex::new(false),
        })
    }

    /// Compiles defined function `def` of `module` entered at `entry`: now, or queued for
    /// the compile thread. The caller has claimed it (`TierModule::claim*`).
    fn request(&self, module: &Arc<ModuleInner>, tiers: &TierModule, def: u32, entry: Entry) {
        if !module.engine.config().get_tier_up().background || !self.start_thread() {
            // Also the fallback when no thread can be started: compile here.
            return tiers.compile(module, def, entry);
        }
        let mut jobs = self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.queue.push_back(Job {
            module: module.clone(),
            def,
            entry,
        });
        drop(jobs);
        self.queue.ready.notify_one();
    }

    /// Starts the compile thread if it is not running; false if it cannot be started.
    fn start_thread(&self) -> bool {
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if *started {
            return true;
        }
        let queue = self.queue.clone();
        let spawned = std::thread::Builder::new()
            .name("wisp-tier-up".into())
            .spawn(move || compile_loop(&queue));
        *started = spawned.is_ok();
        *started
    }

    fn tiers<'m>(&self, module: &'m Arc<ModuleInner>) -> Option<&'m TierModule> {
        TierModule::of(module, &self.this.upgrade()?)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // No job is queued (each holds a module, which holds this), so the thread is idle
        // or about to be: it ends. Not joined: this may run on that very thread, when its
        // last job drops the last module.
        let mut jobs = self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.closed = true;
        drop(jobs);
        self.queue.ready.notify_all();
    }
}

/// The compile thread: runs jobs until the engine is gone.
fn compile_loop(queue: &Queue) {
    loop {
        let job = {
            let mut jobs = queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(job) = jobs.queue.pop_front() {
                    break job;
                }
                if jobs.closed {
                    return;
                }
                jobs = queue.ready.wait(jobs).unwrap_or_else(|e| e.into_inner());
            }
        };
        if let Some(tiers) = job
            .module
            .jit_data
            .get()
            .and_then(|d| d.downcast_ref::<TierModule>())
        {
            tiers.compile(&job.module, job.def, job.entry);
        }
    }
}

impl NativeTier for Shared {
    fn hot_function(&self, module: &Arc<ModuleInner>, def: u32) {
        if let Some(tiers) = self.tiers(module) {
            if tiers.claim(def) {
                self.request(module, tiers, def, Entry::Start);
            }
        }
    }

    fn hot_loop(&self, module: &Arc<ModuleInner>, def: u32, offset: u32) -> Option<ArrayCallFn> {
        let tiers = self.tiers(module)?;
        // Later calls should not start over in the interpreter.
        if tiers.claim(def) {
            self.request(module, tiers, def, Entry::Start);
        }
        let entry = match tiers.claim_loop(def, offset) {
            Err(entry) => Some(entry),
            Ok(true) => {
                self.request(module, tiers, def, Entry::Loop { offset });
                // Compiled already if that happened here.
                tiers.claim_loop(def, offset).err()
            }
            Ok(false) => None,
        };
        if entry.is_some() {
            tiers.count_osr_entry(def);
        }
        entry
    }

    fn native_trap(&self, store: *mut StoreInner, status: u32) -> Trap {
        // SAFETY: the interpreter passes its live store, with no reference into it held.
        match unsafe { outcome(store, status) } {
            Err(trap) => trap,
            Ok(()) => Trap::msg("native code reported success as a failure"),
        }
    }
}
