//! One request through the sandbox: route, auth, validation, behaviour, faults.

use super::behaviour::{Action, Behaviour, Rule};
use super::fault::{self, FaultKind};
use super::state::{Record, State, User};
use super::{Reply, Sandbox, DEV_SMS_CODE, WECHAT_TEST_PREFIX};
use crate::contract::schema::violations;
use crate::contract::Contract;
use crate::scenario::assert::json_eq;
use crate::scenario::template::{merge, referenced_vars, render, value_text, Builtins, Vars};
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

static BUILTINS: LazyLock<Builtins> = LazyLock::new(|| Builtins::new(20_260_101));

/// An answer other than success: envelope code and message.
struct Refusal {
    code: i64,
    message: String,
}

fn refuse(code: i64, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

pub fn envelope_reply(s: &Sandbox, http: u16, code: i64, message: &str, data: Value) -> Reply {
    let body = fault::envelope(&json!(code), message, data, &s.options.envelope);
    Reply {
        status: http,
        content_type: "application/json; charset=utf-8",
        body: body.to_string(),
        delay_ms: 0,
        code: Some(code),
    }
}

/// Express's answer for a route it does not know.
fn framework_404(method: &str, path: &str) -> Reply {
    Reply {
        status: 404,
        content_type: "text/html; charset=utf-8",
        body: format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
        ),
        delay_ms: 0,
        code: None,
    }
}

fn http_for(code: i64) -> u16 {
    match code {
        400 | 401 | 403 | 404 | 409 | 429 | 500 | 503 => code as u16,
        _ => 400,
    }
}

fn faulted(s: &Sandbox, c: &Contract, kind: FaultKind) -> bool {
    s.options
        .faults
        .iter()
        .any(|f| f.kind == kind && f.applies_to(&c.id))
}

fn route<'a>(
    s: &'a Sandbox,
    method: &str,
    rel: &str,
) -> Option<(&'a Contract, Map<String, Value>)> {
    let segs: Vec<&str> = rel.split('/').filter(|x| !x.is_empty()).collect();
    for r in &s.routes {
        if r.method != method || r.segments.len() != segs.len() {
            continue;
        }
        let mut params = Map::new();
        let ok = r.segments.iter().zip(&segs).all(|(pat, seg)| {
            match pat.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => {
                    let decoded = percent_decode(seg);
                    params.insert(name.to_string(), Value::String(decoded));
                    true
                }
                None => pat == seg,
            }
        });
        if ok {
            return Some((&s.catalog.contracts[r.index], params));
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Query strings arrive as strings; a schema may want numbers or booleans.
fn coerce(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), coerce(v))).collect()),
        Value::String(s) => {
            if let Ok(i) = s.parse::<i64>() {
                json!(i)
            } else if let Ok(f) = s.parse::<f64>() {
                json!(f)
            } else if s == "true" || s == "false" {
                json!(s == "true")
            } else {
                v.clone()
            }
        }
        other => other.clone(),
    }
}

fn flatten(prefix: &str, v: &Value, vars: &mut Vars) {
    if let Value::Object(o) = v {
        for (k, x) in o {
            let name = format!("{prefix}.{k}");
            vars.insert(name.clone(), x.clone());
            flatten(&name, x, vars);
        }
    }
}

/// Overlays `value` onto `template`, keeping the template's shape: only keys the template has, and
/// only values of the same JSON kind, so the answer stays valid against the contract's schema.
pub fn fit(template: &Value, value: &Value) -> Value {
    match (template, value) {
        (Value::Object(t), Value::Object(v)) => Value::Object(
            t.iter()
                .map(|(k, tv)| {
                    (
                        k.clone(),
                        v.get(k).map_or_else(|| tv.clone(), |vv| fit(tv, vv)),
                    )
                })
                .collect(),
        ),
        (Value::Array(t), Value::Array(v)) => match t.first() {
            None => Value::Array(v.clone()),
            Some(item) => Value::Array(v.iter().map(|x| fit(item, x)).collect()),
        },
        (Value::Null, v) => v.clone(),
        (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => value.clone(),
        (Value::Number(_), Value::Number(_)) => value.clone(),
        _ => template.clone(),
    }
}

/// Replaces, in string values, the example's path parameter values with the requested ones.
fn substitute(v: &mut Value, pairs: &[(String, String)]) {
    match v {
        Value::String(s) => {
            for (from, to) in pairs {
                if s == from {
                    *s = to.clone();
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, pairs)),
        Value::Object(o) => o.values_mut().for_each(|x| substitute(x, pairs)),
        _ => {}
    }
}

struct Ctx<'a> {
    s: &'a Sandbox,
    c: &'a Contract,
    b: &'a Behaviour,
    user: Option<User>,
    token: Option<String>,
    path: Map<String, Value>,
    query: Value,
    body: Value,
    vars: Vars,
    example: Value,
}

impl Ctx<'_> {
    fn render(&self, v: &Value) -> Result<Value, Refusal> {
        render(v, &self.vars, &BUILTINS).map_err(|e| refuse(500, format!("sandbox template: {e}")))
    }

    fn owner(&self) -> Option<String> {
        if self.b.global {
            None
        } else {
            self.user.as_ref().map(|u| u.id.clone())
        }
    }

    fn counter_key(&self, name: &str) -> String {
        if name.starts_with("global:") {
            name.to_string()
        } else {
            format!(
                "{}|{name}",
                self.user.as_ref().map_or("", |u| u.id.as_str())
            )
        }
    }

    fn counter(&self, state: &State, template: &str) -> Result<f64, Refusal> {
        let name = value_text(&self.render(&Value::String(template.to_string()))?);
        Ok(state
            .counters
            .get(&self.counter_key(&name))
            .copied()
            .or_else(|| self.s.counter_init.get(&name).copied())
            .or_else(|| self.s.counter_init.get(template).copied())
            .unwrap_or(0.0))
    }

    fn key_param(&self) -> Option<String> {
        let p = self
            .b
            .param
            .clone()
            .or_else(|| self.c.path_param_names().first().map(|s| s.to_string()))?;
        if p.contains('.') {
            self.vars.get(&p).map(value_text)
        } else {
            self.path.get(&p).map(value_text)
        }
    }
}

fn check_rules(ctx: &Ctx, state: &State, rules: &[Rule]) -> Result<(), Refusal> {
    for r in rules {
        let mut vars = ctx.vars.clone();
        // Counters a rule names are available as counter.NAME (0 when nothing set them yet).
        let mut refs = vec![];
        let listed = r.one_of.iter().flatten();
        for x in [
            Some(&r.value),
            r.equals.as_ref(),
            r.not_equals.as_ref(),
            r.gte.as_ref(),
            r.lte.as_ref(),
            r.gt.as_ref(),
            r.lt.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(listed)
        {
            referenced_vars(x, &mut refs);
        }
        for name in refs.iter().filter_map(|r| r.strip_prefix("counter.")) {
            vars.insert(format!("counter.{name}"), json!(ctx.counter(state, name)?));
        }
        // A rule about a field the request does not carry does not apply: required-ness is the schema's job.
        if refs.iter().any(|name| !vars.contains_key(name)) {
            continue;
        }
        let v = |x: &Value| {
            render(x, &vars, &BUILTINS).map_err(|e| refuse(500, format!("sandbox rule: {e}")))
        };
        let value = v(&r.value)?;
        // Numbers compare as numbers; RFC 3339 date-times and YYYY-MM-DD dates compare as times.
        let num = |x: &Value| match x {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse::<f64>().ok().or_else(|| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|d| d.timestamp() as f64)
                    .ok()
                    .or_else(|| {
                        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .map(|d| d.and_utc().timestamp() as f64)
                    })
            }),
            _ => None,
        };
        let holds = if let Some(e) = &r.equals {
            json_eq(&value, &v(e)?)
        } else if let Some(e) = &r.not_equals {
            !json_eq(&value, &v(e)?)
        } else if let Some(list) = &r.one_of {
            let mut any = false;
            for x in list {
                any |= json_eq(&value, &v(x)?);
            }
            any
        } else if let Some(e) = &r.gte {
            matches!((num(&value), num(&v(e)?)), (Some(a), Some(b)) if a >= b)
        } else if let Some(e) = &r.lte {
            matches!((num(&value), num(&v(e)?)), (Some(a), Some(b)) if a <= b)
        } else if let Some(e) = &r.lt {
            matches!((num(&value), num(&v(e)?)), (Some(a), Some(b)) if a < b)
        } else if let Some(e) = &r.gt {
            matches!((num(&value), num(&v(e)?)), (Some(a), Some(b)) if a > b)
        } else {
            true
        };
        if !holds {
            return Err(refuse(r.code, r.message.clone()));
        }
    }
    Ok(())
}

fn apply_effects(ctx: &Ctx, state: &mut State) -> Result<(), Refusal> {
    for e in &ctx.b.effects {
        let add = match ctx.render(&e.add)? {
            Value::Number(n) => n.as_f64().unwrap_or(0.0),
            Value::String(s) => s.parse::<f64>().unwrap_or(0.0),
            _ => 0.0,
        };
        let current = ctx.counter(state, &e.counter)?;
        let name = value_text(&ctx.render(&Value::String(e.counter.clone()))?);
        state.counters.insert(
            ctx.counter_key(&name),
            ((current + add) * 100.0).round() / 100.0,
        );
    }
    Ok(())
}

/// Counts and embedded records for one list item, with its fields as `item.*`.
fn per_item(
    ctx: &Ctx,
    state: &State,
    each: &super::behaviour::Each,
    item: &mut Value,
) -> Result<(), Refusal> {
    let mut vars = ctx.vars.clone();
    flatten("item", item, &mut vars);
    let records = |spec: &Value, what: &str| -> Result<Vec<Value>, Refusal> {
        let spec: super::behaviour::CountSpec = serde_json::from_value(spec.clone())
            .map_err(|e| refuse(500, format!("sandbox each.{what}: {e}")))?;
        let mut filters = Map::new();
        for (k, v) in &spec.r#where {
            let r = render(v, &vars, &BUILTINS)
                .map_err(|e| refuse(500, format!("sandbox each.{what}: {e}")))?;
            filters.insert(k.clone(), r);
        }
        let mut found: Vec<&Record> = state
            .records
            .get(&spec.collection)
            .map(|rs| {
                visible(ctx, rs)
                    .into_iter()
                    .filter(|r| matches_where(&r.value, &filters))
                    .collect()
            })
            .unwrap_or_default();
        found.sort_by_key(|r| r.seq);
        Ok(found.into_iter().map(|r| r.value.clone()).collect())
    };
    for (pointer, spec) in &each.count {
        let n = records(spec, "count")?.len();
        set_pointer(item, pointer, json!(n));
    }
    for (pointer, spec) in &each.embed {
        let list = records(spec, "embed")?;
        set_pointer(item, pointer, Value::Array(list));
    }
    Ok(())
}

/// Sets a top-level or nested field, creating it when missing (unlike `fault::set_at`).
fn set_pointer(target: &mut Value, pointer: &str, v: Value) {
    match target.pointer_mut(pointer) {
        Some(slot) => *slot = v,
        None => {
            if let (Some((parent, key)), true) = (pointer.rsplit_once('/'), true) {
                if let Some(Value::Object(o)) = target.pointer_mut(parent) {
                    o.insert(key.to_string(), v);
                }
            }
        }
    }
}

fn fill_counts(ctx: &Ctx, state: &State, data: &mut Value) -> Result<(), Refusal> {
    for (pointer, spec) in &ctx.b.count {
        let spec: super::behaviour::CountSpec = serde_json::from_value(spec.clone())
            .map_err(|e| refuse(500, format!("sandbox count {pointer}: {e}")))?;
        let filters = render_where(ctx, &spec.r#where)?;
        let n = state.records.get(&spec.collection).map_or(0, |rs| {
            visible(ctx, rs)
                .iter()
                .filter(|r| matches_where(&r.value, &filters))
                .count()
        });
        fault::set_at(data, pointer, json!(n));
    }
    Ok(())
}

fn fill_counters(ctx: &Ctx, state: &State, data: &mut Value) -> Result<(), Refusal> {
    for (pointer, name) in &ctx.b.counters {
        if let Some(t) = name.as_str() {
            let v = ctx.counter(state, t)?;
            let n = if v.fract() == 0.0 {
                json!(v as i64)
            } else {
                json!(v)
            };
            fault::set_at(data, pointer, n);
        }
    }
    Ok(())
}

/// Variables plus `counter.NAME` for the counters the given templates name (before this request's effects).
fn with_counters<'v>(
    ctx: &Ctx,
    state: &State,
    templates: impl Iterator<Item = &'v Value>,
) -> Result<Vars, Refusal> {
    let mut refs = vec![];
    for t in templates {
        referenced_vars(t, &mut refs);
    }
    let mut vars = ctx.vars.clone();
    for name in refs.iter().filter_map(|r| r.strip_prefix("counter.")) {
        vars.insert(format!("counter.{name}"), json!(ctx.counter(state, name)?));
    }
    Ok(vars)
}

fn apply_set(ctx: &Ctx, state: &State, target: &mut Value) -> Result<(), Refusal> {
    let vars = with_counters(ctx, state, ctx.b.set.values())?;
    if let Value::Object(o) = target {
        for (k, v) in &ctx.b.set {
            let rendered = render(v, &vars, &BUILTINS)
                .map_err(|e| refuse(500, format!("sandbox set.{k}: {e}")))?;
            o.insert(k.clone(), rendered);
        }
    }
    Ok(())
}

fn visible<'r>(ctx: &Ctx, records: &'r [Record]) -> Vec<&'r Record> {
    let me = ctx.user.as_ref().map(|u| u.id.as_str());
    records
        .iter()
        .filter(|r| ctx.b.global || r.owner.is_none() || r.owner.as_deref() == me)
        .collect()
}

fn find_record(ctx: &Ctx, state: &State) -> Result<(String, usize), Refusal> {
    let collection = ctx.b.collection.clone().unwrap_or_default();
    let key = ctx.key_param().ok_or_else(|| refuse(400, "缺少资源标识"))?;
    let me = ctx.user.as_ref().map(|u| u.id.as_str());
    let records = state
        .records
        .get(&collection)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    records
        .iter()
        .position(|r| {
            r.key == key && (ctx.b.global || r.owner.is_none() || r.owner.as_deref() == me)
        })
        .map(|i| (collection, i))
        .ok_or_else(|| refuse(404, "资源不存在"))
}

fn session_data(ctx: &Ctx, user: &User, tokens: Option<(String, String)>) -> Value {
    let user_json = json!({
        "id": user.id, "phone": user.phone, "nickname": user.nickname,
        "avatar": "https://cdn.daodao.example/avatar/default.png", "userType": "CUSTOMER",
    });
    let mut v = json!({ "user": user_json.clone(), "isLoggedIn": true });
    if let Some((t, r)) = tokens {
        v["token"] = json!(t);
        v["refreshToken"] = json!(r);
    }
    if let Value::Object(o) = &mut v {
        for (k, x) in user_json.as_object().into_iter().flatten() {
            o.entry(k.clone()).or_insert(x.clone());
        }
    }
    fit(&ctx.example, &v)
}

fn body_str(ctx: &Ctx, field: &str) -> String {
    ctx.body.get(field).map(value_text).unwrap_or_default()
}

fn act(ctx: &mut Ctx, state: &mut State) -> Result<Value, Refusal> {
    if ctx.b.once_per_day {
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        let who = ctx.user.as_ref().map_or(String::new(), |u| u.id.clone());
        if !state.once.insert((ctx.c.id.clone(), who, today)) {
            return Err(refuse(400, "今天已经操作过了"));
        }
    }
    let example = ctx.example.clone();
    // Records this request refers to: found before the action (404 when missing), updated after it.
    let mut looked_up: Vec<(&super::behaviour::Lookup, String, usize)> = vec![];
    for l in ctx.b.lookups() {
        let name = l.r#as.as_deref().unwrap_or("lookup");
        let key = if l.param.contains('.') {
            ctx.vars.get(&l.param).map(value_text)
        } else {
            ctx.path.get(&l.param).map(value_text)
        };
        if l.collection == "$users" {
            let user = key.as_deref().and_then(|k| state.user(k)).cloned();
            let Some(u) = user else {
                return Err(refuse(l.code, l.message.clone()));
            };
            let v = json!({"id": u.id, "phone": u.phone, "nickname": u.nickname});
            flatten(name, &v, &mut ctx.vars);
            continue;
        }
        // Whoever owns it: rules decide whether the caller may refer to it (`lookup.userId`).
        let i = key.and_then(|k| {
            state
                .records
                .get(&l.collection)
                .and_then(|rs| rs.iter().position(|r| r.key == k))
        });
        let Some(i) = i else {
            return Err(refuse(l.code, l.message.clone()));
        };
        let record = state.records[&l.collection][i].value.clone();
        flatten(name, &record, &mut ctx.vars);
        looked_up.push((l, l.collection.clone(), i));
    }
    let data = match ctx.b.action {
        Action::Static => {
            check_rules(ctx, state, &ctx.b.require)?;
            let mut d = example.clone();
            let pairs: Vec<(String, String)> = ctx
                .c
                .example
                .request
                .path_params
                .as_ref()
                .and_then(Value::as_object)
                .map(|ex| {
                    ex.iter()
                        .filter_map(|(k, v)| {
                            ctx.path
                                .get(k)
                                .map(|actual| (value_text(v), value_text(actual)))
                        })
                        .collect()
                })
                .unwrap_or_default();
            substitute(&mut d, &pairs);
            apply_set(ctx, state, &mut d)?;
            d
        }
        Action::Create => {
            check_rules(ctx, state, &ctx.b.require)?;
            let collection = ctx.b.collection.clone().unwrap_or_else(|| ctx.c.id.clone());
            let key = match &ctx.b.key_from {
                Some(t) => value_text(&ctx.render(&Value::String(t.clone()))?),
                None => state.new_key(example.get(&ctx.b.key).and_then(Value::as_str)),
            };
            let owner = match &ctx.b.owner {
                Some(t) => Some(value_text(&ctx.render(&Value::String(t.clone()))?)),
                None => ctx.owner(),
            };
            if ctx.b.unique {
                let exists = state
                    .records
                    .get(&collection)
                    .is_some_and(|rs| rs.iter().any(|r| r.key == key && r.owner == owner));
                if exists {
                    return Err(refuse(400, "请勿重复操作"));
                }
            }
            let mut value = example.clone();
            if !value.is_object() {
                value = json!({});
            }
            merge(&mut value, &ctx.body);
            value[&ctx.b.key] = Value::String(key.clone());
            ctx.vars.insert("record.key".into(), json!(key));
            apply_set(ctx, state, &mut value)?;
            let seq = state.next_seq();
            state.records.entry(collection).or_default().push(Record {
                key,
                owner,
                value: value.clone(),
                seq,
            });
            fit(&example, &value)
        }
        Action::Get if ctx.b.or_null && find_record(ctx, state).is_err() => Value::Null,
        Action::Get | Action::Update | Action::Delete => {
            let (collection, i) = find_record(ctx, state)?;
            let record = state.records[&collection][i].value.clone();
            flatten("record", &record, &mut ctx.vars);
            check_rules(ctx, state, &ctx.b.require)?;
            match ctx.b.action {
                Action::Get => {
                    if example.is_null() {
                        Value::Null
                    } else {
                        let mut d = fit(&example, &record);
                        apply_set(ctx, state, &mut d)?;
                        d
                    }
                }
                Action::Update => {
                    let mut value = record;
                    merge(&mut value, &ctx.body);
                    apply_set(ctx, state, &mut value)?;
                    if let Some(r) = state
                        .records
                        .get_mut(&collection)
                        .and_then(|rs| rs.get_mut(i))
                    {
                        r.value = value.clone();
                    }
                    fit(&example, &value)
                }
                _ => {
                    if let Some(rs) = state.records.get_mut(&collection) {
                        rs.remove(i);
                    }
                    if example.is_null() {
                        Value::Null
                    } else {
                        let mut d = fit(&example, &record);
                        apply_set(ctx, state, &mut d)?;
                        d
                    }
                }
            }
        }
        Action::List => {
            check_rules(ctx, state, &ctx.b.require)?;
            list(ctx, state, &example)?
        }
        _ => auth_action(ctx, state)?,
    };
    for (l, collection, i) in looked_up {
        let mut updates = Map::new();
        for (k, v) in &l.set {
            updates.insert(k.clone(), ctx.render(v)?);
        }
        if let Some(Value::Object(o)) = state
            .records
            .get_mut(&collection)
            .and_then(|rs| rs.get_mut(i))
            .map(|r| &mut r.value)
        {
            o.extend(updates);
        }
    }
    for also in &ctx.b.also {
        let key = state.new_key(None);
        let mut value = json!({});
        value[&also.key] = json!(key);
        let vars = with_counters(ctx, state, also.set.values())?;
        for (k, v) in &also.set {
            value[k] = render(v, &vars, &BUILTINS)
                .map_err(|e| refuse(500, format!("sandbox also.set.{k}: {e}")))?;
        }
        let seq = state.next_seq();
        let owner = ctx.owner();
        state
            .records
            .entry(also.collection.clone())
            .or_default()
            .push(Record {
                key,
                owner,
                value,
                seq,
            });
    }
    apply_effects(ctx, state)?;
    Ok(data)
}

/// Does a record match fixed filters (field → rendered value; null matches absent or null)?
fn matches_where(value: &Value, filters: &Map<String, Value>) -> bool {
    filters.iter().all(|(k, want)| match (value.get(k), want) {
        (None | Some(Value::Null), Value::Null) => true,
        (Some(x), w) => json_eq(x, w) || value_text(x) == value_text(w),
        (None, _) => false,
    })
}

fn render_where(ctx: &Ctx, filters: &Map<String, Value>) -> Result<Map<String, Value>, Refusal> {
    filters
        .iter()
        .map(|(k, v)| Ok((k.clone(), ctx.render(v)?)))
        .collect()
}

fn list(ctx: &Ctx, state: &State, example: &Value) -> Result<Value, Refusal> {
    let collection = ctx.b.collection.clone().unwrap_or_default();
    let records = state
        .records
        .get(&collection)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut items: Vec<&Record> = visible(ctx, records);
    let filters = render_where(ctx, &ctx.b.r#where)?;
    items.retain(|r| matches_where(&r.value, &filters));
    for (param, field) in &ctx.b.ranges {
        let Some(range) = ctx.query.get(param).map(value_text) else {
            continue;
        };
        let field = field.as_str().unwrap_or(param);
        let (lo, hi) = range
            .split_once('-')
            .unwrap_or((range.as_str(), range.as_str()));
        let (lo, hi) = (lo.trim().parse::<f64>().ok(), hi.trim().parse::<f64>().ok());
        items.retain(|r| {
            r.value
                .get(field)
                .and_then(Value::as_f64)
                .is_some_and(|x| lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x <= h))
        });
    }
    if let Some(search) = &ctx.b.search {
        if let Some(word) = ctx
            .query
            .get(&search.query)
            .map(value_text)
            .filter(|w| !w.is_empty())
        {
            items.retain(|r| {
                search.fields.iter().any(|f| {
                    r.value
                        .get(f)
                        .is_some_and(|v| value_text(v).contains(&word))
                })
            });
        }
    }
    // Newest first; seeds (seq 0) keep their example order after the created records.
    items.sort_by_key(|r| std::cmp::Reverse(r.seq));
    let paging = [
        "page", "limit", "pageSize", "sort", "sortBy", "order", "keyword",
    ];
    if let Value::Object(q) = &ctx.query {
        for (k, v) in q {
            let searched = ctx.b.search.as_ref().is_some_and(|s| &s.query == k)
                || ctx.b.ranges.contains_key(k);
            if paging.contains(&k.as_str()) || v.is_null() || searched {
                continue;
            }
            let want = value_text(v);
            items.retain(|r| match r.value.get(k) {
                Some(x) => value_text(x) == want,
                None => true,
            });
        }
    }
    let q = |k: &str| {
        ctx.query
            .get(k)
            .map(value_text)
            .and_then(|s| s.parse::<usize>().ok())
    };
    let template_items = super::example_items(example);
    let default_limit = example
        .pointer("/pagination/limit")
        .and_then(Value::as_u64)
        .unwrap_or(20) as usize;
    let limit = q("limit")
        .or(q("pageSize"))
        .unwrap_or(default_limit)
        .clamp(1, 100);
    let page = q("page").unwrap_or(1).max(1);
    let total = items.len();
    let shaped: Vec<Value> = items
        .iter()
        .skip((page - 1) * limit)
        .take(limit)
        .map(|r| {
            let mut v = r.value.clone();
            if let Some(each) = &ctx.b.each {
                per_item(ctx, state, each, &mut v)?;
            }
            Ok(match template_items.first() {
                Some(t) => fit(t, &v),
                None => v,
            })
        })
        .collect::<Result<_, Refusal>>()?;
    Ok(match example {
        Value::Array(_) => Value::Array(shaped),
        Value::Object(_) => {
            let mut d = example.clone();
            d["list"] = Value::Array(shaped);
            let pages = total.div_ceil(limit);
            if d.get("pagination").is_some_and(Value::is_object) {
                d["pagination"] =
                    json!({"page": page, "limit": limit, "total": total, "totalPages": pages});
            }
            for (k, v) in [
                ("total", json!(total)),
                ("page", json!(page)),
                ("pageSize", json!(limit)),
                ("hasMore", json!(page < pages)),
            ] {
                if d.get(k).is_some() {
                    d[k] = v;
                }
            }
            d
        }
        other => other.clone(),
    })
}

fn auth_action(ctx: &mut Ctx, state: &mut State) -> Result<Value, Refusal> {
    let phone = body_str(ctx, "phone");
    let code = body_str(ctx, "code");
    match ctx.b.action {
        Action::AuthSendCode => {
            let mut d = ctx.example.clone();
            let id = state.new_key(Some("sms_0001"));
            if d.get("codeId").is_some() {
                d["codeId"] = json!(id);
            }
            Ok(d)
        }
        Action::AuthRegister => {
            if code != DEV_SMS_CODE {
                return Err(refuse(400, "验证码错误"));
            }
            if state.user_by_phone(&phone).is_some() {
                return Err(refuse(400, "手机号已注册"));
            }
            let password = ctx.body.get("password").map(value_text);
            let user = state.add_user(&phone, password);
            let tokens = state.issue(&user.id);
            Ok(session_data(ctx, &user, Some(tokens)))
        }
        Action::AuthLogin => {
            let password = body_str(ctx, "password");
            let user = state
                .user_by_phone(&phone)
                .filter(|u| u.password.as_deref() == Some(password.as_str()))
                .cloned()
                .ok_or_else(|| refuse(401, "手机号或密码错误"))?;
            let tokens = state.issue(&user.id);
            Ok(session_data(ctx, &user, Some(tokens)))
        }
        Action::AuthLoginWithCode => {
            if code != DEV_SMS_CODE {
                return Err(refuse(400, "验证码错误"));
            }
            let user = match state.user_by_phone(&phone).cloned() {
                Some(u) => u,
                None => state.add_user(&phone, None),
            };
            let tokens = state.issue(&user.id);
            Ok(session_data(ctx, &user, Some(tokens)))
        }
        Action::AuthWechatLogin => {
            if !code.starts_with(WECHAT_TEST_PREFIX) {
                return Err(refuse(401, "微信授权失败: 无效的授权码"));
            }
            let user = match state
                .wechat
                .get(&code)
                .and_then(|id| state.user(id))
                .cloned()
            {
                Some(u) => u,
                None => {
                    let u = state.add_user("", None);
                    state.wechat.insert(code.clone(), u.id.clone());
                    u
                }
            };
            let tokens = state.issue(&user.id);
            Ok(session_data(ctx, &user, Some(tokens)))
        }
        Action::AuthRefresh => {
            let rt = body_str(ctx, &ctx.s.options.refresh_field);
            let user_id = state
                .refresh
                .remove(&rt)
                .ok_or_else(|| refuse(401, "刷新令牌无效或已过期"))?;
            let (t, r) = state.issue(&user_id);
            let mut d = ctx.example.clone();
            d["token"] = json!(t);
            d["refreshToken"] = json!(r);
            Ok(fit(&ctx.example, &d))
        }
        Action::AuthLogout => {
            if let Some(t) = &ctx.token {
                state.tokens.remove(t);
            }
            Ok(ctx.example.clone())
        }
        Action::AuthCheckLogin | Action::AuthProfile => {
            let user = ctx
                .user
                .clone()
                .ok_or_else(|| refuse(401, "未登录或登录已过期"))?;
            Ok(session_data(ctx, &user, None))
        }
        Action::AuthBindPhone => {
            if code != DEV_SMS_CODE {
                return Err(refuse(400, "验证码错误"));
            }
            if let Some(me) = &ctx.user {
                if let Some(u) = state.users.iter_mut().find(|u| u.id == me.id) {
                    u.phone = phone;
                }
            }
            Ok(ctx.example.clone())
        }
        _ => Ok(ctx.example.clone()),
    }
}

/// Breaks a success answer on purpose for the data faults.
fn break_data(s: &Sandbox, c: &Contract, data: &mut Value) {
    let schema = c.response.data.clone().unwrap_or(Value::Bool(true));
    let resolve = |r: &str, base: &str| s.resolve_ref(r, base);
    if faulted(s, c, FaultKind::MissingField) {
        if let Some(p) = fault::first_required(&schema, data, &resolve) {
            fault::remove_at(data, &p);
        }
    }
    if faulted(s, c, FaultKind::WrongType) {
        match fault::first_leaf(data, &|v| v.is_number() || v.is_string() || v.is_boolean()) {
            Some(p) => {
                let replacement = match data.pointer(&p) {
                    Some(Value::String(_)) => json!(12345),
                    _ => json!("wrong-type"),
                };
                fault::set_at(data, &p, replacement);
            }
            None => *data = json!("wrong-type"),
        }
    }
    if faulted(s, c, FaultKind::WrongFormat) {
        if let Some(p) = fault::find_keyword(&schema, data, "format", &resolve, "", 0) {
            fault::set_at(data, &p, json!("not-a-valid-value"));
        }
    }
    if faulted(s, c, FaultKind::BadEnum) {
        if let Some(p) = fault::find_keyword(&schema, data, "enum", &resolve, "", 0) {
            fault::set_at(data, &p, json!("NOT_IN_CONTRACT_ENUM"));
        }
    }
}

pub fn handle(
    s: &Sandbox,
    method: &str,
    path: &str,
    query: Option<&str>,
    auth: Option<&str>,
    body: &[u8],
) -> Reply {
    let base = s.options.base_path.trim_end_matches('/');
    let Some(rel) = path
        .strip_prefix(base)
        .filter(|r| r.is_empty() || r.starts_with('/'))
    else {
        return framework_404(method, path);
    };
    let Some((c, params)) = route(s, method, rel) else {
        return framework_404(method, path);
    };
    if faulted(s, c, FaultKind::MissingRoute) {
        return framework_404(method, path);
    }
    let b = s.behaviours.get(&c.id).cloned().unwrap_or_default();
    let query_json: Value = {
        let mut m = Map::new();
        if let Some(q) = query {
            if let Ok(u) = reqwest::Url::parse(&format!("http://x/?{q}")) {
                for (k, v) in u.query_pairs() {
                    m.insert(k.into_owned(), Value::String(v.into_owned()));
                }
            }
        }
        Value::Object(m)
    };
    let body_json: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => return envelope_reply(s, 400, 400, "请求体不是合法的 JSON", Value::Null),
        }
    };
    // Authentication: a token this sandbox issued and that was not logged out.
    let token = auth
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let auth_off = faulted(s, c, FaultKind::AuthOff);
    let user = {
        let state = s.state.lock().unwrap_or_else(|e| e.into_inner());
        let known = token
            .as_ref()
            .and_then(|t| state.tokens.get(t))
            .and_then(|id| state.user(id))
            .cloned();
        // A backend that does not enforce auth still serves the request, as somebody.
        known.or_else(|| auth_off.then(|| state.users.first().cloned()).flatten())
    };
    if c.needs_auth() && user.is_none() && !auth_off {
        return envelope_reply(s, 401, 401, "未登录或登录已过期", Value::Null);
    }
    // Validation, naming the parameter.
    if let Some(compiled) = s.catalog.compiled.get(&c.id) {
        let parts = [
            (
                "path",
                &compiled.path_params,
                Value::Object(params.clone()),
                true,
            ),
            ("query", &compiled.query, query_json.clone(), true),
            ("body", &compiled.body, body_json.clone(), false),
        ];
        for (part, validator, value, coercible) in parts {
            let Some(v) = validator else { continue };
            let mut errs = violations(v, &value);
            if !errs.is_empty() && coercible {
                errs = violations(v, &coerce(&value));
            }
            if let Some(first) = errs.first() {
                if faulted(s, c, FaultKind::BadInput500) {
                    return envelope_reply(s, 500, 500, "Internal Server Error", Value::Null);
                }
                let name = |path: &str| {
                    format!("{part}.{}", path.trim_start_matches('/').replace('/', "."))
                };
                let missing: Vec<String> = errs
                    .iter()
                    .filter(|e| e.actual == "missing")
                    .map(|e| name(&e.path))
                    .collect();
                let msg = if missing.is_empty() {
                    format!(
                        "参数错误: {} 不合法 (期望 {}, 实际 {})",
                        name(&first.path),
                        first.expected,
                        first.actual
                    )
                } else {
                    format!("参数错误: 缺少必填参数 {}", missing.join(", "))
                };
                return envelope_reply(s, 400, 400, &msg, Value::Null);
            }
        }
    }
    let data_field = s.options.envelope.data.clone();
    let example = c
        .example
        .response
        .get(&data_field)
        .cloned()
        .unwrap_or(Value::Null);
    let message = c
        .example
        .response
        .get(&s.options.envelope.message)
        .and_then(Value::as_str)
        .unwrap_or("success")
        .to_string();
    let mut vars = Vars::new();
    flatten("body", &body_json, &mut vars);
    flatten("query", &query_json, &mut vars);
    flatten("path", &Value::Object(params.clone()), &mut vars);
    if let Some(u) = &user {
        vars.insert("user.id".into(), json!(u.id));
        vars.insert("user.phone".into(), json!(u.phone));
        vars.insert("user.nickname".into(), json!(u.nickname));
    }
    let mut ctx = Ctx {
        s,
        c,
        b: &b,
        user,
        token,
        path: params,
        query: query_json,
        body: body_json,
        vars,
        example,
    };
    let outcome = {
        let mut state = s.state.lock().unwrap_or_else(|e| e.into_inner());
        act(&mut ctx, &mut state).and_then(|mut d| {
            fill_counters(&ctx, &state, &mut d)?;
            fill_counts(&ctx, &state, &mut d)?;
            Ok(d)
        })
    };
    let mut data = match outcome {
        Ok(d) => d,
        Err(r) => return envelope_reply(s, http_for(r.code), r.code, &r.message, Value::Null),
    };
    if faulted(s, c, FaultKind::ServerError) {
        return envelope_reply(s, 500, 500, "Internal Server Error", Value::Null);
    }
    break_data(s, c, &mut data);
    let names = &s.options.envelope;
    let success = json!(names.success);
    let mut body = if faulted(s, c, FaultKind::EnvelopeMissing) {
        data
    } else if faulted(s, c, FaultKind::EnvelopeTypes) {
        fault::envelope(&json!(names.success.to_string()), &message, data, names)
    } else if faulted(s, c, FaultKind::SuccessCode) {
        fault::envelope(&json!(1), &message, data, names)
    } else {
        fault::envelope(&success, &message, data, names)
    }
    .to_string();
    if faulted(s, c, FaultKind::InvalidJson) {
        body.truncate(body.len() / 2);
    }
    let delay_ms = if faulted(s, c, FaultKind::Slow) {
        s.options.latency_budget_ms + 300
    } else {
        0
    };
    Reply {
        status: 200,
        content_type: "application/json; charset=utf-8",
        body,
        delay_ms,
        code: Some(names.success),
    }
}
