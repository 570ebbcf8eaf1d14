//! Commands that reproduce a request (curl for a POSIX shell, `curl.exe` for PowerShell), and the files
//! that define their variables: `reports/session.env` (`source` it) and `reports/session.ps1` (dot-source
//! it). Values are sent exactly as they were, except the run's secrets, which are variables, and a run
//! of one letter long enough to flood a screen (a derived case's 10 000-character text), which the
//! shell writes back: `$(printf '长%.0s' $(seq 10000))`, in PowerShell `$('长' * 10000)`.

use super::Secret;
use crate::http::HttpRequest;
use serde_json::Value;

/// Puts the run's secrets in already-escaped text as the shell's variables.
type ToVars<'a> = &'a dyn Fn(&str) -> String;

pub(super) fn curl(req: &HttpRequest, to_vars: ToVars) -> String {
    let to_vars = |text: &str| compress_runs(&to_vars(text));
    let mut parts = vec![format!("curl -sS -X {}", req.method)];
    parts.push(format!("\"{}\"", to_vars(&shell_escape_dq(&req.url))));
    for (k, v) in &req.headers {
        if k == "Authorization" || k == "Content-Type" {
            parts.push(format!(
                "-H \"{}\"",
                to_vars(&shell_escape_dq(&format!("{k}: {v}")))
            ));
        }
    }
    match (&req.body, &req.multipart_files) {
        _ if req.raw_body.is_some() => {
            let raw = req.raw_body.as_deref().unwrap_or_default();
            parts.push(format!("--data-raw \"{}\"", to_vars(&shell_escape_dq(raw))));
        }
        (Some(b), Some(files)) => {
            for (k, v) in b.as_object().into_iter().flatten() {
                let field = form_field(k, v, files);
                parts.push(format!("-F \"{}\"", to_vars(&shell_escape_dq(&field))));
            }
        }
        (Some(b), None) => {
            parts.push(format!(
                "--data-raw \"{}\"",
                to_vars(&shell_escape_dq(&b.to_string()))
            ));
        }
        _ => {}
    }
    parts.join(" ")
}

/// `key=value`, a file field as `key=@fixtures/path`.
fn form_field(k: &str, v: &Value, files: &[String]) -> String {
    let value = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if files.iter().any(|f| f == k) {
        format!("{k}=@fixtures/{value}")
    } else {
        format!("{k}={value}")
    }
}

/// A run of one letter at least this long is written as a command that repeats it.
pub(super) const LONG_RUN: usize = 64;

/// Runs of one letter or digit, [`LONG_RUN`] or longer, as a command substitution that writes
/// them back; other characters stay as they are (in escaped text, only letters and digits are
/// free of shell meaning).
fn compress_runs(escaped: &str) -> String {
    let chars: Vec<char> = escaped.chars().collect();
    let mut out = String::with_capacity(escaped.len().min(4_096));
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        if run >= LONG_RUN && c.is_alphanumeric() {
            out.push_str(&format!("$(printf '{c}%.0s' $(seq {run}))"));
        } else {
            out.extend(&chars[i..i + run]);
        }
        i += run;
    }
    out
}

/// `$(printf 'c%.0s' $(seq N))` as [`compress_runs`] writes it.
static REPEAT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\$\(printf '(.)%\.0s' \$\(seq (\d+)\)\)").expect("a valid pattern")
});

/// Escapes text for a double-quoted POSIX shell string (so `${VAR}` placeholders added after expand).
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

/// A curl line as made by [`curl`], for PowerShell 7.3+ (`curl.exe`, `$env:VAR`, backtick escapes),
/// for the HTML report's second copy button. Words outside quotes pass through; inside double quotes the
/// POSIX escapes are undone and PowerShell's applied, and `${VAR}` becomes `$env:VAR`.
pub fn powershell_from_curl(line: &str) -> String {
    // A repeated letter is a PowerShell subexpression inside the double quotes too.
    let line = REPEAT.replace_all(line, "$$('$1' * $2)");
    let line: &str = &line;
    let (mut out, rest) = match line.strip_prefix("curl ") {
        Some(rest) => (String::from("curl.exe "), rest),
        None => (String::new(), line),
    };
    let mut chars = rest.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (_, '"') => {
                quoted = !quoted;
                out.push('"');
            }
            (true, '\\') => match chars.next() {
                Some(e) if matches!(e, '"' | '`' | '$') => {
                    out.push('`');
                    out.push(e);
                }
                Some(e) => out.push(e),
                None => {}
            },
            (true, '$') if chars.peek() == Some(&'{') => {
                chars.next();
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push_str(&format!("$env:{name}"));
            }
            (true, '`') => out.push_str("``"),
            (_, c) => out.push(c),
        }
    }
    out
}

/// `reports/session.env`: `export DAODAO_TOKEN='…'` for every secret of the run, to `source` before
/// pasting a reproduction line. Single quotes keep every value literal.
pub fn session_env(secrets: &[Secret]) -> String {
    let mut out = String::from(
        "# daodao-check: the run's test accounts, for the reproduction lines of the reports.\n\
         # `source reports/session.env` first. Tokens expire (access tokens after 15 minutes).\n",
    );
    for s in secrets {
        if let Some(o) = &s.owner {
            out.push_str(&format!("# {o}\n"));
        }
        out.push_str(&format!(
            "export {}='{}'\n",
            s.var,
            s.value.replace('\'', "'\\''")
        ));
    }
    out
}

/// `reports/session.ps1`: the same for PowerShell (`. reports/session.ps1`).
pub fn session_ps1(secrets: &[Secret]) -> String {
    let mut out = String::from(
        "# daodao-check: the run's test accounts, for the reproduction lines of the reports.\n\
         # `. reports/session.ps1` first. Tokens expire (access tokens after 15 minutes).\n",
    );
    for s in secrets {
        if let Some(o) = &s.owner {
            out.push_str(&format!("# {o}\n"));
        }
        out.push_str(&format!(
            "$env:{} = '{}'\n",
            s.var,
            s.value.replace('\'', "''")
        ));
    }
    out
}
