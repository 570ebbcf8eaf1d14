//! Secrets never reach a report or a log: tokens, passwords, SMS codes and phone numbers are masked
//! by value (every secret the run has seen) and by key (fields whose name says they are secret).

use crate::exec::http::HttpRequest;
use serde_json::Value;
use std::sync::RwLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Token,
    Password,
    SmsCode,
    Phone,
}

impl SecretKind {
    /// The environment variable a reproducing curl command uses instead of the value.
    pub fn env_var(self) -> &'static str {
        match self {
            SecretKind::Token => "DAODAO_TOKEN",
            SecretKind::Password => "DAODAO_PASSWORD",
            SecretKind::SmsCode => "DAODAO_SMS_CODE",
            SecretKind::Phone => "DAODAO_PHONE",
        }
    }

    fn mask(self, value: &str) -> String {
        match self {
            SecretKind::Phone if value.chars().count() >= 7 => {
                let chars: Vec<char> = value.chars().collect();
                let head: String = chars[..3].iter().collect();
                let tail: String = chars[chars.len() - 4..].iter().collect();
                format!("{head}****{tail}")
            }
            SecretKind::Token => "«token»".into(),
            SecretKind::Password => "«password»".into(),
            SecretKind::SmsCode => "«sms-code»".into(),
            SecretKind::Phone => "«phone»".into(),
        }
    }

    /// What a field's name says about its value.
    fn of_key(key: &str) -> Option<SecretKind> {
        let k = key.to_ascii_lowercase();
        if k.contains("token") || k == "authorization" || k == "paysign" {
            Some(SecretKind::Token)
        } else if k.contains("password") {
            Some(SecretKind::Password)
        } else if k == "code" || k == "smscode" || k == "verifycode" {
            Some(SecretKind::SmsCode)
        } else if k == "phone" || k == "mobile" || k == "contactphone" || k == "idcard" {
            Some(SecretKind::Phone)
        } else {
            None
        }
    }
}

#[derive(Default)]
pub struct Redactor {
    secrets: RwLock<Vec<(String, SecretKind)>>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a secret value; short values (a 1-char code) are not worth masking everywhere.
    pub fn add(&self, value: &str, kind: SecretKind) {
        if value.len() < 4 {
            return;
        }
        let mut s = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if !s.iter().any(|(v, _)| v == value) {
            s.push((value.to_string(), kind));
            // Longest first, so a token containing a phone number is masked whole.
            s.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        }
    }

    /// Masks every known secret in free text.
    pub fn text(&self, text: &str) -> String {
        let s = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for (v, k) in s.iter() {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), &k.mask(v));
            }
        }
        out
    }

    /// Masks a JSON value: by key at every depth (except the envelope's own `code`), then by value.
    /// `top_level_code_is_envelope` keeps a response's `code` readable.
    pub fn json(&self, value: &Value, top_level_code_is_envelope: bool) -> Value {
        fn walk(v: &Value, depth: usize, keep_code: bool, r: &Redactor) -> Value {
            match v {
                Value::Object(o) => Value::Object(
                    o.iter()
                        .map(|(k, x)| {
                            let keep = keep_code && depth == 0 && k == "code";
                            let masked = match (SecretKind::of_key(k), x) {
                                (Some(kind), Value::String(s)) if !keep && !s.is_empty() => {
                                    Value::String(kind.mask(s))
                                }
                                (Some(kind), Value::Number(n))
                                    if !keep && kind == SecretKind::SmsCode =>
                                {
                                    Value::String(kind.mask(&n.to_string()))
                                }
                                _ => walk(x, depth + 1, keep_code, r),
                            };
                            (k.clone(), masked)
                        })
                        .collect(),
                ),
                Value::Array(a) => {
                    Value::Array(a.iter().map(|x| walk(x, depth + 1, keep_code, r)).collect())
                }
                Value::String(s) => Value::String(r.text(s)),
                other => other.clone(),
            }
        }
        walk(value, 0, top_level_code_is_envelope, self)
    }

    /// A request excerpt: method, URL, body, redacted.
    pub fn request_excerpt(&self, req: &HttpRequest, max: usize) -> String {
        let mut s = format!("{} {}", req.method, self.text(&req.url));
        if req.headers.iter().any(|(k, _)| k == "Authorization") {
            s.push_str("\nAuthorization: Bearer «token»");
        }
        if let Some(b) = &req.body {
            s.push('\n');
            if req.multipart_files.is_some() {
                s.push_str("(multipart/form-data) ");
            }
            s.push_str(&self.json(b, false).to_string());
        }
        cut(&s, max)
    }

    /// A response excerpt: status line and body, redacted.
    pub fn response_excerpt(
        &self,
        status: u16,
        text: &str,
        json: Option<&Value>,
        max: usize,
    ) -> String {
        let body = match json {
            Some(j) => self.json(j, true).to_string(),
            None => self.text(text),
        };
        cut(&format!("HTTP {status}\n{body}"), max)
    }

    /// A curl command line reproducing the request, with secrets as environment variables.
    pub fn curl(&self, req: &HttpRequest) -> String {
        let secrets = self
            .secrets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let to_vars = |escaped: String| {
            let mut out = escaped;
            for (v, k) in &secrets {
                out = out.replace(v.as_str(), &format!("${{{}}}", k.env_var()));
            }
            out
        };
        let mut parts = vec![format!("curl -sS -X {}", req.method)];
        parts.push(format!("\"{}\"", to_vars(shell_escape_dq(&req.url))));
        for (k, v) in &req.headers {
            if k == "Authorization" {
                parts.push("-H \"Authorization: Bearer ${DAODAO_TOKEN}\"".to_string());
            } else if k == "Content-Type" {
                parts.push(format!("-H \"{k}: {v}\""));
            }
        }
        match (&req.body, &req.multipart_files) {
            (Some(b), Some(files)) => {
                for (k, v) in b.as_object().into_iter().flatten() {
                    let value = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let value = if files.contains(k) {
                        format!("@fixtures/{value}")
                    } else {
                        value
                    };
                    parts.push(format!(
                        "-F \"{}\"",
                        to_vars(shell_escape_dq(&format!("{k}={value}")))
                    ));
                }
            }
            (Some(b), None) => {
                // Fields whose name says they are secret become variables too, whatever their value.
                let text = to_vars(shell_escape_dq(&secret_fields_to_markers(b).to_string()));
                parts.push(format!("--data-raw \"{}\"", markers_to_vars(&text)));
            }
            _ => {}
        }
        parts.join(" ")
    }
}

const MARKER: &str = "\u{1}DAODAO_VAR:";

fn secret_fields_to_markers(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| match (SecretKind::of_key(k), x) {
                    (Some(kind), Value::String(_) | Value::Number(_)) => (
                        k.clone(),
                        Value::String(format!("{MARKER}{}\u{1}", kind.env_var())),
                    ),
                    _ => (k.clone(), secret_fields_to_markers(x)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(secret_fields_to_markers).collect()),
        other => other.clone(),
    }
}

// serde_json writes U+0001 as \u0001 (and the shell escaping doubles the backslash): each marker becomes ${VAR}.
static MARKER_RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\\\\u0001DAODAO_VAR:([A-Z_]+)\\\\u0001").expect("static regex")
});

fn markers_to_vars(text: &str) -> String {
    MARKER_RE.replace_all(text, "$${$1}").into_owned()
}

/// Escapes text for a double-quoted shell string (so `${VAR}` placeholders added later expand).
fn shell_escape_dq(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}… (truncated)", s.chars().take(max).collect::<String>())
    }
}
