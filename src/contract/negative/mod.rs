//! Inputs a correct backend must refuse, or take, derived from a valid request and the schemas that
//! judge it: the valid request's own values, each changed one way, and each classified by the very
//! schema a backend is judged against (so a derived case never asks a backend to refuse what the
//! contract allows, nor to take what it forbids).
//!
//! Two users, one split (README「负向与边界输入」), so no request is sent twice:
//! - `malformed_input` ([`malformed`]): the shape of a JSON body (not JSON, an array, another content
//!   type) and its absurd values (a wrong type, a huge text, a negative or huge number);
//! - `negative_input` ([`derive`]): path parameters ([`path`]), query parameters ([`query`]) and what
//!   a body can be besides (empty, `null`, a field past a bound, a value no enum or format allows, a
//!   field the schema does not define: [`body`]), and values just inside a bound, which must be taken.
//!
//! Everything here is deterministic: the same catalogue gives the same inputs, in the same order.

mod body;
pub mod malformed;
mod path;
mod probe;
mod query;

pub use malformed::{shape_cases, value_cases, Budget, MALFORMED_BUDGET};

use super::schema::Compiled;
use super::walk::{Schema, SchemaDocs};
use super::RequestParts;
use serde_json::{Map, Value};

/// Says whether the contract's schema for this part rejects a value.
pub type Rejects<'a> = &'a dyn Fn(&Value) -> bool;

/// A text field this long is absurd for any form a person fills in.
pub const LONG_TEXT_CHARS: usize = 10_000;
/// A number no amount or count of this platform reaches.
pub const HUGE_NUMBER: i64 = 999_999_999_999;

/// A body as it is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Json(Value),
    /// These bytes, under this content type, as they are.
    Raw {
        content_type: String,
        text: String,
    },
}

/// One input to refuse, named in the plan's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived<T> {
    pub name: String,
    pub input: T,
}

fn derived<T>(name: impl Into<String>, input: T) -> Derived<T> {
    Derived {
        name: name.into(),
        input,
    }
}

/// Where a derived input goes in the valid request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Path(String),
    Query(String),
    /// A field of the body, or (`None`) the body itself.
    Body(Option<String>),
}

impl Place {
    /// Where a finding about it points: `/path/id`, `/query/page`, `/body/price`, `/body`.
    pub fn pointer(&self) -> String {
        match self {
            Place::Path(p) => format!("/path/{p}"),
            Place::Query(q) => format!("/query/{q}"),
            Place::Body(Some(f)) => format!("/body/{f}"),
            Place::Body(None) => "/body".into(),
        }
    }

    /// The field a value goes in, when it is one (a documented error case can match it).
    pub fn field(&self) -> Option<&str> {
        match self {
            Place::Path(n) | Place::Query(n) | Place::Body(Some(n)) => Some(n),
            Place::Body(None) => None,
        }
    }
}

/// What a correct backend does with a derived input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The schema forbids it: a refusal (a 4xx), before anything is stored.
    Refused,
    /// A value of the right shape that names nothing (a path id): not found, or another refusal.
    NotFound,
    /// A value just inside a bound: served like the valid request.
    Served,
}

/// How much a kind of input tells, most first: the budget takes the first ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// Letters where an id is due: the classic `parseInt` → `NaN` → SQL error.
    PathNotNumeric,
    /// A query value just past a bound (`page=0`, `limit=101`).
    QueryOutside,
    /// Letters where a query number is due.
    QueryWrongType,
    /// No body at all where a write needs fields.
    EmptyBody,
    /// A body field just past a bound, or zero where zero is not allowed.
    BodyOutside,
    /// A value no enum, format or pattern allows; a field the schema does not define.
    Undefined,
    /// `null` as the body.
    NullBody,
    /// Other path ids: a number, negative, zero, over-long, `../` and `%2F`.
    PathOther,
    /// An empty query value, a repeated query name.
    QueryEmpty,
    /// A query value at a bound, which must be served.
    Inside,
    /// A huge query value no bound forbids, which must be served.
    HugeInside,
}

/// A part of a request sent as text.
#[derive(Debug, Clone, Copy)]
enum Part {
    Path,
    Query,
}

/// What is sent in the input's place.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// A path or query parameter's text (a list: the name repeated).
    Param(Value),
    /// A body field's value.
    Field(Value),
    /// The whole body.
    Body(Body),
}

/// One derived negative or boundary input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub rank: Rank,
    /// What it is, the same on every endpoint it applies to (`非数字 ID`, `page=0`): its root cause.
    pub rule: String,
    /// The exact input, for people: `path id = "abc"`, `query page = 0`, `body.price = -1`.
    pub shown: String,
    pub place: Place,
    pub sent: Sent,
    pub due: Due,
    /// Made from the valid value (a longer or shorter copy): never shown where that value is a secret.
    pub from_valid: bool,
}

/// The valid request of an endpoint and the schemas that judge it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The valid request's parts, rendered.
    pub valid: &'a RequestParts,
    pub compiled: &'a Compiled,
    /// The contract's request schemas, as written (the fields they declare, a field's keywords).
    pub schemas: &'a RequestParts,
    pub docs: &'a SchemaDocs,
    /// The body travels as JSON (not `multipart/form-data`).
    pub json_body: bool,
}

impl Request<'_> {
    /// Reads change nothing: only they get inputs a correct backend serves, and inputs on path ids
    /// (a write acts on the record the run made for it).
    pub fn is_read(&self) -> bool {
        self.method == "GET"
    }

    /// The keywords the schema of `part` gives the field at `pointer` of `data`, through `$ref` and
    /// combinators (the first schema object to give a keyword wins).
    fn keywords(&self, part: Option<&Value>, data: &Value, pointer: &str) -> Map<String, Value> {
        let mut out = Map::new();
        let Some(root) = part else {
            return out;
        };
        let schema = Schema {
            root,
            docs: self.docs,
        };
        schema.each(data, &mut |at, node, _| {
            if at == pointer {
                for (k, v) in node {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        });
        out
    }

    /// Whether the valid request's parameters of a part pass their schema, read as text: only then
    /// does the schema's judgement of a change say something about the change (a backend that
    /// drifted gives values its contract does not allow, which the valid request then sends back).
    /// A part without a schema has nothing to derive from.
    fn valid_part(&self, part: Part) -> bool {
        let (validator, params) = match part {
            Part::Path => (&self.compiled.path_params, &self.valid.path_params),
            Part::Query => (&self.compiled.query, &self.valid.query),
        };
        let params = params.clone().unwrap_or_else(|| Value::Object(Map::new()));
        validator
            .as_ref()
            .is_some_and(|v| !super::params::text_rejected(v, &wire_text(&params)))
    }

    /// The fields a part's schema declares at its top level.
    fn declared(&self, part: Option<&Value>) -> Vec<String> {
        part.map(|root| {
            Schema {
                root,
                docs: self.docs,
            }
            .declared_fields()
        })
        .unwrap_or_default()
    }
}

/// Every negative and boundary input of an endpoint, most informative first (by [`Rank`], then path,
/// query and body, each in its fields' order). A write gets only what its schema forbids, and no
/// input on its path ids.
pub fn derive(req: &Request) -> Vec<Input> {
    let mut out = vec![];
    if req.is_read() {
        out.extend(path::inputs(req));
    }
    out.extend(query::inputs(req));
    out.extend(body::inputs(req));
    if !req.is_read() {
        out.retain(|i| i.due != Due::Served);
    }
    // A stable sort: equal ranks keep the order of the parts and fields.
    out.sort_by_key(|i| i.rank);
    out
}

/// The valid request with the input in its place, and the raw body to send instead, if any.
pub fn apply(valid: &RequestParts, input: &Input) -> (RequestParts, Option<Body>) {
    let mut parts = valid.clone();
    match (&input.place, &input.sent) {
        (Place::Path(name), Sent::Param(v)) => set(&mut parts.path_params, name, v.clone()),
        (Place::Query(name), Sent::Param(v)) => set(&mut parts.query, name, v.clone()),
        (Place::Body(Some(name)), Sent::Field(v)) => set(&mut parts.body, name, v.clone()),
        (_, Sent::Body(Body::Json(v))) => parts.body = Some(v.clone()),
        (_, Sent::Body(raw)) => return (parts, Some(raw.clone())),
        // Inputs are made with their place's kind of value; nothing else is built.
        _ => {}
    }
    (parts, None)
}

fn set(part: &mut Option<Value>, name: &str, value: Value) {
    let object = part.get_or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(fields) = object {
        fields.insert(name.to_string(), value);
    }
}

/// The value a request has at a field place (`None`: it has none there).
pub fn value_at<'p>(parts: &'p RequestParts, place: &Place) -> Option<&'p Value> {
    let (part, name) = match place {
        Place::Path(n) => (&parts.path_params, n),
        Place::Query(n) => (&parts.query, n),
        Place::Body(Some(n)) => (&parts.body, n),
        Place::Body(None) => return parts.body.as_ref(),
    };
    part.as_ref()?.get(name)
}

/// Whether the schema refuses `value` at a place of the valid request (path and query parameters as
/// their text, however a backend reads it).
pub fn refused_at(req: &Request, place: &Place, value: &Value) -> bool {
    let compiled = req.compiled;
    let mut parts = req.valid.clone();
    let (validator, as_text, instance) = match place {
        Place::Body(None) => (compiled.body.as_ref(), false, value.clone()),
        Place::Body(Some(n)) => {
            set(&mut parts.body, n, value.clone());
            (
                compiled.body.as_ref(),
                false,
                parts.body.unwrap_or_default(),
            )
        }
        Place::Path(n) => {
            set(&mut parts.path_params, n, value.clone());
            (
                compiled.path_params.as_ref(),
                true,
                parts.path_params.unwrap_or_default(),
            )
        }
        Place::Query(n) => {
            set(&mut parts.query, n, value.clone());
            (
                compiled.query.as_ref(),
                true,
                parts.query.unwrap_or_default(),
            )
        }
    };
    match validator {
        None => false,
        Some(v) if as_text => super::params::text_rejected(v, &wire_text(&instance)),
        Some(v) => !v.is_valid(&instance),
    }
}

/// Path or query parameters as they travel: every scalar as its text, lists item by item.
pub fn wire_text(params: &Value) -> Value {
    match params {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), wire_text(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(wire_text).collect()),
        Value::String(_) => params.clone(),
        other => Value::String(other.to_string()),
    }
}

/// The documented error case (by position) an input matches: one that changes the input's field in
/// the valid request to a value the schema judges alike (forbidden for a refused input, allowed for
/// an id that names nothing). `errors` are the error cases' requests as sent. The whole body and
/// values to be served match none.
pub fn documented(req: &Request, input: &Input, errors: &[RequestParts]) -> Option<usize> {
    input.place.field()?;
    let wanted_refused = match input.due {
        Due::Refused => true,
        Due::NotFound => false,
        Due::Served => return None,
    };
    let valid = value_at(req.valid, &input.place);
    errors.iter().position(|e| {
        value_at(e, &input.place)
            .is_some_and(|v| Some(v) != valid && refused_at(req, &input.place, v) == wanted_refused)
    })
}

/// A value as a person reads it in an input: text as it is when plain, else quoted; long text cut,
/// with its length.
fn shown(value: &Value, quote_text: bool) -> String {
    const SHOWN_CHARS: usize = 16;
    match value {
        Value::String(s) if s.chars().count() > SHOWN_CHARS => {
            let head: String = s.chars().take(SHOWN_CHARS).collect();
            format!("\"{head}…\" ({} 个字符)", s.chars().count())
        }
        Value::String(s) if !quote_text && !s.is_empty() && !s.contains([' ', '"']) => s.clone(),
        other => other.to_string(),
    }
}

/// A value's text, when it is a scalar.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value no enum of this platform has.
pub(crate) const UNKNOWN_VALUE: &str = "UNKNOWN_VALUE";
/// A date and a date-time that no calendar has.
pub(crate) const BAD_DATE: &str = "2026-13-45";
pub(crate) const BAD_DATE_TIME: &str = "2026-13-45T25:61:00+08:00";

/// Whether a field's schema bounds its length (a pattern or an enum decides its text otherwise, and
/// is tried as such).
fn has_length(keywords: &Map<String, Value>) -> bool {
    keywords.contains_key("minLength") || keywords.contains_key("maxLength")
}

#[cfg(test)]
mod tests;
