//! `reports/last-run.json`: the result model itself, pretty-printed, written atomically.

use crate::error::Result;
use crate::result::RunResult;
use std::path::Path;

pub fn write(result: &RunResult, path: &Path) -> Result<()> {
    result.write(path)
}
