//! `[checks]`: the security checks derived from the contracts, each on by default and each switched off
//! by one key; `[checks.leakage]` the patterns of internal text and the fields that must never leave
//! the server. And the guard of a production environment, which refuses writes and these checks.

use super::{Config, ConfigError, FILE_NAME};
use regex::Regex;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `[checks]` as written.
#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecksSection {
    /// The secondary account on the primary's records, and the primary's own lists (越权).
    pub isolation: Option<bool>,
    /// Bodies that are not JSON, not an object, of the wrong content type or with wrong types and
    /// absurd values must get a 4xx envelope.
    pub malformed_input: Option<bool>,
    /// After logout, reused and forged refresh tokens, tokens for no user: 401.
    pub session_security: Option<bool>,
    /// Fields the server owns (owner, status, price) sent by the client must not win.
    pub client_controlled: Option<bool>,
    #[serde(default)]
    pub leakage: LeakageSection,
}

/// `[checks.leakage]` as written.
#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeakageSection {
    pub enabled: Option<bool>,
    /// Internal text no response may carry, each a regular expression with a name for the reports;
    /// replaces the built-in list when given.
    pub patterns: Option<Vec<PatternEntry>>,
    /// Response fields (at any depth, names compared without case) that must never leave the server;
    /// replaces the built-in list when given.
    pub fields: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternEntry {
    pub name: String,
    pub regex: String,
}

/// The built-in patterns: what backends in this ecosystem (Express with mysql2, Sequelize, TypeORM,
/// Prisma; other stacks' tell-tales too) let out when an error reaches the client unhandled.
pub const DEFAULT_PATTERNS: [(&str, &str); 3] = [
    (
        "SQL 错误",
        r"Unknown column|\bER_[A-Z][A-Z_]{2,}\b|SQLSTATE|Bind parameters|You have an error in your SQL syntax|syntax error at or near|\bSequelize[A-Za-z]*Error\b|\bQueryFailedError\b|\bPrismaClient[A-Za-z]*Error\b|\bORA-\d{5}\b|duplicate key value violates",
    ),
    (
        "堆栈",
        r"\bat (?:async )?(?:[\w$.<>\[\]]+ )?\(?(?:/|[A-Za-z]:\\|file://|node:)[^\s()]*:\d+:\d+\)?|\bat Object\.<anonymous>|Traceback \(most recent call last\)|node_modules[/\\]",
    ),
    (
        "框架错误页",
        r"<title>Error</title>|<pre>[A-Z][A-Za-z]*Error:|Whitelabel Error Page|Werkzeug Debugger",
    ),
];

/// The built-in fields that must never leave the server.
pub const DEFAULT_FIELDS: [&str; 5] = [
    "password",
    "passwordHash",
    "password_hash",
    "hashedPassword",
    "salt",
];

/// Which security checks run, resolved.
#[derive(Debug, Clone)]
pub struct Checks {
    pub isolation: bool,
    pub malformed_input: bool,
    pub session_security: bool,
    pub client_controlled: bool,
    pub leakage: LeakageRules,
}

/// A named pattern of internal text.
#[derive(Debug, Clone)]
pub struct LeakPattern {
    pub name: String,
    pub regex: Regex,
}

#[derive(Debug, Clone)]
pub struct LeakageRules {
    pub enabled: bool,
    pub patterns: Vec<LeakPattern>,
    /// Lower-cased.
    pub fields: Vec<String>,
}

impl Default for Checks {
    fn default() -> Self {
        // The built-in patterns are ours, and a test compiles them.
        ChecksSection::default()
            .resolve()
            .expect("the built-in patterns compile")
    }
}

/// A leakage pattern that does not compile: its name, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    pub name: String,
    pub reason: String,
}

impl ChecksSection {
    pub fn resolve(&self) -> Result<Checks, BadPattern> {
        let on = |v: Option<bool>| v.unwrap_or(true);
        let l = &self.leakage;
        let entries: Vec<(String, String)> = match &l.patterns {
            Some(given) => given
                .iter()
                .map(|p| (p.name.clone(), p.regex.clone()))
                .collect(),
            None => DEFAULT_PATTERNS
                .iter()
                .map(|(n, r)| (n.to_string(), r.to_string()))
                .collect(),
        };
        let mut patterns = vec![];
        for (name, regex) in entries {
            let compiled = Regex::new(&regex).map_err(|e| BadPattern {
                name: name.clone(),
                reason: e.to_string(),
            })?;
            patterns.push(LeakPattern {
                name,
                regex: compiled,
            });
        }
        let fields = match &l.fields {
            Some(given) => given.iter().map(|f| f.to_lowercase()).collect(),
            None => DEFAULT_FIELDS.iter().map(|f| f.to_lowercase()).collect(),
        };
        Ok(Checks {
            isolation: on(self.isolation),
            malformed_input: on(self.malformed_input),
            session_security: on(self.session_security),
            client_controlled: on(self.client_controlled),
            leakage: LeakageRules {
                enabled: on(l.enabled),
                patterns,
                fields,
            },
        })
    }
}

/// The resolved checks, a bad pattern named with the config file it is in.
pub(super) fn resolve(section: &ChecksSection, file: Option<&Path>) -> Result<Checks, ConfigError> {
    section
        .resolve()
        .map_err(|bad| ConfigError::LeakagePattern {
            path: file.map_or_else(|| PathBuf::from(FILE_NAME), Path::to_path_buf),
            name: bad.name,
            reason: bad.reason,
        })
}

impl Config {
    /// Why writes are not sent, when the environment is production and `--allow-writes` was not given.
    pub fn refuses_writes(&self) -> Option<String> {
        (self.production && !self.allow_writes).then(|| {
            format!(
                "生产环境 ({}: production = true): 不发送写请求; 确需写入时加 --allow-writes",
                self.env_name
            )
        })
    }

    /// Why the security checks do not run: they create data with the test accounts.
    pub fn refuses_security_checks(&self) -> Option<String> {
        self.production.then(|| {
            format!(
                "生产环境 ({}: production = true): 安全检查会用测试账号创建数据, 不运行",
                self.env_name
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_match(text: &str) -> Option<String> {
        let checks = Checks::default();
        (checks.leakage.patterns.iter())
            .find(|p| p.regex.is_match(text))
            .map(|p| p.name.clone())
    }

    #[test]
    fn the_built_in_patterns_name_what_backends_let_out() {
        let cases = [
            (
                "ER_BAD_FIELD_ERROR: Unknown column 'created_at' in 'field list'",
                "SQL 错误",
            ),
            ("SQLSTATE[42S22]: Column not found", "SQL 错误"),
            ("Bind parameters must not contain undefined", "SQL 错误"),
            (
                "SequelizeDatabaseError: relation does not exist",
                "SQL 错误",
            ),
            (
                "TypeError: x is undefined\n    at Object.<anonymous> (/app/src/orders.js:42:13)",
                "堆栈",
            ),
            (
                "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
                "堆栈",
            ),
            ("/app/node_modules/body-parser/lib/types/json.js", "堆栈"),
            (
                "<title>Error</title></head><body><pre>SyntaxError: Unexpected token",
                "框架错误页",
            ),
        ];
        for (text, name) in cases {
            assert_eq!(first_match(text).as_deref(), Some(name), "{text}");
        }
    }

    #[test]
    fn ordinary_answers_match_nothing() {
        for text in [
            "参数错误: body.phone 不合法 (期望 string, 实际 integer)",
            "ORDER_PAYMENT",
            "<pre>Cannot GET /api/v1/nowhere</pre>",
            "订单DD202512010001支付成功，等待门店确认",
            "meet at 10:30 at the store",
            "Internal Server Error",
        ] {
            assert_eq!(first_match(text), None, "{text}");
        }
    }

    #[test]
    fn a_pattern_that_is_not_a_regex_is_an_error_naming_it() {
        let section = ChecksSection {
            leakage: LeakageSection {
                patterns: Some(vec![PatternEntry {
                    name: "mine".into(),
                    regex: "(unclosed".into(),
                }]),
                ..Default::default()
            },
            ..Default::default()
        };
        let err = section.resolve().unwrap_err();
        assert_eq!(err.name, "mine");
        assert!(err.reason.contains("unclosed"), "{}", err.reason);
    }

    #[test]
    fn every_check_is_on_unless_switched_off() {
        let all = ChecksSection::default().resolve().unwrap();
        assert!(all.isolation && all.malformed_input && all.session_security);
        assert!(all.client_controlled && all.leakage.enabled);
        let off = ChecksSection {
            isolation: Some(false),
            leakage: LeakageSection {
                enabled: Some(false),
                fields: Some(vec!["Secret".into()]),
                ..Default::default()
            },
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert!(!off.isolation && off.malformed_input && !off.leakage.enabled);
        assert_eq!(off.leakage.fields, ["secret"]);
    }
}
