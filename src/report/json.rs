//! The result model itself, pretty-printed: what reports/last-run.json holds.

use super::{RenderOptions, Renderer, View};
use super::{ReportError, Result};

pub struct Json;

impl Renderer for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn render(&self, view: &View, _: &RenderOptions) -> Result<String> {
        let mut text = serde_json::to_string_pretty(view.result).map_err(ReportError::Serialise)?;
        text.push('\n');
        Ok(text)
    }
}
