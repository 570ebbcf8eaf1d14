//! Secrets never leave the process unmasked: tokens, passwords, SMS codes, phone, ID card and bank card
//! numbers are masked in every string the tool writes (terminal, reports, `last-run.json`, curl lines).
//!
//! Three ways, in this order, before anything is cut short:
//! - **by value**: every secret the run saw (the tokens it was issued, the accounts' phones and passwords,
//!   the SMS codes), wherever it appears; short numeric values (SMS codes, phones) only as whole numbers,
//!   so `123456` inside `prepay_id=wx01103000123456789` is evidence, not a secret;
//! - **by key**: a value under a key that names a secret ([`keys`]), even one the run never saw; phones,
//!   ID and bank cards only when the value has their shape, so an invalid value sent on purpose stays
//!   readable; `code` is an SMS code only beside a phone (`{phone, code}`), never a city's or coupon's code;
//! - **by shape**: JWTs, bearer credentials and mobile numbers in free text ([`shape`]).
//!
//! Reproduction keeps working: a curl line puts a variable where a value is really one of the run's
//! secrets (`${DAODAO_TOKEN}`), and [`session_env`] writes those variables for the user to `source`.

mod command;
mod keys;
pub mod shape;

use crate::http::HttpRequest;
use serde_json::Value;
use std::sync::RwLock;

pub use crate::controls::{escape_controls, escape_controls_one_line};
pub use command::{powershell_from_curl, session_env, session_ps1};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Token,
    Password,
    SmsCode,
    Phone,
    IdCard,
    BankCard,
}

impl SecretKind {
    /// The environment variable a reproducing command uses for the first secret of this kind; later
    /// ones get `_2`, `_3` … (a second account, a scenario's own user).
    pub fn env_var(self) -> &'static str {
        match self {
            SecretKind::Token => "DAODAO_TOKEN",
            SecretKind::Password => "DAODAO_PASSWORD",
            SecretKind::SmsCode => "DAODAO_SMS_CODE",
            SecretKind::Phone => "DAODAO_PHONE",
            SecretKind::IdCard => "DAODAO_ID_CARD",
            SecretKind::BankCard => "DAODAO_BANK_CARD",
        }
    }

    fn mask(self, value: &str) -> String {
        match self {
            SecretKind::Phone => shape::mask_phone(value),
            SecretKind::Token => "«token»".into(),
            SecretKind::Password => "«password»".into(),
            SecretKind::SmsCode => "«sms-code»".into(),
            SecretKind::IdCard => "«id-card»".into(),
            SecretKind::BankCard => "«bank-card»".into(),
        }
    }

    /// Whether a value under a key of this kind is one: always for credentials; for numbers that
    /// identify a person, only when the value has their shape.
    fn fits(self, value: &str) -> bool {
        match self {
            SecretKind::Token | SecretKind::Password | SecretKind::SmsCode => !value.is_empty(),
            SecretKind::Phone => shape::is_mobile(value),
            SecretKind::IdCard => shape::is_id_card(value),
            SecretKind::BankCard => shape::is_bank_card(value),
        }
    }

    /// Short numeric secrets are matched only as whole numbers (not inside a longer run of digits).
    fn whole_number_only(self) -> bool {
        matches!(
            self,
            SecretKind::SmsCode | SecretKind::Phone | SecretKind::IdCard | SecretKind::BankCard
        )
    }
}

/// A secret the run saw, with the variable a reproducing command names it by.
#[derive(Debug, Clone)]
pub struct Secret {
    pub value: String,
    pub kind: SecretKind,
    pub var: String,
    /// Whose it is (`primary`, `scenario auth-flow` …), for the comments of `session.env`.
    pub owner: Option<String>,
}

#[derive(Default)]
pub struct Redactor {
    secrets: RwLock<Vec<Secret>>,
}

/// How a JSON value is masked.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonPolicy {
    /// Mask by key too (not for the bodies of requests built to be wrong: their values are the
    /// contract's, public, and the run's own secrets in them are still masked by value).
    pub by_key: bool,
    /// The top-level `code` is the envelope's: keep it readable.
    pub envelope: bool,
}

/// Whether a field of this name holds a secret wherever it is (a password, a phone, an SMS `code`):
/// a value made from the one sent there is not shown.
pub fn names_a_secret(key: &str) -> bool {
    keys::kind_of(key, true).is_some()
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a secret value; very short values (a 1-char code) are not worth masking everywhere.
    pub fn add(&self, value: &str, kind: SecretKind) {
        self.add_owned(value, kind, None);
    }

    /// Remembers a secret and whose it is.
    pub fn add_owned(&self, value: &str, kind: SecretKind, owner: Option<&str>) {
        if value.chars().count() < 4 {
            return;
        }
        let mut s = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if s.iter().any(|x| x.value == value) {
            return;
        }
        let n = s.iter().filter(|x| x.kind == kind).count();
        let var = match n {
            0 => kind.env_var().to_string(),
            n => format!("{}_{}", kind.env_var(), n + 1),
        };
        s.push(Secret {
            value: value.to_string(),
            kind,
            var,
            owner: owner.map(str::to_string),
        });
        // Longest first, so a token containing a phone number is masked whole.
        s.sort_by_key(|x| std::cmp::Reverse(x.value.len()));
    }

    /// Every secret the run saw, in the order they were first seen.
    pub fn secrets(&self) -> Vec<Secret> {
        let s = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut all = s.clone();
        all.sort_by(|a, b| {
            (a.kind.env_var(), a.var.len(), &a.var).cmp(&(b.kind.env_var(), b.var.len(), &b.var))
        });
        all
    }

    /// Masks known secrets by value, then secrets by shape, in free text.
    pub fn text(&self, text: &str) -> String {
        let by_value = self.by_value(text, |s| s.kind.mask(&s.value));
        shape::mask_text(&mask_keyed_text(&by_value))
    }

    /// A one-line field (a message, a reason, an expected/actual value): masked, controls escaped.
    pub fn line(&self, text: &str) -> String {
        escape_controls_one_line(&self.text(text))
    }

    /// A multi-line block (an excerpt): masked, controls escaped, newlines kept.
    pub fn block(&self, text: &str) -> String {
        escape_controls(&self.text(text))
    }

    /// A reproduction command made before a secret was learnt: the secret becomes its variable.
    pub fn command(&self, text: &str) -> String {
        escape_controls_one_line(&self.by_value(text, |s| format!("${{{}}}", s.var)))
    }

    /// Replaces every known secret in `text` with `with(secret)`.
    fn by_value(&self, text: &str, with: impl Fn(&Secret) -> String) -> String {
        let s = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for secret in s.iter() {
            if !out.contains(secret.value.as_str()) {
                continue;
            }
            out = if secret.kind.whole_number_only() {
                replace_whole(&out, &secret.value, &with(secret))
            } else {
                out.replace(secret.value.as_str(), &with(secret))
            };
        }
        out
    }

    /// Masks a JSON value by key (when the policy says), by value and by shape in every string.
    pub fn json(&self, value: &Value, policy: JsonPolicy) -> Value {
        self.walk(value, policy, 0)
    }

    fn walk(&self, v: &Value, policy: JsonPolicy, depth: usize) -> Value {
        match v {
            Value::Object(o) => {
                let has_phone = o
                    .keys()
                    .any(|k| keys::kind_of(k, false) == Some(SecretKind::Phone));
                Value::Object(
                    o.iter()
                        .map(|(k, x)| {
                            let envelope_code = policy.envelope && depth == 0 && k == "code";
                            let kind = (policy.by_key && !envelope_code)
                                .then(|| keys::kind_of(k, has_phone))
                                .flatten();
                            (k.clone(), self.masked_field(kind, x, policy, depth))
                        })
                        .collect(),
                )
            }
            Value::Array(a) => {
                Value::Array(a.iter().map(|x| self.walk(x, policy, depth + 1)).collect())
            }
            Value::String(s) => Value::String(self.text(s)),
            Value::Number(n) => {
                let text = n.to_string();
                match self.known(&text) {
                    Some(kind) => Value::String(kind.mask(&text)),
                    None => v.clone(),
                }
            }
            other => other.clone(),
        }
    }

    /// A field's value: masked whole when its key names a secret and the value fits it.
    fn masked_field(
        &self,
        kind: Option<SecretKind>,
        x: &Value,
        policy: JsonPolicy,
        depth: usize,
    ) -> Value {
        let scalar = match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match (kind, scalar) {
            (Some(kind), Some(s)) if kind.fits(&s) => Value::String(kind.mask(&s)),
            _ => self.walk(x, policy, depth + 1),
        }
    }

    /// The kind of a known secret equal to `value`.
    fn known(&self, value: &str) -> Option<SecretKind> {
        let s = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        s.iter().find(|x| x.value == value).map(|x| x.kind)
    }

    /// Learns the secrets an answer carries, so they are masked wherever they appear later (a token
    /// in a message, a phone in a URL): values under token or password keys, and mobile numbers under
    /// phone keys. Stops after `limit` values, so a huge answer costs little.
    pub fn learn(&self, value: &Value, limit: usize) {
        let mut budget = limit;
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    for (k, x) in o {
                        let kind = keys::kind_of(k, false);
                        let text = match x {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        };
                        match (kind, text) {
                            (Some(kind), Some(t))
                                if kind != SecretKind::SmsCode && kind.fits(&t) =>
                            {
                                self.add(&t, kind);
                            }
                            _ => stack.push(x),
                        }
                    }
                }
                Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return;
            }
        }
    }

    /// A request excerpt: method, URL, body, masked; cut after masking.
    pub fn request_excerpt(&self, req: &HttpRequest, max: usize, by_key: bool) -> String {
        let mut s = format!("{} {}", req.method, self.text(&req.url));
        if req.headers.iter().any(|(k, _)| k == "Authorization") {
            s.push_str("\nAuthorization: Bearer «token»");
        }
        if let Some(raw) = &req.raw_body {
            s.push('\n');
            s.push_str(&self.text(raw));
        } else if let Some(b) = &req.body {
            s.push('\n');
            if req.multipart_files.is_some() {
                s.push_str("(multipart/form-data) ");
            }
            let policy = JsonPolicy {
                by_key,
                envelope: false,
            };
            s.push_str(&self.json(b, policy).to_string());
        }
        cut(&escape_controls(&s), max)
    }

    /// A response excerpt: status line and body, masked (the body by key too, whether or not it is
    /// JSON), controls escaped; cut after masking.
    pub fn response_excerpt(
        &self,
        status: u16,
        text: &str,
        json: Option<&Value>,
        max: usize,
    ) -> String {
        let policy = JsonPolicy {
            by_key: true,
            envelope: true,
        };
        let body = match json {
            Some(j) => self.json(j, policy).to_string(),
            None => self.text(text),
        };
        cut(&escape_controls(&format!("HTTP {status}\n{body}")), max)
    }

    /// A curl command line reproducing the request: the run's secrets as variables, every other value
    /// as it was sent.
    pub fn curl(&self, req: &HttpRequest) -> String {
        command::curl(req, &|text| {
            self.by_value(text, |s| format!("${{{}}}", s.var))
        })
    }
}

/// Replaces `what` in `text` where it is not part of a longer run of digits or letters.
fn replace_whole(text: &str, what: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(what) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + what.len()..].chars().next();
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..i]);
        if glued(before) || glued(after) {
            out.push_str(what);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + what.len()..];
    }
    out.push_str(rest);
    out
}

/// Secrets under secret-looking keys in text that is not JSON (a half-written body, a form, a log
/// line): `"pwd":"x"`, `pwd=x`, `pwd: x`.
fn mask_keyed_text(text: &str) -> String {
    use regex::Regex;
    use std::sync::LazyLock;
    static KEYED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(\\?"?([A-Za-z_]*(?:token|jwt|secret|password|passwd|pwd|smscode|verif[a-z_]*code)[A-Za-z_]*)\\?"?\s*[:=]\s*\\?"?)([^"\\&,\s}]+)"#)
            .expect("static regex")
    });
    KEYED.replace_all(text, "${1}«secret»").into_owned()
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}… (truncated)", s.chars().take(max).collect::<String>())
    }
}

/// A one-line value cut to `max` characters after it was masked (the cut must never expose the part of
/// a secret that no longer matches it whole).
pub fn cut_line(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests;
