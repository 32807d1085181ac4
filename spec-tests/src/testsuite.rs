//! Finding the testsuite checkout and the `.wast` files in it.

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The environment variable that points at a testsuite checkout, overriding the defaults.
pub const ENV_VAR: &str = "WISP_TESTSUITE";

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where the testsuite is: `$WISP_TESTSUITE`, else `spec-tests/testsuite` in the workspace,
/// else `../shared/testsuite` beside the workspace. The suite is never copied into the repo.
pub fn locate() -> Result<PathBuf, String> {
    if let Some(dir) = env::var_os(ENV_VAR) {
        let dir = PathBuf::from(dir);
        return if dir.is_dir() {
            Ok(dir)
        } else {
            Err(format!("{ENV_VAR}={} is not a directory", dir.display()))
        };
    }
    let root = workspace_root();
    let candidates = [
        root.join("spec-tests").join("testsuite"),
        root.join("..").join("shared").join("testsuite"),
    ];
    candidates
        .iter()
        .find(|dir| dir.is_dir())
        .cloned()
        .ok_or_else(|| {
            format!(
                "no testsuite found: set {ENV_VAR}, or put a checkout at {} or {}",
                candidates[0].display(),
                candidates[1].display()
            )
        })
}

/// Every `.wast` file under `root`, as paths relative to it with `/` separators, sorted.
pub fn wast_files(root: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    collect(root, "", &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(dir: &Path, prefix: &str, files: &mut Vec<String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = format!("{prefix}{name}");
        if entry.file_type()?.is_dir() {
            collect(&entry.path(), &format!("{relative}/"), files)?;
        } else if name.ends_with(".wast") {
            files.push(relative);
        }
    }
    Ok(())
}
