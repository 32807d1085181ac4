//! Running one `.wast` script: its directives in order, against one store and one linker,
//! the way the reference interpreter runs them.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, QuoteWatTest, Wast, WastDirective, WastExecute, WastInvoke, Wat};
use wisp::{Config, Error, Instance, Linker, Module, Store, Val};

use crate::expectations::{Action, DirectiveEntry};
use crate::report::{DirectiveResult, Outcome};
use crate::tier::Tier;
use crate::{spectest, traps, values};

/// How to run: on which tier, whether with fuel metering, whether modules are
/// translated when they load (eager) rather than each function on its first call, and
/// whether native code checks every memory access explicitly rather than leaving guarded
/// memories' bounds to the hardware (`Config::signals_based_traps(false)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub tier: Tier,
    pub fuel: bool,
    pub eager: bool,
    pub explicit_bounds: bool,
    /// Function bodies validated by wisp's own validator (`Config::own_validator`).
    pub own_validator: bool,
}

/// Why a directive is skipped under `Settings::own_validator`.
const OUTSIDE_PROFILE: &str = "outside the firmware profile of wisp's own validator";

/// Proposals wisp implements but leaves off by default. A script in a proposal's own folder
/// runs with that proposal on; every other script runs with the default configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Proposals {
    pub custom_page_sizes: bool,
    pub wide_arithmetic: bool,
    /// The threads proposal is on by default; its scripts are the only ones importing
    /// `spectest`'s shared memory, which is made for them alone (under qemu-user every
    /// memory reserved for 4 GiB costs the emulator host memory; one more per script took
    /// the whole suite past the machine's).
    pub threads: bool,
}

impl Proposals {
    /// The proposals the script at `name` (relative to the testsuite root) needs.
    pub fn for_file(name: &str) -> Proposals {
        Proposals {
            custom_page_sizes: name.starts_with("proposals/custom-page-sizes/"),
            wide_arithmetic: name.starts_with("proposals/wide-arithmetic/"),
            threads: name.starts_with("proposals/threads/"),
        }
    }

    fn apply(self, config: &mut Config) {
        config.wasm_custom_page_sizes(self.custom_page_sizes);
        config.wasm_wide_arithmetic(self.wide_arithmetic);
    }
}

/// The fuel each call and instantiation starts with when metering is on: more than any test
/// uses, so metering must change no outcome, yet far enough from `u64::MAX` that no tier's
/// fuel arithmetic can overflow.
const FUEL: u64 = 1 << 60;

/// Runs the script `text`. `entries` are its file's expectations by line: `skip` entries
/// keep their directive from running.
pub fn run(
    text: &str,
    settings: Settings,
    proposals: Proposals,
    entries: Option<&HashMap<u32, DirectiveEntry>>,
) -> Vec<DirectiveResult> {
    let unfolded = crate::legacy::unfold_try(text);
    let text = &*unfolded;
    let line_of = |span: wast::token::Span| span.linecol_in(text).0 as u32 + 1;
    let unparsable = |e: wast::Error| {
        vec![DirectiveResult {
            line: line_of(e.span()),
            kind: "script",
            outcome: Outcome::failed(format!("the script does not parse: {}", e.message())),
        }]
    };
    let buf = match ParseBuffer::new_with_lexer(lexer(text)) {
        Ok(buf) => buf,
        Err(e) => return unparsable(e),
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(wast) => wast,
        Err(e) => return unparsable(e),
    };

    let mut script = match Script::new(settings, proposals) {
        Ok(script) => script,
        Err(e) => {
            return vec![DirectiveResult {
                line: 1,
                kind: "script",
                outcome: Outcome::failed(format!("defining the spectest module failed: {e}")),
            }];
        }
    };
    let mut panicked_at = None;
    let mut results = Vec::with_capacity(wast.directives.len());
    for directive in wast.directives {
        let line = line_of(directive.span());
        let kind = kind_of(&directive);
        let entry = entries.and_then(|e| e.get(&line));
        let outcome = match panicked_at {
            // The store may be half-updated after a panic: nothing after it is trustworthy.
            Some(at) => Outcome::Failed {
                reason: format!("not run: wisp panicked at line {at}"),
                blocked_by: Some(at),
            },
            None => {
                match panic::catch_unwind(AssertUnwindSafe(|| script.run(directive, line, entry))) {
                    Ok(outcome) => outcome,
                    Err(payload) => {
                        panicked_at = Some(line);
                        Outcome::failed(format!("wisp panicked: {}", panic_message(&*payload)))
                    }
                }
            }
        };
        results.push(DirectiveResult {
            line,
            kind,
            outcome,
        });
    }
    results
}

/// A lexer for testsuite text, which deliberately contains Unicode that looks confusing.
fn lexer(text: &str) -> Lexer<'_> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    lexer
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// The keyword a directive starts with.
fn kind_of(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// A module or instance that a directive defined but that is not there: it failed to load
/// or was skipped. Directives that use it inherit its outcome.
#[derive(Debug, Clone)]
struct Missing {
    /// The directive that should have defined it.
    line: u32,
    /// The directive whose failure started the chain (a module importing from a missing
    /// registered instance is missing because of that instance's module).
    root: u32,
    /// The skip reason, when it was skipped rather than failed.
    skip: Option<String>,
}

impl Missing {
    fn failed_at(line: u32) -> Missing {
        Missing {
            line,
            root: line,
            skip: None,
        }
    }

    fn outcome(&self) -> Outcome {
        match &self.skip {
            Some(reason) => Outcome::skipped(format!(
                "uses the module of line {}, which is skipped: {reason}",
                self.line
            )),
            None => Outcome::Failed {
                reason: format!("uses the module of line {}, which did not load", self.line),
                blocked_by: Some(self.root),
            },
        }
    }
}

/// Why a directive could not do its work.
enum Failure {
    /// Its own fault: the reason.
    Own(String),
    /// Something it needs is missing.
    Inherited(Missing),
}

impl Failure {
    fn outcome(self) -> Outcome {
        match self {
            Failure::Own(reason) => Outcome::failed(reason),
            Failure::Inherited(missing) => missing.outcome(),
        }
    }

    /// What a definition at `line` that failed this way leaves behind for its users.
    fn missing_at(&self, line: u32) -> Missing {
        match self {
            Failure::Own(_) => Missing::failed_at(line),
            Failure::Inherited(missing) => Missing {
                line,
                ..missing.clone()
            },
        }
    }
}

impl From<String> for Failure {
    fn from(reason: String) -> Failure {
        Failure::Own(reason)
    }
}

type Loaded<T> = Result<T, Missing>;

/// The state a script builds up: its store, the names it has given to modules and
/// instances, and what it has registered for import.
struct Script {
    settings: Settings,
    engine: wisp::Engine,
    store: Store<()>,
    linker: Linker<()>,
    refs: values::HostRefs,
    /// The most recent instance: the target of `invoke`s that name none.
    current: Option<Loaded<Instance>>,
    instances: HashMap<String, Loaded<Instance>>,
    definitions: HashMap<String, Loaded<Module>>,
    last_definition: Option<Loaded<Module>>,
    /// Names registered for an instance that is missing, so that modules importing from
    /// them are known to be blocked rather than broken.
    missing_registrations: HashMap<String, Missing>,
}

impl Script {
    fn new(settings: Settings, proposals: Proposals) -> wisp::Result<Script> {
        let mut config = Config::default();
        config.consume_fuel(settings.fuel);
        config.lazy_translation(!settings.eager);
        config.signals_based_traps(!settings.explicit_bounds);
        config.own_validator(settings.own_validator);
        proposals.apply(&mut config);
        let engine = settings.tier.engine(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        // Scripts register new instances under names used before (`register "M"` twice).
        linker.allow_shadowing(true);
        spectest::define(&mut linker, &mut store, proposals.threads)?;
        Ok(Script {
            settings,
            engine,
            store,
            linker,
            refs: values::HostRefs::default(),
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            missing_registrations: HashMap::new(),
        })
    }

    fn run(
        &mut self,
        directive: WastDirective<'_>,
        line: u32,
        entry: Option<&DirectiveEntry>,
    ) -> Outcome {
        if let Some(entry) = entry.filter(|e| e.action == Action::Skip) {
            return self.skip(directive, line, &entry.reason);
        }
        let mut directive = directive;
        if self.settings.own_validator && self.outside_profile(&mut directive) {
            return self.skip(directive, line, OUTSIDE_PROFILE);
        }
        match directive {
            WastDirective::Module(mut module) => {
                let name = id_name(module.name());
                let result = self
                    .compile(&mut module)
                    .map_err(Failure::Own)
                    .and_then(|m| self.instantiate(&m));
                self.define_instance(name, line, result)
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = id_name(module.name());
                let (loaded, outcome) = match self.compile(&mut module) {
                    Ok(m) => (Ok(m), Outcome::Passed),
                    Err(reason) => (Err(Missing::failed_at(line)), Outcome::failed(reason)),
                };
                if let Some(name) = name {
                    self.definitions.insert(name, loaded.clone());
                }
                self.last_definition = Some(loaded);
                outcome
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let definition = match module {
                    Some(id) => self.definitions.get(id.name()),
                    None => self.last_definition.as_ref(),
                };
                let result = match definition.cloned() {
                    None => Err(Failure::Own("no such module definition".into())),
                    Some(Err(missing)) => Err(Failure::Inherited(missing)),
                    Some(Ok(m)) => self.instantiate(&m),
                };
                self.define_instance(id_name(instance), line, result)
            }
            WastDirective::Register { name, module, .. } => match self.instance(module) {
                Ok(instance) => match self.linker.instance(&self.store, name, instance) {
                    Ok(_) => {
                        self.missing_registrations.remove(name);
                        Outcome::Passed
                    }
                    Err(e) => Outcome::failed(format!("registering failed: {e}")),
                },
                Err(failure) => {
                    if let Failure::Inherited(missing) = &failure {
                        self.missing_registrations
                            .insert(name.to_string(), missing.clone());
                    }
                    failure.outcome()
                }
            },
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(Ok(_)) => Outcome::Passed,
                Ok(Err(e)) => Outcome::failed(format!("the call failed: {e}")),
                Err(failure) => failure.outcome(),
            },
            WastDirective::AssertReturn { exec, results, .. } => match self.execute(exec) {
                Ok(Ok(actual)) => match values::check_results(&self.store, &results, &actual) {
                    Ok(()) => Outcome::Passed,
                    Err(reason) => Outcome::failed(reason),
                },
                Ok(Err(e)) => Outcome::failed(format!("expected results, got: {e}")),
                Err(failure) => failure.outcome(),
            },
            WastDirective::AssertTrap { exec, message, .. } => {
                let result = self.execute(exec);
                self.expect_trap(result, message)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let result = self.invoke(&call);
                self.expect_trap(result, message)
            }
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => self.expect_rejected(&mut module, "invalid", message),
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => self.expect_rejected(&mut module, "malformed", message),
            WastDirective::AssertInvalidCustom { mut module, .. }
            | WastDirective::AssertMalformedCustom { mut module, .. } => {
                self.expect_custom_ignored(&mut module)
            }
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.expect_unlinkable(QuoteWat::Wat(module), message),
            WastDirective::AssertException { exec, .. } => match self.execute(exec) {
                Ok(Err(Error::Trap(trap))) if trap.exception().is_some() => Outcome::Passed,
                Ok(Err(e)) => Outcome::failed(format!("expected an exception, got: {e}")),
                Ok(Ok(_)) => Outcome::failed("expected an exception, got results"),
                Err(failure) => failure.outcome(),
            },
            WastDirective::AssertSuspension { .. } => Outcome::failed("needs stack switching"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                Outcome::failed("needs threads")
            }
        }
    }

    /// With the own validator (`Settings::own_validator`): whether the module `directive`
    /// loads or asserts about is refused as outside the firmware profile. Such a module is
    /// skipped (and so are its users): the profile says nothing of it, valid or not.
    fn outside_profile(&self, directive: &mut WastDirective<'_>) -> bool {
        let bytes = match directive {
            WastDirective::Module(m)
            | WastDirective::ModuleDefinition(m)
            | WastDirective::AssertInvalid { module: m, .. }
            | WastDirective::AssertMalformed { module: m, .. } => encode(m),
            WastDirective::AssertUnlinkable { module, .. } => {
                module.encode().map_err(|e| e.to_string())
            }
            _ => return false,
        };
        let Ok(bytes) = bytes else {
            return false;
        };
        matches!(
            Module::new(&self.engine, &bytes),
            Err(Error::Unsupported(e)) if e.code().is_some_and(wisp::validate::Why::is_outside_profile)
        )
    }

    /// Skips `directive`, leaving whatever it defines missing so its users are skipped too.
    fn skip(&mut self, directive: WastDirective<'_>, line: u32, reason: &str) -> Outcome {
        let missing = Missing {
            line,
            root: line,
            skip: Some(reason.to_string()),
        };
        let mut stale = false;
        match directive {
            WastDirective::Module(mut module) => {
                stale = self.compile(&mut module).is_ok();
                self.define_instance(
                    id_name(module.name()),
                    line,
                    Err(Failure::Inherited(missing)),
                );
            }
            WastDirective::ModuleDefinition(mut module) => {
                stale = self.compile(&mut module).is_ok();
                if let Some(name) = id_name(module.name()) {
                    self.definitions.insert(name, Err(missing.clone()));
                }
                self.last_definition = Some(Err(missing));
            }
            WastDirective::ModuleInstance { instance, .. } => {
                self.define_instance(id_name(instance), line, Err(Failure::Inherited(missing)));
            }
            WastDirective::Register { name, .. } => {
                self.missing_registrations.insert(name.to_string(), missing);
            }
            _ => {}
        }
        Outcome::Skipped {
            reason: reason.to_string(),
            stale,
        }
    }

    /// Records the instance a `module` or `module instance` directive made (or failed to):
    /// it becomes the current instance, and is kept under its name if it has one.
    fn define_instance(
        &mut self,
        name: Option<String>,
        line: u32,
        result: Result<Instance, Failure>,
    ) -> Outcome {
        let (loaded, outcome) = match result {
            Ok(instance) => (Ok(instance), Outcome::Passed),
            Err(failure) => (Err(failure.missing_at(line)), failure.outcome()),
        };
        if let Some(name) = name {
            self.instances.insert(name, loaded.clone());
        }
        self.current = Some(loaded);
        outcome
    }

    /// The instance called `id`, or the current one.
    fn instance(&self, id: Option<wast::token::Id<'_>>) -> Result<Instance, Failure> {
        let found = match id {
            Some(id) => self.instances.get(id.name()),
            None => self.current.as_ref(),
        };
        match found {
            Some(Ok(instance)) => Ok(*instance),
            Some(Err(missing)) => Err(Failure::Inherited(missing.clone())),
            None => Err(Failure::Own(match id {
                Some(id) => format!("no instance named ${}", id.name()),
                None => "no module instantiated yet".into(),
            })),
        }
    }

    /// Encodes a script module to the binary format and loads it.
    fn compile(&self, module: &mut QuoteWat<'_>) -> Result<Module, String> {
        let bytes = encode(module).map_err(|e| format!("the module does not parse: {e}"))?;
        Module::new(&self.engine, &bytes).map_err(|e| e.to_string())
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Failure> {
        self.refuel();
        self.linker
            .instantiate(&mut self.store, module)
            .map_err(|e| self.instantiation_failure(e))
    }

    /// An instantiation error as a failure, blamed on the missing module it imports from
    /// when there is one.
    fn instantiation_failure(&self, error: Error) -> Failure {
        if let Error::UnknownImport { module, .. } = &error {
            if let Some(missing) = self.missing_registrations.get(module) {
                return Failure::Inherited(missing.clone());
            }
        }
        Failure::Own(error.to_string())
    }

    /// Runs what an assertion is about. The outer `Err` means it could not be attempted
    /// (a missing module, no such export); the inner one is wisp's error or trap.
    fn execute(&mut self, exec: WastExecute<'_>) -> Result<wisp::Result<Vec<Val>>, Failure> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let global = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| format!("no exported global `{global}`"))?;
                Ok(global.get(&self.store).map(|v| vec![v]))
            }
            WastExecute::Wat(module) => {
                let module = self
                    .compile(&mut QuoteWat::Wat(module))
                    .map_err(|reason| format!("expected the module to load: {reason}"))?;
                self.refuel();
                match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Ok(Ok(Vec::new())),
                    Err(e @ Error::Trap(_)) => Ok(Err(e)),
                    Err(e) => Err(self.instantiation_failure(e)),
                }
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<wisp::Result<Vec<Val>>, Failure> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function `{}`", invoke.name))?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            args.push(values::arg(&mut self.store, &mut self.refs, arg)?);
        }
        let ty = func.ty(&self.store).map_err(|e| e.to_string())?;
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        self.refuel();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    fn refuel(&mut self) {
        if self.settings.fuel {
            self.store
                .set_fuel(FUEL)
                .expect("the engine was configured to consume fuel");
        }
    }

    fn expect_trap(
        &self,
        result: Result<wisp::Result<Vec<Val>>, Failure>,
        message: &str,
    ) -> Outcome {
        match result {
            Ok(Err(Error::Trap(trap))) => {
                let actual = trap.to_string();
                if traps::message_matches(message, &actual) {
                    Outcome::Passed
                } else {
                    Outcome::failed(format!("expected trap `{message}`, got trap `{actual}`"))
                }
            }
            Ok(Err(e)) => Outcome::failed(format!("expected trap `{message}`, got error: {e}")),
            Ok(Ok(vals)) => {
                let vals: Vec<String> = vals
                    .iter()
                    .map(|v| values::describe(&self.store, v))
                    .collect();
                Outcome::failed(format!(
                    "expected trap `{message}`, got [{}]",
                    vals.join(", ")
                ))
            }
            Err(failure) => failure.outcome(),
        }
    }

    /// `assert_invalid` and `assert_malformed`: any error from the text parser or wisp will
    /// do (the messages are the reference interpreter's), but not "unsupported" or a
    /// configured limit: those say wisp did not check the module, not that it is bad.
    fn expect_rejected(&self, module: &mut QuoteWat<'_>, what: &str, message: &str) -> Outcome {
        let Ok(bytes) = encode(module) else {
            return Outcome::Passed;
        };
        match Module::new(&self.engine, &bytes) {
            Ok(_) => Outcome::failed(format!(
                "the module loaded; expected it {what}: `{message}`"
            )),
            Err(e @ (Error::Unsupported(_) | Error::Limit(_))) => {
                Outcome::failed(format!("expected {what} (`{message}`), but wisp said: {e}"))
            }
            Err(_) => Outcome::Passed,
        }
    }

    /// `assert_malformed_custom` and `assert_invalid_custom`: a bad custom section or
    /// annotation. The text parser may reject an annotation (it processes them); wisp, which
    /// uses no custom section, must load the module regardless, as the spec requires of
    /// engines that ignore a custom section.
    fn expect_custom_ignored(&self, module: &mut QuoteWat<'_>) -> Outcome {
        let Ok(bytes) = encode(module) else {
            return Outcome::Passed;
        };
        match Module::new(&self.engine, &bytes) {
            Ok(_) => Outcome::Passed,
            Err(e) => Outcome::failed(format!("a bad custom section must not stop loading: {e}")),
        }
    }

    fn expect_unlinkable(&mut self, mut module: QuoteWat<'_>, message: &str) -> Outcome {
        let module = match self.compile(&mut module) {
            Ok(module) => module,
            Err(reason) => {
                return Outcome::failed(format!("expected the module to load: {reason}"))
            }
        };
        self.refuel();
        match self.linker.instantiate(&mut self.store, &module) {
            Ok(_) => Outcome::failed(format!("the module linked; expected `{message}`")),
            Err(e @ (Error::UnknownImport { .. } | Error::IncompatibleImport { .. })) => {
                match self.instantiation_failure(e) {
                    // Unlinkable only because an earlier module is missing: proves nothing.
                    Failure::Inherited(missing) => missing.outcome(),
                    Failure::Own(_) => Outcome::Passed,
                }
            }
            Err(e) => Outcome::failed(format!("expected a link error (`{message}`), got: {e}")),
        }
    }
}

fn id_name(id: Option<wast::token::Id<'_>>) -> Option<String> {
    id.map(|id| id.name().to_string())
}

/// The binary form of a script module. Quoted text is parsed here rather than by
/// `QuoteWat::encode` so that it too may contain confusing Unicode.
fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
    let text = match module.to_test().map_err(|e| e.message())? {
        QuoteWatTest::Binary(bytes) => return Ok(bytes),
        QuoteWatTest::Text(text) => text,
    };
    if matches!(module, QuoteWat::QuoteComponent(..)) {
        return Err("components are not supported".into());
    }
    let text = String::from_utf8(text).map_err(|_| "malformed UTF-8 encoding".to_string())?;
    let buf = ParseBuffer::new_with_lexer(lexer(&text)).map_err(|e| e.message())?;
    let mut wat = parser::parse::<Wat<'_>>(&buf).map_err(|e| e.message())?;
    if matches!(wat, Wat::Component(_)) {
        return Err("components are not supported".into());
    }
    wat.encode().map_err(|e| e.message())
}
