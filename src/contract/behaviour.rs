//! The sandbox behaviours a contract opts into with its `"sandbox"` key. A handful of generic actions
//! over in-memory collections and counters cover the catalogue; no endpoint has code of its own.
//!
//! ```jsonc
//! "sandbox": {
//!   "action": "create",                 // static (default) | create | get | list | update | delete | auth-*
//!   "collection": "orders",             // records this endpoint works on
//!   "key": "orderId",                   // the record field holding its key (default "id")
//!   "param": "orderId",                 // where get/update/delete find the key: a path parameter,
//!                                       // "body.x", "query.x" or "user.id" (the caller's own record)
//!   "or_null": true,                    // get: null data instead of 404 when there is none
//!   "key_from": "{{path.id}}",          // create: the new record's key (default: generated from the example)
//!   "global": false,                    // records shared by every user (default: each user sees their own + seeds)
//!   "unique": true,                     // create: the same key twice for one user → 400
//!   "once_per_day": true,               // a second call the same day by the same user → 400
//!   "set": { "status": "CANCELLED" },   // fields set on the record and in the response (templated)
//!   "require": [ { "value": "{{record.status}}", "in": ["PENDING_PAYMENT"], "message": "订单状态不允许取消" } ],
//!   "effects": [ { "counter": "wallet.balance", "add": "{{body.amount}}" } ],
//!   "counters": { "/balance": "wallet.balance" },  // data pointer ← counter value
//!   "lookup": { "collection": "projects", "param": "body.projectId",      // another record it refers to
//!               "set": { "soldShares": "{{ lookup.soldShares + body.shares }}" } },  // ("$users": users)
//!   "lookups": [ { "collection": "stores", "param": "body.pickupStoreId", "as": "pickupStore" } ],  // more
//!   "owner": "{{body.userId}}",         // create: whose record it is (default: the caller)
//!   "where": { "postId": "{{path.id}}", "replyToId": null },   // list: fixed filters
//!   "search": { "query": "keyword", "fields": ["title", "summary"] },  // list: substring search
//!   "also": [ { "collection": "points.records", "set": { "type": "SPEND" } } ],  // further records written
//!   "ranges": { "price": "price" },     // list: ?price=0-300 keeps records whose price is in range
//!   "each": { "count": { "/replyCount": { "collection": "comments", "where": { "replyToId": "{{item.id}}" } } },
//!             "embed": { "/replies": { "collection": "comments", "where": { "replyToId": "{{item.id}}" } } } },
//!   "count": { "/commentCount": { "collection": "comments", "where": { "postId": "{{path.id}}" } } },
//!   "roles": ["staff"],                 // only these roles may call (customer | staff); others → 403
//!   "transition": { "to": "{{body.status}}", "allowed": { "PAID": ["CONFIRMED"] }, "message": "…" },
//!                                       // update: the record's `field` (default "status") may only move
//!                                       // from a state to one listed for it; else 400
//!   "append": { "statusLogs": { "status": "{{body.status}}" } },   // update: pushed onto the array field
//!   "unique_by": "orderId",             // create: 400 when the caller has a record with the same value
//!   "variants": [ { "when": { "value": "{{body.paymentMethod}}", "equals": "wallet" },
//!                   "set": { "status": "SUCCESS" }, "effects": [ … ] } ]
//!                                       // the first variant whose `when` holds adds to the behaviour:
//!                                       // its lists add to the base's, its objects merge over them
//! }
//! ```
//! A rule may say `"waived_by": "rating-before-complete"`: the sandbox fault that turns it off. An effect
//! may say whose counter it moves (`"user": "{{record.userId}}"`, default the caller), a further record
//! whose it is (`"owner"`); one whose user is not known (a seed record has none) does not apply.
//! Templates see `body.*`, `query.*`, `path.*`, `user.id`, `user.phone`, `record.*` (the record found),
//! `lookup.*` (the looked-up record), `counter.NAME` (0 until set), and the built-ins (`$now`, `$uuid` …).
//! A rule whose variables the request does not carry does not apply (required fields are the schema's job).

use crate::config::Role;
use serde::Deserialize;
use serde_json::{Map, Value};

mod variants;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    #[default]
    Static,
    Create,
    Get,
    List,
    Update,
    Delete,
    AuthSendCode,
    AuthRegister,
    AuthLogin,
    AuthLoginWithCode,
    AuthWechatLogin,
    AuthRefresh,
    AuthLogout,
    AuthCheckLogin,
    AuthProfile,
    AuthBindPhone,
}

fn yes() -> bool {
    true
}

fn default_key() -> String {
    "id".into()
}

#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    #[serde(default)]
    pub action: Action,
    pub collection: Option<String>,
    #[serde(default = "default_key")]
    pub key: String,
    pub param: Option<String>,
    pub key_from: Option<String>,
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub once_per_day: bool,
    #[serde(default)]
    pub set: Map<String, Value>,
    #[serde(default)]
    pub require: Vec<Rule>,
    #[serde(default)]
    pub effects: Vec<Effect>,
    #[serde(default)]
    pub counters: Map<String, Value>,
    /// get: answer `null` data instead of 404 when there is no such record (e.g. "my membership").
    #[serde(default)]
    pub or_null: bool,
    /// Further records written when the action succeeds (a points record for an exchange …).
    #[serde(default)]
    pub also: Vec<Also>,
    /// Seed the collection from this endpoint's example (default true; false for per-user lists whose
    /// example items should not appear for every user).
    #[serde(default = "yes")]
    pub seed: bool,
    /// Another collection's record this request refers to (404 when it does not exist).
    pub lookup: Option<Lookup>,
    /// More records it refers to, each under its own name (`"as": "store"` → `store.*`).
    #[serde(default)]
    pub lookups: Vec<Lookup>,
    /// create: the owner of the new record (templated, e.g. `{{body.userId}}` to deliver to someone
    /// else); default the caller (or nobody for `global`).
    pub owner: Option<String>,
    /// list: fixed filters, field → templated value (`null`: the field is absent or null).
    #[serde(default)]
    pub r#where: Map<String, Value>,
    /// list: a keyword search: the query parameter and the fields whose text it must appear in.
    pub search: Option<Search>,
    /// Response fields counted from records: data pointer → which records.
    #[serde(default)]
    pub count: Map<String, Value>,
    /// list: numeric range filters, query parameter → record field; the query value is `a-b`, `a-` or `-b`.
    #[serde(default)]
    pub ranges: Map<String, Value>,
    /// list: per item, counts and embedded records, with the item's fields as `item.*`.
    pub each: Option<Each>,
    /// Only callers with one of these roles may call (empty: anyone the contract's `auth` lets in);
    /// others are refused with 403.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// update: the state machine of one field of the record.
    pub transition: Option<Transition>,
    /// update: values pushed onto array fields of the record (templated), e.g. a status log.
    #[serde(default)]
    pub append: Map<String, Value>,
    /// create: the field whose value the caller may have in one record only (an order rated once).
    pub unique_by: Option<String>,
    /// Behaviours that depend on the request: the first whose `when` holds adds to this one.
    #[serde(default)]
    pub variants: Vec<Value>,
    /// `variants`, each resolved into the whole behaviour it makes, with its condition.
    #[serde(skip)]
    pub resolved_variants: Vec<(Rule, Behaviour)>,
}

/// `{"field": "status", "to": "{{body.status}}", "allowed": {"PAID": ["CONFIRMED", "CANCELLED"]}}`:
/// a state may move only to the states listed for it; one not listed is final.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    #[serde(default = "status_field")]
    pub field: String,
    /// The new state (templated).
    pub to: String,
    /// From each state, the states it may move to.
    pub allowed: std::collections::BTreeMap<String, Vec<String>>,
    /// The refusal's message; `{from}` and `{to}` name the states.
    pub message: String,
}

fn status_field() -> String {
    "status".into()
}

/// `"each": {"count": {"/replyCount": {...}}, "embed": {"/replies": {...}}}` (pointers inside an item).
#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Each {
    #[serde(default)]
    pub count: Map<String, Value>,
    #[serde(default)]
    pub embed: Map<String, Value>,
}

/// `{"collection": "points.records", "set": {"type": "SPEND", "points": "{{ 0 - body.points }}"}}`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Also {
    pub collection: String,
    #[serde(default = "default_key")]
    pub key: String,
    /// Whose record it is (templated, e.g. `{{record.userId}}`); default the caller's.
    pub owner: Option<String>,
    #[serde(default)]
    pub set: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Search {
    pub query: String,
    pub fields: Vec<String>,
}

/// `{"collection": "comments", "where": {"postId": "{{path.id}}"}}` in `count`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountSpec {
    pub collection: String,
    #[serde(default)]
    pub r#where: Map<String, Value>,
}

/// `collection` `"$users"` looks up the sandbox's users by id (`lookup.id`, `lookup.phone`, `lookup.nickname`).
/// `"lookup": {"collection": "projects", "param": "body.projectId", "set": {"sold": "{{ lookup.sold + body.shares }}"}}`:
/// the record is found before the action (its fields are `lookup.*` in templates and rules) and, when the
/// action succeeds, `set` is applied to it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    pub collection: String,
    /// The name its fields take in templates (default `lookup`).
    pub r#as: Option<String>,
    /// `body.x`, `query.x` or a path parameter name.
    pub param: String,
    #[serde(default)]
    pub set: Map<String, Value>,
    /// Values pushed onto array fields of the record when the action succeeds.
    #[serde(default)]
    pub append: Map<String, Value>,
    #[serde(default = "not_found_message")]
    pub message: String,
    #[serde(default = "not_found")]
    pub code: i64,
}

fn not_found_message() -> String {
    "资源不存在".into()
}

fn not_found() -> i64 {
    404
}

/// A contract's `sandbox` key that does not describe a behaviour: where in it, and why.
#[derive(Debug, thiserror::Error)]
#[error("sandbox.{path}: {source}")]
pub struct BehaviourError {
    pub path: String,
    pub source: serde_json::Error,
}

/// A precondition; when it does not hold the sandbox answers `code` (400) with `message`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A template, e.g. `{{body.amount}}`.
    pub value: Value,
    pub equals: Option<Value>,
    pub not_equals: Option<Value>,
    #[serde(rename = "in")]
    pub one_of: Option<Vec<Value>>,
    pub gte: Option<Value>,
    pub lte: Option<Value>,
    pub gt: Option<Value>,
    pub lt: Option<Value>,
    /// The refusal's message (required in `require`; a variant's `when` needs none).
    #[serde(default)]
    pub message: String,
    #[serde(default = "bad_request")]
    pub code: i64,
    /// The sandbox fault that turns this rule off (a backend that forgot it).
    pub waived_by: Option<String>,
}

fn bad_request() -> i64 {
    400
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Counter name (templated, e.g. `global:likes:{{path.id}}`); `global:` names are shared by all
    /// users, others are per user.
    pub counter: String,
    /// Amount to add (number or template; negative subtracts).
    pub add: Value,
    /// Whose counter (templated, e.g. `{{record.userId}}`); default the caller's.
    pub user: Option<String>,
}

impl Behaviour {
    /// `lookup` and then `lookups`, in order.
    pub fn lookups(&self) -> impl Iterator<Item = &Lookup> {
        self.lookup.iter().chain(&self.lookups)
    }

    pub fn parse(v: &Value) -> Result<Behaviour, BehaviourError> {
        let mut b: Behaviour =
            serde_path_to_error::deserialize(v.clone()).map_err(|e| BehaviourError {
                path: e.path().to_string(),
                source: e.into_inner(),
            })?;
        if let Some(i) = b.require.iter().position(|r| r.message.is_empty()) {
            return Err(BehaviourError {
                path: format!("require[{i}]"),
                source: serde::de::Error::missing_field("message"),
            });
        }
        b.resolved_variants = variants::resolve(v, &b.variants)?;
        Ok(b)
    }

    /// Every rule of the behaviour and of its variants (their `when` included), for checks that
    /// look at all of them.
    pub fn all_rules(&self) -> Vec<&Rule> {
        let own = self.require.iter();
        let variants = (self.resolved_variants.iter()).flat_map(|(when, b)| {
            let mut rules = b.all_rules();
            rules.push(when);
            rules
        });
        own.chain(variants).collect()
    }

    /// Where get/update/delete find the record's key: `param`, else the contract's first path
    /// parameter.
    pub fn key_param(&self, contract: &super::Contract) -> Option<String> {
        let first_path_param = || contract.path_param_names().first().map(|s| s.to_string());
        self.param.clone().or_else(first_path_param)
    }

    /// Counters read into responses are named like `name` or `global:name`.
    pub fn counter_is_global(name: &str) -> bool {
        name.starts_with("global:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bad_behaviour_names_the_place_in_the_sandbox_key() {
        let err = Behaviour::parse(&json!({"require": [{"value": 1, "equals": 1}]})).unwrap_err();
        assert_eq!(err.path, "require[0]");
        assert_eq!(
            err.to_string(),
            "sandbox.require[0]: missing field `message`"
        );
        let err = Behaviour::parse(&json!({"action": "explode"})).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("sandbox.action: unknown variant `explode`"),
            "{err}"
        );
    }

    #[test]
    fn lookups_come_in_order_lookup_then_lookups() {
        let b = Behaviour::parse(&json!({
            "lookup": {"collection": "a", "param": "id"},
            "lookups": [{"collection": "b", "param": "body.b"}]
        }))
        .unwrap();
        let order: Vec<&str> = b.lookups().map(|l| l.collection.as_str()).collect();
        assert_eq!(order, ["a", "b"]);
    }
}
