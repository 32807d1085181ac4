//! The workload table, `workloads/workloads.json`.

use std::path::{Path, PathBuf};

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub path: PathBuf,
    /// `program`, `micro`, `large` or `simd` (programs using fixed-width SIMD, whose
    /// ratios `compare` sums up apart: [`is_simd`](Self::is_simd)).
    pub kind: String,
    pub n: i32,
    pub small_n: i32,
    pub checksum: i64,
    pub small_checksum: i64,
}

impl Workload {
    /// The iteration count and expected checksum for a full or a small run.
    pub fn size(&self, small: bool) -> (i32, i64) {
        if small {
            (self.small_n, self.small_checksum)
        } else {
            (self.n, self.checksum)
        }
    }

    /// Whether this is one of the SIMD workloads (kind `simd`), which `compare` gives a
    /// geometric mean of their own, apart from the others'.
    pub fn is_simd(&self) -> bool {
        self.kind == "simd"
    }

    pub fn bytes(&self) -> std::io::Result<Vec<u8>> {
        std::fs::read(&self.path)
    }
}

/// `$WISP_WORKLOADS` (another set with the same table format), else the committed set.
pub fn workloads_dir() -> PathBuf {
    match std::env::var_os("WISP_WORKLOADS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("workloads"),
    }
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key)
        .ok_or_else(|| format!("workload entry without `{key}`: {v}"))
}

fn int(v: &Value, key: &str) -> Result<i64, String> {
    let f = field(v, key)?;
    f.as_i64()
        .or_else(|| f.as_str().and_then(|s| s.parse().ok()))
        .or_else(|| {
            f.as_str()
                .and_then(|s| s.parse::<u64>().ok())
                .map(|u| u as i64)
        })
        .ok_or_else(|| format!("`{key}` is not an integer in {v}"))
}

/// Reads the table; `filter` keeps workloads whose name contains any of its words.
pub fn load_workloads(filter: &[String]) -> Result<Vec<Workload>, String> {
    let dir = workloads_dir();
    let text = std::fs::read_to_string(dir.join("workloads.json"))
        .map_err(|e| format!("workloads.json: {e}"))?;
    let table: Vec<Value> =
        serde_json::from_str(&text).map_err(|e| format!("workloads.json: {e}"))?;
    let mut out = Vec::new();
    for v in &table {
        let name = field(v, "name")?.as_str().unwrap_or_default().to_string();
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        out.push(Workload {
            path: dir.join(field(v, "file")?.as_str().unwrap_or_default()),
            kind: field(v, "kind")?.as_str().unwrap_or_default().to_string(),
            n: int(v, "n")? as i32,
            small_n: int(v, "small_n")? as i32,
            checksum: int(v, "checksum")?,
            small_checksum: int(v, "small_checksum")?,
            name,
        });
    }
    Ok(out)
}
