//! What the sandbox answers: an envelope, a bare JSON body or raw text, tagged with the step that
//! produced it. It stays structured until it is written out, so faults can reshape it first.

use crate::config::EnvelopeConfig;
use serde_json::{json, Map, Value};

/// A request as it arrived.
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub authorization: Option<&'a str>,
    /// The body's declared type (a form upload arrives read as JSON, and says so).
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// `application/json`, or a `+json` type, with any parameters.
pub(crate) fn is_json_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

pub(crate) const JSON: &str = "application/json; charset=utf-8";

/// The step of the pipeline that produced a reply; faults that break replies pick theirs by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The request was served.
    Success,
    /// A CORS preflight.
    Preflight,
    /// No route: the framework's own 404.
    Unrouted,
    /// The body could not be read or is not JSON.
    Unreadable,
    /// No valid token where the contract needs one.
    Unauthenticated,
    /// The input breaks the contract's request schema.
    InvalidInput,
    /// A behaviour refused the request (a rule, a missing record …).
    Refused,
    /// The server failed.
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// The unified envelope; its field names come from the configuration when it is written.
    Envelope {
        code: Value,
        message: String,
        data: Value,
    },
    /// JSON without the envelope.
    Json(Value),
    Text {
        content_type: &'static str,
        text: String,
    },
}

impl Body {
    pub fn content_type(&self) -> &'static str {
        match self {
            Body::Envelope { .. } | Body::Json(_) => JSON,
            Body::Text { content_type, .. } => content_type,
        }
    }

    pub fn text(&self, names: &EnvelopeConfig) -> String {
        match self {
            Body::Envelope {
                code,
                message,
                data,
            } => envelope(code, message, data.clone(), names).to_string(),
            Body::Json(v) => v.to_string(),
            Body::Text { text, .. } => text.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Body,
    pub delay_ms: u64,
    /// The envelope code, for the log line.
    pub code: Option<i64>,
    pub outcome: Outcome,
}

/// An answer other than success: the step that refused, the envelope code and the message. The
/// HTTP status is the code when that is an HTTP error status, else 400.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub outcome: Outcome,
    pub code: i64,
    pub message: String,
}

/// A behaviour's refusal.
pub(crate) fn refuse(code: i64, message: impl Into<String>) -> Refusal {
    Refusal::at(Outcome::Refused, code, message)
}

impl Refusal {
    pub fn at(outcome: Outcome, code: i64, message: impl Into<String>) -> Refusal {
        Refusal {
            outcome,
            code,
            message: message.into(),
        }
    }
}

impl Reply {
    pub fn success(code: i64, message: String, data: Value) -> Reply {
        Reply {
            status: 200,
            body: Body::Envelope {
                code: json!(code),
                message,
                data,
            },
            delay_ms: 0,
            code: Some(code),
            outcome: Outcome::Success,
        }
    }

    /// An envelope with `null` data.
    pub fn failure(outcome: Outcome, status: u16, code: i64, message: &str) -> Reply {
        Reply {
            status,
            body: Body::Envelope {
                code: json!(code),
                message: message.to_string(),
                data: Value::Null,
            },
            delay_ms: 0,
            code: Some(code),
            outcome,
        }
    }

    pub fn refused(r: Refusal) -> Reply {
        Reply::failure(r.outcome, http_status(r.code), r.code, &r.message)
    }

    pub fn internal_error() -> Reply {
        Reply::failure(Outcome::Failed, 500, 500, "Internal Server Error")
    }

    pub fn text(status: u16, content_type: &'static str, text: String, outcome: Outcome) -> Reply {
        Reply {
            status,
            body: Body::Text { content_type, text },
            delay_ms: 0,
            code: None,
            outcome,
        }
    }

    pub fn is_success(&self) -> bool {
        self.outcome == Outcome::Success
    }
}

/// The HTTP status of a refusal: its envelope code when that is an HTTP error status, else 400.
fn http_status(code: i64) -> u16 {
    match code {
        400 | 401 | 403 | 404 | 409 | 429 | 500 | 503 => code as u16,
        _ => 400,
    }
}

pub(crate) fn envelope(code: &Value, message: &str, data: Value, names: &EnvelopeConfig) -> Value {
    let mut m = Map::new();
    m.insert(names.code.clone(), code.clone());
    m.insert(names.message.clone(), Value::String(message.to_string()));
    m.insert(names.data.clone(), data);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_written_with_the_configured_names_in_order() {
        let names = EnvelopeConfig {
            code: "errno".into(),
            message: "msg".into(),
            data: "result".into(),
            ..EnvelopeConfig::default()
        };
        let reply = Reply::success(0, "ok".into(), json!({"a": 1}));
        assert_eq!(
            reply.body.text(&names),
            r#"{"errno":0,"msg":"ok","result":{"a":1}}"#
        );
        assert_eq!(reply.body.content_type(), JSON);
    }

    #[test]
    fn refusals_answer_their_code_as_status_only_for_http_errors() {
        assert_eq!(Reply::refused(refuse(404, "x")).status, 404);
        assert_eq!(Reply::refused(refuse(40001, "x")).status, 400);
        assert_eq!(Reply::refused(refuse(40001, "x")).code, Some(40001));
    }
}
