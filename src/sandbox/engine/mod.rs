//! The declarative behaviours of [`super::behaviour`]: rules, lookups, the record actions (create, get,
//! update, delete, list), further records, counters and counts. No endpoint has code of its own.

pub(crate) mod context;
mod list;
mod rules;
mod seed;
mod states;
#[cfg(test)]
mod tests;

use super::auth;
use super::json::{fit, flatten, replace_at, substitute};
use super::reply::{refuse, Refusal};
use super::state::{Record, State};
use crate::contract::behaviour::{Action, Lookup};
use crate::scenario::template::value_text;
use crate::scenario::template::{merge, render};
use rules::check_rules;
use serde_json::{json, Map, Value};

pub(crate) use context::{Ctx, BUILTINS};
pub(crate) use seed::seed;
pub(crate) use states::variant;

/// The answer data of a request, with its counters and counts filled in.
pub(crate) fn answer(ctx: &mut Ctx) -> Result<Value, Refusal> {
    let mut state = ctx.sandbox.state.lock().unwrap_or_else(|e| e.into_inner());
    let mut data = act(ctx, &mut state)?;
    fill_counters(ctx, &state, &mut data)?;
    list::fill_counts(ctx, &state, &mut data)?;
    Ok(data)
}

fn act(ctx: &mut Ctx, state: &mut State) -> Result<Value, Refusal> {
    once_per_day(ctx, state)?;
    let looked_up = look_up(ctx, state)?;
    let b = ctx.behaviour;
    let data = match b.action {
        Action::Static => static_answer(ctx, state)?,
        Action::Create => create(ctx, state)?,
        Action::Get if b.or_null && find_record(ctx, state).is_err() => Value::Null,
        Action::Get | Action::Update | Action::Delete => on_record(ctx, state)?,
        Action::List => {
            check_rules(ctx, state, &b.require)?;
            list::list(ctx, state)?
        }
        _ => auth::act(ctx, state)?,
    };
    update_looked_up(ctx, state, looked_up)?;
    write_also(ctx, state)?;
    apply_effects(ctx, state)?;
    Ok(data)
}

fn once_per_day(ctx: &Ctx, state: &mut State) -> Result<(), Refusal> {
    if ctx.behaviour.once_per_day {
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        let who = ctx.user_id().unwrap_or_default().to_string();
        if !state.once.insert((ctx.contract.id.clone(), who, today)) {
            return Err(refuse(400, "今天已经操作过了"));
        }
    }
    Ok(())
}

/// A record found by a lookup: its collection and position, to update after the action.
struct Found<'b> {
    lookup: &'b Lookup,
    index: usize,
}

/// Finds the records the request refers to (404 when one is missing) and adds their fields to the
/// variables, under the lookup's name. Whoever owns them: rules decide whether the caller may refer
/// to them (`lookup.userId`).
fn look_up<'b>(ctx: &mut Ctx<'b>, state: &State) -> Result<Vec<Found<'b>>, Refusal> {
    let behaviour = ctx.behaviour;
    let mut found = vec![];
    for l in behaviour.lookups() {
        let name = l.r#as.as_deref().unwrap_or("lookup");
        let key = ctx.param(&l.param);
        let missing = || refuse(l.code, l.message.clone());
        if l.collection == "$users" {
            let u = key
                .and_then(|k| state.user(&k).cloned())
                .ok_or_else(missing)?;
            let v = json!({"id": u.id, "phone": u.phone, "nickname": u.nickname});
            flatten(name, &v, &mut ctx.vars);
            continue;
        }
        let records = state.records.get(&l.collection);
        let index = key
            .and_then(|k| records?.iter().position(|r| r.key == k))
            .ok_or_else(missing)?;
        let record = state.records[&l.collection][index].value.clone();
        flatten(name, &record, &mut ctx.vars);
        found.push(Found { lookup: l, index });
    }
    Ok(found)
}

fn update_looked_up(ctx: &Ctx, state: &mut State, found: Vec<Found>) -> Result<(), Refusal> {
    for Found { lookup, index } in found {
        let mut updates = Map::new();
        for (k, v) in &lookup.set {
            updates.insert(k.clone(), ctx.render(v)?);
        }
        let record = state
            .records
            .get_mut(&lookup.collection)
            .and_then(|rs| rs.get_mut(index));
        if let Some(r) = record {
            if let Value::Object(o) = &mut r.value {
                o.extend(updates);
            }
            states::append(ctx, &lookup.append, &mut r.value)?;
        }
    }
    Ok(())
}

/// The example, with the example's path parameter values replaced by the requested ones.
fn static_answer(ctx: &Ctx, state: &State) -> Result<Value, Refusal> {
    check_rules(ctx, state, &ctx.behaviour.require)?;
    let example_params = ctx.contract.example.request.path_params.as_ref();
    let pairs: Vec<(String, String)> = (example_params.and_then(Value::as_object).into_iter())
        .flatten()
        .filter_map(|(k, v)| Some((value_text(v), value_text(ctx.path.get(k)?))))
        .collect();
    let mut d = ctx.example.clone();
    substitute(&mut d, &pairs);
    apply_set(ctx, state, &mut d)?;
    Ok(d)
}

fn create(ctx: &mut Ctx, state: &mut State) -> Result<Value, Refusal> {
    let b = ctx.behaviour;
    check_rules(ctx, state, &b.require)?;
    let collection = b
        .collection
        .clone()
        .unwrap_or_else(|| ctx.contract.id.clone());
    let key = match &b.key_from {
        Some(t) => ctx.render_text(t)?,
        None => state.new_key(ctx.example.get(&b.key).and_then(Value::as_str)),
    };
    let mut owner = match &b.owner {
        Some(t) => Some(ctx.render_text(t)?),
        None => ctx.owner(),
    };
    let records = state.records.get(&collection);
    if b.unique && records.is_some_and(|rs| rs.iter().any(|r| r.key == key && r.owner == owner)) {
        return Err(refuse(400, "请勿重复操作"));
    }
    let mut value = match &ctx.example {
        v @ Value::Object(_) => v.clone(),
        _ => json!({}),
    };
    merge_body(ctx, &mut value);
    value[&b.key] = Value::String(key.clone());
    ctx.vars.insert("record.key".into(), json!(key));
    apply_set(ctx, state, &mut value)?;
    trust_client(ctx, &mut value, &mut owner);
    states::check_unique_by(
        ctx,
        state.records.get(&collection),
        owner.as_deref(),
        &value,
    )?;
    let seq = state.next_seq();
    let record = Record {
        key,
        owner,
        value: value.clone(),
        seq,
    };
    state.records.entry(collection).or_default().push(record);
    Ok(fit(&ctx.example, &value))
}

/// get, update or delete the record the request names, once the rules hold for it (`record.*`).
fn on_record(ctx: &mut Ctx, state: &mut State) -> Result<Value, Refusal> {
    let (collection, i) = find_record(ctx, state)?;
    let record = state.records[&collection][i].value.clone();
    flatten("record", &record, &mut ctx.vars);
    check_rules(ctx, state, &ctx.behaviour.require)?;
    match ctx.behaviour.action {
        Action::Update => {
            let mut value = record;
            states::check_transition(ctx, &value)?;
            merge_body(ctx, &mut value);
            apply_set(ctx, state, &mut value)?;
            states::append(ctx, &ctx.behaviour.append, &mut value)?;
            trust_client(ctx, &mut value, &mut None);
            if let Some(r) = state
                .records
                .get_mut(&collection)
                .and_then(|rs| rs.get_mut(i))
            {
                r.value = value.clone();
            }
            Ok(fit(&ctx.example, &value))
        }
        Action::Delete => {
            if let Some(rs) = state.records.get_mut(&collection) {
                rs.remove(i);
            }
            record_answer(ctx, state, &record)
        }
        _ => record_answer(ctx, state, &record),
    }
}

/// Overlays the request body's fields on a record: those its body schema declares, as a correct
/// backend takes what it asked for and nothing a client adds (every field when the schema declares
/// none). A body that is not an object has no fields: the record stays an object.
fn merge_body(ctx: &Ctx, record: &mut Value) {
    let Value::Object(body) = &ctx.body else {
        return;
    };
    let declared = ctx.declared_body_fields();
    let taken: Map<String, Value> = (body.iter())
        .filter(|(k, _)| declared.is_empty() || declared.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    merge(record, &Value::Object(taken));
}

/// A backend that trusts its client (the `trust-client-price` fault): every field the client sent
/// wins over the server's own values, and a `userId` in the body names the owner.
fn trust_client(ctx: &Ctx, record: &mut Value, owner: &mut Option<String>) {
    if !ctx.trusts_client() || !ctx.body.is_object() {
        return;
    }
    merge(record, &ctx.body);
    if let Some(Value::String(user)) = ctx.body.get("userId") {
        *owner = Some(user.clone());
    }
}

/// The record shaped like the example, with `set` applied (`null` when the example is).
fn record_answer(ctx: &Ctx, state: &State, record: &Value) -> Result<Value, Refusal> {
    if ctx.example.is_null() {
        return Ok(Value::Null);
    }
    let mut d = fit(&ctx.example, record);
    apply_set(ctx, state, &mut d)?;
    Ok(d)
}

/// The collection and position of the record the request names, among those the caller can see.
fn find_record(ctx: &Ctx, state: &State) -> Result<(String, usize), Refusal> {
    let collection = ctx.behaviour.collection.clone().unwrap_or_default();
    let key = ctx.key_param().ok_or_else(|| refuse(400, "缺少资源标识"))?;
    let records = state
        .records
        .get(&collection)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let i = records.iter().position(|r| r.key == key && ctx.can_see(r));
    i.map(|i| (collection, i))
        .ok_or_else(|| refuse(404, "资源不存在"))
}

fn apply_set(ctx: &Ctx, state: &State, target: &mut Value) -> Result<(), Refusal> {
    let set = &ctx.behaviour.set;
    let (vars, _) = ctx.vars_with_counters(state, set.values())?;
    if let Value::Object(o) = target {
        for (k, v) in set {
            let rendered = render(v, &vars, &BUILTINS)
                .map_err(|e| refuse(500, format!("sandbox set.{k}: {e}")))?;
            o.insert(k.clone(), rendered);
        }
    }
    Ok(())
}

/// The further records an action writes (`also`), owned like the action's own unless they say whose
/// they are; one for an owner nobody knows is not written.
fn write_also(ctx: &Ctx, state: &mut State) -> Result<(), Refusal> {
    for also in &ctx.behaviour.also {
        let owner = match &also.owner {
            None => ctx.owner(),
            Some(t) => match ctx.render_known(t)? {
                Some(o) => Some(o),
                None => continue,
            },
        };
        let key = state.new_key(None);
        let mut value = json!({});
        value[&also.key] = json!(key);
        let (vars, _) = ctx.vars_with_counters_of(state, also.set.values(), owner.as_deref())?;
        for (k, v) in &also.set {
            value[k] = render(v, &vars, &BUILTINS)
                .map_err(|e| refuse(500, format!("sandbox also.set.{k}: {e}")))?;
        }
        let seq = state.next_seq();
        let record = Record {
            key,
            owner,
            value,
            seq,
        };
        state
            .records
            .entry(also.collection.clone())
            .or_default()
            .push(record);
    }
    Ok(())
}

/// Moves the counters: the caller's, or those of the user an effect names (one nobody knows is left
/// alone).
fn apply_effects(ctx: &Ctx, state: &mut State) -> Result<(), Refusal> {
    for e in &ctx.behaviour.effects {
        let user = match &e.user {
            None => None,
            Some(t) => match ctx.render_known(t)? {
                Some(u) => Some(u),
                None => continue,
            },
        };
        let add = match ctx.render(&e.add)? {
            Value::Number(n) => n.as_f64().unwrap_or(0.0),
            Value::String(s) => s.parse::<f64>().unwrap_or(0.0),
            _ => 0.0,
        };
        let current = ctx.counter(state, &e.counter, user.as_deref())?;
        let key = ctx.counter_key(&ctx.render_text(&e.counter)?, user.as_deref());
        state
            .counters
            .insert(key, ((current + add) * 100.0).round() / 100.0);
    }
    Ok(())
}

/// Writes the counters the behaviour reads into the answer (whole numbers as integers).
fn fill_counters(ctx: &Ctx, state: &State, data: &mut Value) -> Result<(), Refusal> {
    for (pointer, name) in &ctx.behaviour.counters {
        if let Some(t) = name.as_str() {
            let v = ctx.counter(state, t, None)?;
            let n = if v.fract() == 0.0 {
                json!(v as i64)
            } else {
                json!(v)
            };
            replace_at(data, pointer, n);
        }
    }
    Ok(())
}
