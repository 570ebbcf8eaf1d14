//! What changes a record's state: the transitions a field may make (an order PAID → CONFIRMED →
//! COMPLETED), the values an update pushes onto array fields (its status log), and which variant of a
//! behaviour the request calls for (a payment by wallet is paid at once).

use super::rules::applies;
use super::Ctx;
use crate::contract::behaviour::Behaviour;
use crate::sandbox::reply::{refuse, Refusal};
use crate::scenario::template::value_text;
use serde_json::{Map, Value};

/// The first variant whose `when` holds for this request, if one.
pub(crate) fn variant<'b>(ctx: &Ctx<'b>) -> Result<Option<&'b Behaviour>, Refusal> {
    let behaviour: &'b Behaviour = ctx.behaviour;
    if behaviour.resolved_variants.is_empty() {
        return Ok(None);
    }
    let state = ctx.sandbox.state.lock().unwrap_or_else(|e| e.into_inner());
    for (when, b) in &behaviour.resolved_variants {
        if applies(ctx, &state, when)? == Some(true) {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// An update of a record whose field has a state machine may only move it to a state allowed from
/// the one it is in: else 400. A request that does not say the new state changes nothing here.
pub(super) fn check_transition(ctx: &Ctx, record: &Value) -> Result<(), Refusal> {
    let Some(t) = &ctx.behaviour.transition else {
        return Ok(());
    };
    let Some(to) = ctx.render_known(&t.to)? else {
        return Ok(());
    };
    let from = record.get(&t.field).map(value_text).unwrap_or_default();
    let allowed = t.allowed.get(&from).is_some_and(|next| next.contains(&to));
    if allowed {
        Ok(())
    } else {
        let message = t.message.replace("{from}", &from).replace("{to}", &to);
        Err(refuse(400, message))
    }
}

/// Pushes each rendered value onto its array field of the record (a field that is not an array yet
/// becomes one).
pub(super) fn append(
    ctx: &Ctx,
    fields: &Map<String, Value>,
    record: &mut Value,
) -> Result<(), Refusal> {
    let Value::Object(o) = record else {
        return Ok(());
    };
    for (field, entry) in fields {
        let entry = ctx.render(entry)?;
        match o.get_mut(field) {
            Some(Value::Array(items)) => items.push(entry),
            _ => {
                o.insert(field.clone(), Value::Array(vec![entry]));
            }
        }
    }
    Ok(())
}

/// A create refused because the caller already has a record with the same value of the behaviour's
/// `unique_by` field (an order is rated once).
pub(super) fn check_unique_by(
    ctx: &Ctx,
    records: Option<&Vec<crate::sandbox::state::Record>>,
    owner: Option<&str>,
    new: &Value,
) -> Result<(), Refusal> {
    let Some(field) = &ctx.behaviour.unique_by else {
        return Ok(());
    };
    let Some(value) = new.get(field) else {
        return Ok(());
    };
    let taken = records.is_some_and(|rs| {
        rs.iter()
            .any(|r| r.owner.as_deref() == owner && r.value.get(field) == Some(value))
    });
    if taken {
        Err(refuse(
            400,
            format!("请勿重复操作: 已有相同 {field} 的记录"),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
