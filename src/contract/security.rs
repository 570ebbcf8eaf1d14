//! A contract's `"security"` key: what the security checks cannot infer from the rest of the contract,
//! and the checks switched off for it (each with the reason, as the reports show it).
//!
//! ```jsonc
//! "security": {
//!   "off": { "isolation": "帖子公开: 任何登录用户都可以点赞他人的帖子" },
//!   "owner": ["id"],                          // path parameters naming the primary's record
//!   "own_list": { "created_by": "orders.create", "id": "data.orderId", "item": "orderId" },
//!   "server_owned": {
//!     "fields": [ { "field": "status", "value": "PAID" },
//!                 { "field": "userId", "value": "{{secondary.user_id}}" } ],
//!     "read_back": { "endpoint": "orders.detail", "capture": { "orderId": "data.orderId" } },
//!     "refused": false
//!   }
//! }
//! ```

use crate::scenario::path::to_pointer;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The security checks a contract can switch off.
#[derive(
    Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SecurityCheck {
    Isolation,
    MalformedInput,
    Leakage,
    SessionSecurity,
    ClientControlled,
}

impl SecurityCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityCheck::Isolation => "isolation",
            SecurityCheck::MalformedInput => "malformed_input",
            SecurityCheck::Leakage => "leakage",
            SecurityCheck::SessionSecurity => "session_security",
            SecurityCheck::ClientControlled => "client_controlled",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityMarks {
    /// Checks that do not apply to this endpoint, each with why (an endpoint that is deliberately
    /// shared, a field it is meant to return).
    #[serde(default)]
    pub off: BTreeMap<SecurityCheck, String>,
    /// Path parameters naming a record the primary account owns, where the setup does not show it
    /// (the ids a non-GET setup step of the primary captures are found without a mark).
    #[serde(default)]
    pub owner: Vec<String>,
    /// This endpoint lists the primary's own records: how one is made, so that one is made for each
    /// account and the list is read as the primary.
    pub own_list: Option<OwnList>,
    /// This endpoint creates a record: fields the server must own, sent with the valid body.
    pub server_owned: Option<ServerOwned>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnList {
    /// The contract whose valid request (with its setup) makes one record.
    pub created_by: String,
    /// Where that contract's answer has the new record's id (`data.orderId`).
    pub id: String,
    /// The field of each list item holding the id (`orderId`); items are `data.list[*]` or `data[*]`.
    pub item: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerOwned {
    /// The fields to send with the valid body.
    pub fields: Vec<OwnedField>,
    /// How the created record is read back (without one, the creating answer itself is judged).
    pub read_back: Option<ReadBack>,
    /// The request must be refused outright (a withdrawal larger than the balance).
    #[serde(default)]
    pub refused: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnedField {
    /// A dotted path in the body (`status`, `amount.totalAmount`).
    pub field: String,
    /// The value the client tries (templated: `{{secondary.user_id}}`, `{{account.user_id}}`).
    pub value: Value,
    /// Where the value would show in an answer (default `data.` and the field).
    pub read: Option<String>,
}

impl OwnedField {
    /// Where the value would show in an answer, `data_field` being the envelope's data.
    pub fn read_at(&self, data_field: &str) -> String {
        self.read
            .clone()
            .unwrap_or_else(|| format!("{data_field}.{}", self.field))
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadBack {
    /// The contract that reads one record; its `run.request` is rendered with the captured values.
    pub endpoint: String,
    /// Values taken from the creating answer, by the names the read-back's `run.request` uses.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
}

impl SecurityMarks {
    /// Why a check is off for this contract, when it is.
    pub fn off_because(&self, check: SecurityCheck) -> Option<&str> {
        self.off.get(&check).map(String::as_str)
    }

    /// The contracts the marks name, with the place that names each.
    pub fn named_contracts(&self) -> Vec<(String, &str)> {
        let mut out = vec![];
        if let Some(l) = &self.own_list {
            out.push(("security.own_list.created_by".into(), l.created_by.as_str()));
        }
        if let Some(r) = self
            .server_owned
            .as_ref()
            .and_then(|s| s.read_back.as_ref())
        {
            out.push((
                "security.server_owned.read_back.endpoint".into(),
                r.endpoint.as_str(),
            ));
        }
        out
    }

    /// What is wrong with the marks on their own (place, message): owners that are not path
    /// parameters, reasons left empty, paths that are not paths.
    pub fn problems(&self, path_params: &[&str]) -> Vec<(String, String)> {
        let mut out = vec![];
        for (check, why) in &self.off {
            if why.trim().is_empty() {
                out.push((
                    format!("security.off.{}", check.as_str()),
                    "a check switched off must say why".into(),
                ));
            }
        }
        for (i, name) in self.owner.iter().enumerate() {
            if !path_params.contains(&name.as_str()) {
                out.push((
                    format!("security.owner[{i}]"),
                    format!("`{name}` is not a path parameter of this contract"),
                ));
            }
        }
        let mut path = |place: String, p: &str| {
            if let Err(e) = to_pointer(p) {
                out.push((place, format!("`{p}`: {e}")));
            }
        };
        if let Some(l) = &self.own_list {
            path("security.own_list.id".into(), &l.id);
        }
        if let Some(s) = &self.server_owned {
            for (i, f) in s.fields.iter().enumerate() {
                path(format!("security.server_owned.fields[{i}].field"), &f.field);
                if let Some(r) = &f.read {
                    path(format!("security.server_owned.fields[{i}].read"), r);
                }
            }
            for (var, p) in s.read_back.iter().flat_map(|r| &r.capture) {
                path(format!("security.server_owned.read_back.capture.{var}"), p);
            }
            if s.fields.is_empty() {
                out.push((
                    "security.server_owned.fields".into(),
                    "name at least one field the server owns".into(),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn marks(v: Value) -> SecurityMarks {
        serde_json::from_value(v).expect("marks")
    }

    #[test]
    fn marks_read_as_documented() {
        let m = marks(json!({
            "off": {"isolation": "公开"},
            "owner": ["id"],
            "own_list": {"created_by": "orders.create", "id": "data.orderId", "item": "orderId"},
            "server_owned": {
                "fields": [{"field": "status", "value": "PAID"},
                           {"field": "amount.total", "value": 0.01, "read": "data.total"}],
                "read_back": {"endpoint": "orders.detail", "capture": {"orderId": "data.orderId"}}
            }
        }));
        assert_eq!(m.off_because(SecurityCheck::Isolation), Some("公开"));
        assert_eq!(m.off_because(SecurityCheck::Leakage), None);
        let fields = &m.server_owned.as_ref().unwrap().fields;
        assert_eq!(fields[0].read_at("data"), "data.status");
        assert_eq!(fields[1].read_at("data"), "data.total");
        assert_eq!(
            m.named_contracts(),
            [
                ("security.own_list.created_by".to_string(), "orders.create"),
                (
                    "security.server_owned.read_back.endpoint".to_string(),
                    "orders.detail"
                )
            ]
        );
        assert!(m.problems(&["id"]).is_empty(), "{:?}", m.problems(&["id"]));
    }

    #[test]
    fn unknown_checks_and_keys_are_refused() {
        let err = serde_json::from_value::<SecurityMarks>(json!({"off": {"everything": "x"}}));
        assert!(err.is_err());
        let err = serde_json::from_value::<SecurityMarks>(json!({"owners": ["id"]}));
        assert!(err.is_err());
    }

    #[test]
    fn each_problem_names_its_place() {
        let m = marks(json!({
            "off": {"leakage": " "},
            "owner": ["orderId"],
            "own_list": {"created_by": "x", "id": "data.[", "item": "id"},
            "server_owned": {"fields": []}
        }));
        let places: Vec<String> = m.problems(&["id"]).into_iter().map(|p| p.0).collect();
        assert_eq!(
            places,
            [
                "security.off.leakage",
                "security.owner[0]",
                "security.own_list.id",
                "security.server_owned.fields"
            ]
        );
    }
}
