//! Leakage: a response (error or success) that carries what must never leave the server: internal text
//! (SQL, stack frames, a framework's error page: the `[checks.leakage]` patterns), fields such as a
//! password hash (at any depth), or another test account's phone number unmasked.
//!
//! It runs on every exchange, before the gates that stop the pipeline at a 5xx, so a database error
//! in a 500's `message` is reported as what it is besides the server error. The work is bounded by our
//! inputs: at most [`SCANNED_BYTES`] of a body are searched and [`SCANNED_VALUES`] of its values walked.

use super::{Check, CheckInput, CheckKind, Finding};
use crate::contract::security::SecurityCheck;
use crate::short::{server_text, VALUE_CHARS};
use serde_json::Value;

/// How much of a body the patterns search.
pub const SCANNED_BYTES: usize = 1024 * 1024;
/// How many values of a JSON body are looked at for fields that must not be there.
const SCANNED_VALUES: usize = 20_000;

pub struct Leakage;

impl Check for Leakage {
    fn kind(&self) -> CheckKind {
        CheckKind::Leakage
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        let rules = &input.config.checks.leakage;
        let off = input.contract.security.off_because(SecurityCheck::Leakage);
        let Ok(resp) = &input.exchange.response else {
            return vec![];
        };
        if !rules.enabled || off.is_some() {
            return vec![];
        }
        let text = head(&resp.text, SCANNED_BYTES);
        let in_message = input
            .body()
            .and_then(|b| b.get(&input.config.envelope.message))
            .and_then(Value::as_str);
        let mut out = vec![];
        for p in &rules.patterns {
            let Some(m) = p.regex.find(text) else {
                continue;
            };
            // Where it is, and the line around it: in the message, or somewhere in the body.
            let in_msg = in_message.and_then(|msg| Some((msg, p.regex.find(msg)?)));
            let (place, shown) = match in_msg {
                Some((msg, m)) => (Some(&input.config.envelope.message), excerpt(msg, m)),
                None => (None, excerpt(text, m)),
            };
            let f = Finding::new(
                CheckKind::Leakage,
                format!("the response carries internal text ({})", p.name),
            )
            .expected("no internal text", server_text(shown, VALUE_CHARS));
            out.push(match place {
                Some(field) => f.at(format!("/{field}")),
                None => f,
            });
        }
        if let Some(json) = resp.json.as_ref() {
            out.extend(forbidden_fields(json, &rules.fields));
        }
        out.extend(foreign_phones(input, text));
        out
    }
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The match and the rest of its line: what the backend let out, from where it starts.
fn excerpt<'t>(text: &'t str, m: regex::Match<'t>) -> &'t str {
    let line_end = text[m.end()..]
        .find('\n')
        .map_or(text.len(), |i| m.end() + i);
    &text[m.start()..line_end]
}

/// Fields named like a secret of the server's (`password_hash`), with a value, wherever they are.
fn forbidden_fields(json: &Value, names: &[String]) -> Vec<Finding> {
    let mut out = vec![];
    let mut budget = SCANNED_VALUES;
    let mut stack = vec![(String::new(), json)];
    while let Some((at, v)) = stack.pop() {
        if budget == 0 {
            break;
        }
        budget -= 1;
        match v {
            Value::Object(fields) => {
                for (k, x) in fields {
                    let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    let filled = !matches!(x, Value::Null) && x.as_str() != Some("");
                    if filled && names.contains(&k.to_lowercase()) {
                        out.push(
                            Finding::new(
                                CheckKind::Leakage,
                                format!("a field that must never leave the server: `{k}`"),
                            )
                            .at(&here)
                            .expected("absent", "present (value not shown)"),
                        );
                    } else {
                        stack.push((here, x));
                    }
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    stack.push((format!("{at}/{i}"), x));
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The phone of another of the run's accounts, whole, in an answer to a request that did not send it.
fn foreign_phones(input: &CheckInput, text: &str) -> Vec<Finding> {
    let sent = request_text(input);
    let others = (input.people.accounts.iter())
        .filter(|p| Some(p.as_str()) != input.people.caller)
        .filter(|p| !sent.contains(p.as_str()));
    let mut out = vec![];
    for phone in others {
        if contains_whole_number(text, phone) {
            out.push(
                Finding::new(
                    CheckKind::Leakage,
                    "another account's phone number, unmasked",
                )
                .expected("a masked phone (138****5678) or none", phone.clone()),
            );
        }
    }
    out
}

/// What the request carried that the answer may echo: its URL and body.
fn request_text(input: &CheckInput) -> String {
    let r = &input.exchange.request;
    let body = r.body.as_ref().map(Value::to_string).unwrap_or_default();
    let raw = r.raw_body.as_deref().unwrap_or_default();
    format!("{} {body} {raw}", r.url)
}

/// `number` in `text`, not inside a longer run of digits.
fn contains_whole_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};
    use serde_json::json;

    fn checks(findings: &[Finding]) -> Vec<(&str, Option<&str>)> {
        findings
            .iter()
            .map(|f| (f.message.as_str(), f.path.as_deref()))
            .collect()
    }

    #[test]
    fn a_database_error_in_the_message_is_found_there() {
        let body = json!({"code": 500, "data": null,
            "message": "ER_BAD_FIELD_ERROR: Unknown column 'created_at' in 'field list'"});
        let findings = Case::new().answer(500, body).run(&Leakage);
        assert_eq!(
            checks(&findings),
            [(
                "the response carries internal text (SQL 错误)",
                Some("/message")
            )]
        );
        assert_eq!(
            place(&findings[0]).2,
            Some("ER_BAD_FIELD_ERROR: Unknown column 'created_at' in 'field list'")
        );
    }

    #[test]
    fn a_stack_in_a_framework_page_is_found_in_the_body() {
        let page = "<!DOCTYPE html><html><head><title>Error</title></head><body><pre>SyntaxError: \
                    Unexpected token } in JSON<br> &nbsp; &nbsp;at JSON.parse (&lt;anonymous&gt;)\n \
                    &nbsp; &nbsp;at parse (/app/node_modules/body-parser/lib/types/json.js:92:19)</pre>";
        let findings = Case::new()
            .answer_text(400, "text/html", page)
            .run(&Leakage);
        let names: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            names,
            [
                "the response carries internal text (堆栈)",
                "the response carries internal text (框架错误页)"
            ]
        );
        assert!(findings.iter().all(|f| f.path.is_none()));
    }

    #[test]
    fn secret_fields_are_found_at_any_depth_with_their_value_hidden() {
        let findings = Case::new()
            .answer_data(
                json!({"id": "i_1", "price": 5, "user": {"Password_Hash": "$2b$10$abc",
                "salt": null}, "list": [{"password": "x"}]}),
            )
            .run(&Leakage);
        assert_eq!(
            checks(&findings),
            [
                (
                    "a field that must never leave the server: `password`",
                    Some("/data/list/0/password")
                ),
                (
                    "a field that must never leave the server: `Password_Hash`",
                    Some("/data/user/Password_Hash")
                ),
            ]
        );
        assert!(findings
            .iter()
            .all(|f| f.actual.as_deref() == Some("present (value not shown)")));
    }

    #[test]
    fn another_accounts_phone_is_a_leak_but_the_callers_own_or_one_it_sent_is_not() {
        let accounts = vec!["19900000001".to_string(), "19900000002".to_string()];
        let answer = json!({"code": 0, "message": "ok",
            "data": {"id": "i_1", "price": 5, "owner": "19900000001", "me": "19900000002"}});
        let as_caller = |caller: Option<&'static str>| {
            let mut case = Case::new().answer(200, answer.clone());
            case.people_accounts = accounts.clone();
            case.people_caller = caller;
            case.run(&Leakage)
        };
        let anonymous = as_caller(None);
        assert_eq!(anonymous.len(), 2);
        let own = as_caller(Some("19900000002"));
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].message, "another account's phone number, unmasked");
        assert_eq!(own[0].actual.as_deref(), Some("19900000001"));
        // A longer number containing it is not it.
        assert!(contains_whole_number("a 19900000001 b", "19900000001"));
        assert!(!contains_whole_number("919900000001", "19900000001"));
    }

    #[test]
    fn switched_off_in_the_config_or_the_contract_it_finds_nothing() {
        let leaky = json!({"code": 500, "message": "SQLSTATE[42S22]", "data": null});
        let off = Case::new()
            .config(|c| c.checks.leakage.enabled = false)
            .answer(500, leaky.clone())
            .run(&Leakage);
        assert!(off.is_empty());
        let off_here = Case::new()
            .contract(|c| {
                c.security
                    .off
                    .insert(SecurityCheck::Leakage, "returns SQL on purpose".into());
            })
            .answer(500, leaky)
            .run(&Leakage);
        assert!(off_here.is_empty());
    }

    #[test]
    fn a_huge_body_is_searched_only_so_far() {
        let mut text = "x".repeat(SCANNED_BYTES);
        text.push_str("SQLSTATE");
        let findings = Case::new()
            .answer_text(500, "text/plain", &text)
            .run(&Leakage);
        assert!(findings.is_empty());
        assert_eq!(head("éé", 3), "é");
    }
}
