//! The tier-up manager: what the interpreter calls when code gets hot
//! (`wisp_interp::NativeTier`), and the background thread that compiles it.
//!
//! One compile thread per engine, started on the first request. Jobs hold their module
//! weakly: a module dropped while its jobs wait is not compiled for (a program that ends
//! leaves no work behind). The thread holds only the queue, and ends once the engine and
//! its modules are gone (the last `Shared` to drop tells it to). With
//! `TierUp::background` off, the thread that found the code hot waits for its code before
//! going on.

use std::cmp::Reverse;
use std::sync::{Arc, Condvar, Mutex, Weak};

use wisp_core::module::ModuleInner;
use wisp_core::vm::ArrayCallFn;
use wisp_core::{StoreInner, Trap};
use wisp_interp::NativeTier;

use super::state::TierModule;
use crate::executor::outcome;

/// A function to compile.
struct Job {
    module: Weak<ModuleInner>,
    def: u32,
    /// Whether to compile it with loop landings (on-stack replacement).
    landings: bool,
    /// Its wasm body's size: what the compile will roughly cost.
    size: usize,
}

#[derive(Default)]
struct Jobs {
    /// Waiting jobs, taken most worth first (`take`).
    queue: Vec<Job>,
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

    /// Compiles defined function `def` of `module`, with loop landings if `landings`: now,
    /// or queued for the compile thread. The caller has claimed it (`TierModule::claim`),
    /// or asked for its landings (`TierModule::want_landings`).
    fn request(&self, module: &Arc<ModuleInner>, tiers: &TierModule, def: u32, landings: bool) {
        if !module.engine.config().get_tier_up().background || !self.start_thread() {
            // Also the fallback when no thread can be started: compile here.
            return tiers.compile(module, def, landings);
        }
        let mut jobs = self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.queue.push(Job {
            module: Arc::downgrade(module),
            def,
            landings,
            size: module.bodies[def as usize].range.len(),
        });
        drop(jobs);
        self.queue.ready.notify_one();
    }

    /// Starts the compile thread if it is not running; false if it cannot be started.
    /// One thread: a second measured no faster on two cores, where it takes its time from
    /// the thread running the program (BENCHMARKS.md, "Tier-up policy").
    fn start_thread(&self) -> bool {
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if *started {
            return true;
        }
        let queue = self.queue.clone();
        // With Cranelift's stack: each job compiles right there, no thread per function.
        let spawned = crate::compile::compile_thread("wisp-tier-up", move || compile_loop(&queue));
        *started = spawned.is_ok();
        *started
    }

    fn tiers<'m>(&self, module: &'m Arc<ModuleInner>) -> Option<&'m TierModule> {
        TierModule::of(module, &self.this.upgrade()?)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The thread ends once the queue is empty: jobs left for dropped modules are
        // skipped. Not joined: this may run on that very thread, when its last job drops
        // the last module.
        let mut jobs = self.queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.closed = true;
        drop(jobs);
        self.queue.ready.notify_all();
    }
}

impl Jobs {
    /// The waiting job that buys the most: the one whose function the interpreter runs
    /// most per byte of body to compile, now (`Job::worth`). Oldest first among equals.
    fn take(&mut self) -> Option<Job> {
        let at = (0..self.queue.len()).max_by_key(|&i| (self.queue[i].worth(), Reverse(i)))?;
        Some(self.queue.remove(at))
    }
}

impl Job {
    /// What compiling this job is worth: the function's interpreted calls and loop
    /// iterations so far, per byte of body (its compile's cost) plus `FIXED_COST`.
    ///
    /// Measured against the alternatives (BENCHMARKS.md, "Tier-up policy"): smallest first
    /// left the functions that stay hot waiting behind every small one found hot once
    /// (serde_json 1.35x wasmtime's time, regex 0.65x), hottest first let one large hot
    /// function hold back many small ones (serde_json 1.55x); heat per byte gives 1.14x
    /// and 0.30x, and no workload is slower. Counts are read live: a function that got
    /// hot early but is not called any more falls behind.
    fn worth(&self) -> u64 {
        /// A compile's cost that does not grow with the body (trampolines, mapping).
        const FIXED_COST: u64 = 256;
        let Some(module) = self.module.upgrade() else {
            // Nothing to compile for: taken first, and dropped.
            return u64::MAX;
        };
        let (calls, loops) = wisp_interp::heat(&module, self.def);
        (u64::from(calls) + u64::from(loops)) * 1024 / (self.size as u64 + FIXED_COST)
    }
}

/// The compile thread: runs jobs until the engine is gone.
fn compile_loop(queue: &Queue) {
    loop {
        let job = {
            let mut jobs = queue.jobs.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(job) = jobs.take() {
                    break job;
                }
                if jobs.closed {
                    return;
                }
                jobs = queue.ready.wait(jobs).unwrap_or_else(|e| e.into_inner());
            }
        };
        // A module dropped since is not compiled for.
        let Some(module) = job.module.upgrade() else {
            continue;
        };
        if let Some(tiers) = module
            .jit_data
            .get()
            .and_then(|d| d.downcast_ref::<TierModule>())
        {
            tiers.compile(&module, job.def, job.landings);
        }
    }
}

impl NativeTier for Shared {
    fn hot_function(&self, module: &Arc<ModuleInner>, def: u32) {
        if let Some(tiers) = self.tiers(module) {
            // Hot by calls: later calls run natively from their start, so no frame needs
            // to enter mid-loop, and the code goes without landings (`Calls::Table`'s
            // `landings`: every loop header would also join the path from the entry).
            if tiers.claim(def) {
                self.request(module, tiers, def, false);
            }
        }
    }

    fn hot_loop(&self, module: &Arc<ModuleInner>, def: u32, offset: u32) -> Option<ArrayCallFn> {
        let tiers = self.tiers(module)?;
        // Hot in a loop: one compile serves both, later calls running natively from their
        // start and a frame looping here moving at this header once the code is in. A
        // function compiled without landings (hot by calls first) is compiled again with
        // them, once.
        if tiers.claim(def) || tiers.want_landings(def) {
            self.request(module, tiers, def, true);
        }
        let entry = tiers.loop_entry(def, offset)?;
        tiers.count_osr_entry(module, def, offset);
        Some(entry)
    }

    unsafe fn call_native(
        &self,
        store: *mut StoreInner,
        entry: ArrayCallFn,
        vmctx: *mut wisp_core::vm::VmCtx,
        array: *mut u64,
    ) -> u32 {
        // SAFETY: forwarded contract.
        unsafe { crate::signals::call(store, entry, vmctx, vmctx, array) }
    }

    fn native_trap(&self, store: *mut StoreInner, status: u32) -> Trap {
        // SAFETY: the interpreter passes its live store, with no reference into it held.
        match unsafe { outcome(store, status) } {
            Err(trap) => trap,
            Ok(()) => Trap::msg("native code reported success as a failure"),
        }
    }
}
