// A second reference for the modules wasmtime cannot run (cxx-exceptions-legacy.wasm: the
// legacy exception-handling encoding, which V8 runs and wasmtime does not): runs a WASI
// preview1 command with Node's node:wasi, with no environment and no preopens.
//
//   node --no-warnings node-run.mjs FILE [ARGS...]
//
// Exits with the guest's exit status. Node >= 20 (V8 11.3: legacy exceptions and tail calls
// on by default; not exnref).
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node node-run.mjs FILE [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
