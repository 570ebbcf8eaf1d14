//! The result model itself, pretty-printed: what reports/last-run.json holds.

use super::{RenderOptions, Renderer, View};
use crate::error::{Error, Result};

pub struct Json;

impl Renderer for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn render(&self, view: &View, _: &RenderOptions) -> Result<String> {
        let mut text = serde_json::to_string_pretty(view.result)
            .map_err(|e| Error::Usage(format!("cannot serialise the result: {e}")))?;
        text.push('\n');
        Ok(text)
    }
}
