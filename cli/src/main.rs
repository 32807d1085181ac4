//! The `wisp` command-line tool: run WASI programs and exported functions, validate and
//! inspect modules. `wisp --help` documents the options and exit statuses.

mod args;
mod inspect;
mod load;
mod run;
mod wasi;

use std::process::ExitCode;

use args::{Command, EXIT_USAGE};
use wisp::peak::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc::new();

/// Why wisp itself could not do what was asked (as opposed to what the guest did).
#[derive(Debug)]
pub struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    /// A command line wisp cannot act on; exits with `EXIT_USAGE`.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: EXIT_USAGE,
        }
    }
}

fn main() -> ExitCode {
    let result = args::parse(std::env::args_os().skip(1))
        .map_err(Failure::usage)
        .and_then(|command| match command {
            Command::Help => {
                print!("{}", args::HELP);
                Ok(0)
            }
            Command::Version => {
                println!("wisp {}", env!("CARGO_PKG_VERSION"));
                Ok(0)
            }
            Command::Run(opts) => run::run(*opts),
            Command::Validate(file) => inspect::validate(&file),
            Command::Inspect { file, bytecode } => inspect::inspect(&file, bytecode),
        });
    match result {
        Ok(status) => ExitCode::from(status),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}
