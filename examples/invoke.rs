//! Calls one export of a module and prints its results, one per line:
//! `cargo run --release --example invoke -- FILE.{wasm,wat} EXPORT [ARGS...]`.
//! (The `wisp` command line tool will do this and more; this is the embedding API in ~50 lines.)

use std::process::ExitCode;

use wisp::{Engine, Linker, Module, Store, Val, ValType};

fn parse_arg(ty: ValType, text: &str) -> Result<Val, String> {
    let bad = |e: &dyn std::fmt::Display| format!("`{text}` is not a valid {ty}: {e}");
    Ok(match ty {
        ValType::I32 => Val::I32(text.parse::<i64>().map_err(|e| bad(&e))? as i32),
        ValType::I64 => Val::I64(text.parse().map_err(|e| bad(&e))?),
        ValType::F32 => Val::from(text.parse::<f32>().map_err(|e| bad(&e))?),
        ValType::F64 => Val::from(text.parse::<f64>().map_err(|e| bad(&e))?),
        other => return Err(format!("cannot pass a {other} from the command line")),
    })
}

fn show(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(_) => v.f32().unwrap_or_default().to_string(),
        Val::F64(_) => v.f64().unwrap_or_default().to_string(),
        other => format!("{other:?}"),
    }
}

fn run(args: &[String]) -> Result<Vec<Val>, String> {
    let [file, export, rest @ ..] = args else {
        return Err("usage: invoke FILE EXPORT [ARGS...]".into());
    };
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let wasm = wat::parse_bytes(&bytes).map_err(|e| format!("{file}: {e}"))?;
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).map_err(|e| format!("{file}: {e}"))?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .map_err(|e| e.to_string())?;
    let func = instance
        .get_func(&store, export)
        .ok_or(format!("no exported function `{export}`"))?;
    let ty = func.ty(&store).map_err(|e| e.to_string())?;
    if ty.params().len() != rest.len() {
        return Err(format!(
            "`{export}` is {ty}: it takes {} arguments",
            ty.params().len()
        ));
    }
    let params = ty
        .params()
        .iter()
        .zip(rest)
        .map(|(t, a)| parse_arg(*t, a))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    func.call(&mut store, &params, &mut results)
        .map_err(|e| format!("error: {e}"))?;
    Ok(results)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(results) => {
            results.iter().for_each(|r| println!("{}", show(r)));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
