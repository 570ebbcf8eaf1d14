//! OpenAPI: the catalogue as one OpenAPI 3.1 document for the tools around it (Apifox, Postman, Swagger
//! UI, Redocly, Schemathesis, code generators), and other teams' OpenAPI 3.0/3.1 documents as contracts.
//!
//! [`export`] writes the document; [`import`] reads one. [`names`] is the single mapping between the
//! contracts' shared schemas (`common.json#/$defs/id`) and the document's components
//! (`#/components/schemas/common.id`), used both ways so that export → import → export is the identity.
//!
//! The `x-daodao-*` extensions carry what OpenAPI has no word for: `x-daodao-phase` (the plan's phase),
//! `x-daodao-skip` (why a contract is not run), `x-daodao-auth: admin`, `x-daodao-session`,
//! `x-daodao-latency-budget-ms`, `x-daodao-code` (the envelope code of an error response when it is not
//! its HTTP status), `x-daodao-request` (the request of an error case's example), `x-daodao-derived`
//! (an error the engine derives by itself, not listed in the contract) and `x-daodao-phases` (the plan's
//! phase names).

pub mod export;
pub mod import;
pub mod names;

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The text format of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// The format a file name implies: `.yaml`/`.yml` → YAML, `.json` → JSON, anything else: none.
    pub fn of_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// The document as text, ending with a newline. Key order is the document's own (stable).
    pub fn render(self, document: &Value) -> Result<String, OpenApiError> {
        let mut text = match self {
            Format::Json => serde_json::to_string_pretty(document)
                .map_err(|e| OpenApiError::Render(e.to_string()))?,
            Format::Yaml => serde_norway::to_string(document)
                .map_err(|e| OpenApiError::Render(e.to_string()))?,
        };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }
}

/// Parses a document's text: JSON when it looks like JSON, YAML otherwise (YAML is a superset, but
/// serde_json's errors name the line and column of a JSON document better).
pub fn parse_text(text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text)
            .map_err(|e| format!("line {}, column {}: not JSON: {e}", e.line(), e.column()));
    }
    serde_norway::from_str::<Value>(text).map_err(|e| match e.location() {
        Some(l) => format!("line {}, column {}: not YAML: {e}", l.line(), l.column()),
        None => format!("not YAML: {e}"),
    })
}

/// Why an export or an import could not be done.
#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    /// A contract or shared schema the document cannot express; `place` is where in it.
    #[error("{file}: {place}: {message}")]
    Source {
        file: String,
        place: String,
        message: String,
    },
    #[error("cannot render the document: {0}")]
    Render(String),
    /// The document to import cannot be read or is not OpenAPI.
    #[error("{source_name}: {message}")]
    Document {
        source_name: String,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Write { path: PathBuf, message: String },
}

/// A JSON Pointer token: `~` and `/` escaped (RFC 6901), for warnings that name a place.
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
