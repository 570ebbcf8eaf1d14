//! HAR 1.2 (the HTTP Archive format browsers, Charles and Fiddler export): the proxy records its
//! exchanges as one ([`HarWriter`], streamed entry by entry, so a long session costs no memory), and
//! `check-har` reads one back as exchanges ([`read`]) to judge them offline.
//!
//! A recording is masked unless asked otherwise: every string through the run's redaction, whole
//! credentials in headers. Its log says so (`"_daodao": {"masked": true}`), and values masked there
//! (`139****5678`, `«token»`) are not judged when it is read back: what the recording hid cannot be
//! told right or wrong.

mod read;
mod write;

pub use read::{read, HarError};
pub use write::HarWriter;

use regex::Regex;
use std::sync::LazyLock;

/// The custom field of the log that says what the tool did to it.
const MARK: &str = "_daodao";

/// A value as the redaction writes it: `«token»`, `«password»` …, or a phone as `139****5678`.
pub fn is_masked(value: &str) -> bool {
    static PHONE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[0-9]{3}\*{4}[0-9]{4}").expect("static regex"));
    value.contains('«') || PHONE.is_match(value)
}

/// `HTTP/1.1 200` → `OK`: the reason phrase HAR files carry.
fn status_text(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

#[cfg(test)]
mod tests;
