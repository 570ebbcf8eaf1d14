//! Faults the sandbox can inject, one kind per check of the engine, to prove each check fires.
//!
//! Everything a fault does is here. A new kind is one line in the table below and one arm in
//! [`FaultKind::effect`], which says where it acts: it preempts the route, turns off a check the
//! backend should make, transforms the answer data of a success, or transforms (or replaces) the
//! reply, whatever produced it.

mod drift;
mod negative;
pub(crate) mod targets;

use super::reply::{Body, Incoming, Reply};
use super::{json, Sandbox};
use crate::contract::walk::{first_leaf, has_keyword, present_required};
pub(crate) use crate::contract::walk::{Schema, SchemaDocs};
use crate::contract::Contract;
pub(crate) use drift::sql_error;
use serde_json::{json, Value};
use targets::Targets;

/// The table of fault kinds: the variant, its command-line name, its description.
macro_rules! fault_kinds {
    ($($kind:ident = $name:literal: $help:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FaultKind {
            $(#[doc = $help] $kind,)*
        }

        impl FaultKind {
            /// Every kind, in the order help and error messages list them.
            pub const ALL: &'static [FaultKind] = &[$(FaultKind::$kind,)*];

            /// The kebab-case name used on the command line.
            pub fn name(self) -> &'static str {
                match self {
                    $(FaultKind::$kind => $name,)*
                }
            }

            /// One line saying what the fault does, for `--help`.
            pub fn help(self) -> &'static str {
                match self {
                    $(FaultKind::$kind => $help,)*
                }
            }
        }
    };
}

fault_kinds! {
    EnvelopeMissing = "envelope-missing": "The body is `data` alone, without the envelope.",
    EnvelopeTypes = "envelope-types": "The envelope's `code` is a string.",
    SuccessCode = "success-code": "Success is answered with code 1.",
    MissingField = "missing-field": "A required `data` field is missing.",
    WrongType = "wrong-type": "A `data` field has the wrong type.",
    WrongFormat = "wrong-format": "A `data` field breaks its format (date-time, date …).",
    BadEnum = "bad-enum": "A `data` field holds a value outside its enum.",
    Slow = "slow": "Answers after the latency budget.",
    ServerError = "server-error": "HTTP 500 on valid input.",
    AuthOff = "auth-off": "Requests without a valid token are served.",
    MissingRoute = "missing-route": "The route is missing: the backend's catch-all answers.",
    BadInput500 = "bad-input500": "Invalid input gets a 500 instead of a 400.",
    InvalidJson = "invalid-json": "The body is not valid JSON.",
    BoolAsInt = "bool-as-int": "Booleans answer 0/1, on every other list item.",
    MoneyAsString = "money-as-string": "Money answers as a decimal string (\"580.00\").",
    IdAsNumber = "id-as-number": "String ids answer as numbers (and are taken back as numbers).",
    SnakeCase = "snake-case": "Required camelCase fields answer in snake_case (never a captured one).",
    FlatPagination = "flat-pagination": "Pages answer {list,total,page,pageSize}, no `pagination`.",
    SqlError = "sql-error": "HTTP 500 on valid input, the database's error in `message`.",
    LogoutKeepsToken = "logout-keeps-token": "Logout answers success and the token stays valid.",
    CustomerCompletes = "customer-completes": "A customer may move an order through the store's states (no role check).",
    RatingBeforeComplete = "rating-before-complete": "A rating of an order that is not completed is accepted.",
    PaymentAnyAmount = "payment-any-amount": "A payment whose amount is not the order's is accepted.",
    IsolationOff = "isolation-off": "Another account's records are served and changed: ownership is not checked.",
    LeakSql = "leak-sql": "Error answers carry the database's error text in `message`.",
    Malformed500 = "malformed-500": "A body that is not a JSON object, or not declared as JSON, gets a 500.",
    TrustClientPrice = "trust-client-price": "Creates and updates take the client's status, price and owner over the server's.",
    NanId500 = "nan-id-500": "A path id without a digit gets a 500 (parseInt gives NaN, the query fails).",
    PageZero500 = "page-zero-500": "A `page` of 0 or less gets a 500 (a negative SQL OFFSET).",
    AcceptsEmptyBody = "accepts-empty-body": "A write with no body at all answers success.",
    Maxlength500 = "maxlength-500": "A text longer than its `maxLength` gets a 500 (the column is too short).",
}

/// Where in the pipeline a fault acts, and what it does there.
enum Effect {
    /// Answers instead of the route before the request is read: nothing else runs, nothing changes.
    Preempt(fn(&Incoming, &Faults) -> Option<Reply>),
    /// Turns off a check the backend should make; the module making it asks [`Faults::is_on`].
    Lenient,
    /// Transforms the answer data of a success, before it is enveloped.
    Data(fn(&mut Value, &Faults)),
    /// Transforms or replaces the reply, whatever produced it; runs in table order.
    Reply(fn(&mut Reply, &Faults)),
}

impl FaultKind {
    fn effect(self) -> Effect {
        use FaultKind as K;
        match self {
            K::EnvelopeMissing => Effect::Reply(drop_envelope),
            K::EnvelopeTypes => Effect::Reply(code_as_string),
            K::SuccessCode => Effect::Reply(success_code_one),
            K::MissingField => Effect::Data(remove_required_field),
            K::WrongType => Effect::Data(retype_first_value),
            K::WrongFormat => Effect::Data(|data, f| {
                break_where_schema_has(data, f, "format", json!("not-a-valid-value"))
            }),
            K::BadEnum => Effect::Data(|data, f| {
                break_where_schema_has(data, f, "enum", json!("NOT_IN_CONTRACT_ENUM"))
            }),
            K::Slow => Effect::Reply(answer_late),
            K::ServerError => Effect::Reply(fail_successes),
            K::AuthOff => Effect::Lenient,
            K::MissingRoute => Effect::Preempt(|req, f| Some(f.sandbox.unrouted(req))),
            K::BadInput500 => Effect::Reply(fail_invalid_input),
            K::InvalidJson => Effect::Reply(cut_in_half),
            K::BoolAsInt => Effect::Data(drift::booleans_as_numbers),
            K::MoneyAsString => Effect::Data(drift::money_as_strings),
            K::IdAsNumber => Effect::Data(drift::ids_as_numbers),
            K::SnakeCase => Effect::Data(drift::camel_case_as_snake_case),
            K::FlatPagination => Effect::Data(drift::flat_pagination),
            K::SqlError => Effect::Reply(drift::fail_with_sql_error),
            K::LogoutKeepsToken => Effect::Lenient,
            // Rules of the contracts name the fault that waives them (`waived_by`).
            K::CustomerCompletes | K::RatingBeforeComplete | K::PaymentAnyAmount => Effect::Lenient,
            K::IsolationOff => Effect::Lenient,
            K::LeakSql => Effect::Reply(leak_sql),
            K::Malformed500 => Effect::Preempt(malformed_500),
            K::TrustClientPrice => Effect::Lenient,
            K::NanId500 => Effect::Preempt(negative::nan_id_500),
            K::PageZero500 => Effect::Preempt(negative::page_zero_500),
            K::AcceptsEmptyBody => Effect::Preempt(negative::accepts_empty_body),
            K::Maxlength500 => Effect::Preempt(negative::maxlength_500),
        }
    }

    /// The kind with this name (ASCII case does not matter).
    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// `KIND` (every endpoint) or `KIND=ID,ID` (only those contracts).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    pub endpoints: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown fault `{given}` (known: {})", known_names())]
pub struct ParseFaultError {
    pub given: String,
}

fn known_names() -> String {
    let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
    names.join(", ")
}

impl Fault {
    pub fn parse(spec: &str) -> Result<Fault, ParseFaultError> {
        let (kind, ids) = match spec.split_once('=') {
            Some((k, ids)) => (k, Some(ids)),
            None => (spec, None),
        };
        let kind = FaultKind::from_name(kind.trim()).ok_or_else(|| ParseFaultError {
            given: kind.to_string(),
        })?;
        let endpoints = ids.map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        });
        Ok(Fault { kind, endpoints })
    }

    pub fn applies_to(&self, contract_id: &str) -> bool {
        self.endpoints
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|i| i == contract_id))
    }
}

/// The faults in force for one contract's request, once each, in table order.
pub(crate) struct Faults<'a> {
    kinds: Vec<FaultKind>,
    sandbox: &'a Sandbox,
    contract: &'a Contract,
}

/// The schema of data that has none: anything.
static ANY: Value = Value::Bool(true);

/// The places of a contract the catalogue does not know: none.
static NO_TARGETS: Targets = Targets {
    booleans: Vec::new(),
    money: Vec::new(),
    ids: Vec::new(),
    camel_case: Vec::new(),
    pagination: None,
};

impl<'a> Faults<'a> {
    pub fn new(sandbox: &'a Sandbox, contract: &'a Contract) -> Faults<'a> {
        let mut kinds: Vec<FaultKind> = (sandbox.options.faults.iter())
            .filter(|f| f.applies_to(&contract.id))
            .map(|f| f.kind)
            .collect();
        kinds.sort();
        kinds.dedup();
        Faults {
            kinds,
            sandbox,
            contract,
        }
    }

    pub fn is_on(&self, kind: FaultKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The reply that takes the route's place, if a fault preempts it.
    pub fn preempt(&self, req: &Incoming) -> Option<Reply> {
        self.kinds.iter().find_map(|k| match k.effect() {
            Effect::Preempt(answer) => answer(req, self),
            _ => None,
        })
    }

    pub fn break_data(&self, data: &mut Value) {
        for k in &self.kinds {
            if let Effect::Data(transform) = k.effect() {
                transform(data, self);
            }
        }
    }

    pub fn break_reply(&self, mut reply: Reply) -> Reply {
        for k in &self.kinds {
            if let Effect::Reply(transform) = k.effect() {
                transform(&mut reply, self);
            }
        }
        reply
    }

    /// Where the drift faults act on this contract's answers.
    fn targets(&self) -> &'a Targets {
        (self.sandbox.targets.get(&self.contract.id)).unwrap_or(&NO_TARGETS)
    }

    fn schema(&self) -> Schema<'a> {
        Schema {
            root: self.contract.response.data.as_ref().unwrap_or(&ANY),
            docs: &self.sandbox.schemas,
        }
    }
}

fn remove_required_field(data: &mut Value, faults: &Faults) {
    if let Some(p) = faults.schema().find(data, &present_required) {
        json::remove_at(data, &p);
    }
}

fn retype_first_value(data: &mut Value, _: &Faults) {
    match first_leaf(data, &|v| v.is_number() || v.is_string() || v.is_boolean()) {
        Some(p) => {
            let replacement = match data.pointer(&p) {
                Some(Value::String(_)) => json!(12345),
                _ => json!("wrong-type"),
            };
            json::replace_at(data, &p, replacement);
        }
        None => *data = json!("wrong-type"),
    }
}

fn break_where_schema_has(data: &mut Value, faults: &Faults, keyword: &'static str, bad: Value) {
    if let Some(p) = faults.schema().find(data, &has_keyword(keyword)) {
        json::replace_at(data, &p, bad);
    }
}

fn drop_envelope(reply: &mut Reply, _: &Faults) {
    if let (true, Body::Envelope { data, .. }) = (reply.is_success(), &mut reply.body) {
        let data = std::mem::take(data);
        reply.body = Body::Json(data);
    }
}

fn code_as_string(reply: &mut Reply, _: &Faults) {
    if let (true, Body::Envelope { code, .. }) = (reply.is_success(), &mut reply.body) {
        if let Value::Number(n) = code {
            *code = Value::String(n.to_string());
        }
    }
}

/// Runs after `code_as_string` (table order), and leaves a string code alone: that fault wins.
fn success_code_one(reply: &mut Reply, _: &Faults) {
    if let (true, Body::Envelope { code, .. }) = (reply.is_success(), &mut reply.body) {
        if code.is_number() {
            *code = json!(1);
        }
    }
}

fn answer_late(reply: &mut Reply, faults: &Faults) {
    if reply.is_success() {
        reply.delay_ms = faults.sandbox.options.latency_budget_ms + 300;
    }
}

fn fail_successes(reply: &mut Reply, _: &Faults) {
    if reply.is_success() {
        *reply = Reply::internal_error();
    }
}

fn fail_invalid_input(reply: &mut Reply, _: &Faults) {
    if reply.outcome == super::reply::Outcome::InvalidInput {
        *reply = Reply::internal_error();
    }
}

/// Every refusal says what the database said: the message a backend shows when it passes its
/// driver's error through.
fn leak_sql(reply: &mut Reply, faults: &Faults) {
    if let (false, Body::Envelope { message, .. }) = (reply.is_success(), &mut reply.body) {
        *message = format!("{message} ({})", sql_error(faults.targets()));
    }
}

/// A backend that feeds whatever arrived to code expecting an object: anything else crashes it.
fn malformed_500(req: &Incoming, _: &Faults) -> Option<Reply> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let declared_json = req.content_type.is_none_or(super::reply::is_json_type);
    let object = serde_json::from_slice::<Value>(req.body).is_ok_and(|v| v.is_object());
    (!declared_json || !object).then(Reply::internal_error)
}

fn cut_in_half(reply: &mut Reply, faults: &Faults) {
    if reply.is_success() {
        let content_type = reply.body.content_type();
        let mut text = reply.body.text(&faults.sandbox.options.envelope);
        let mut half = text.len() / 2;
        while !text.is_char_boundary(half) {
            half -= 1;
        }
        text.truncate(half);
        reply.body = Body::Text { content_type, text };
    }
}

#[cfg(test)]
mod tests;
