//! Lists and counts: which records a list shows (visibility, `where`, ranges, search, query filters),
//! in pages shaped like the example, with per-item counts and embedded records; `count` fields.

use super::{Ctx, BUILTINS};
use crate::contract::behaviour::{CountSpec, Each};
use crate::sandbox::json::{fit, flatten, insert_at, replace_at};
use crate::sandbox::reply::{refuse, Refusal};
use crate::sandbox::state::{Record, State};
use crate::scenario::assert::json_eq;
use crate::scenario::template::render;
use crate::scenario::template::value_text;
use serde_json::{json, Map, Value};

/// Query parameters about paging and order, never filters.
const PAGING: [&str; 7] = [
    "page", "limit", "pageSize", "sort", "sortBy", "order", "keyword",
];

pub(super) fn list(ctx: &Ctx, state: &State) -> Result<Value, Refusal> {
    let collection = ctx.behaviour.collection.clone().unwrap_or_default();
    let filters = render_where(ctx, &ctx.behaviour.r#where)?;
    let mut items: Vec<&Record> = matching(ctx, state, &collection, &filters);
    retain_in_ranges(ctx, &mut items);
    retain_searched(ctx, &mut items);
    // Newest first; seeds (seq 0) keep their example order after the created records.
    items.sort_by_key(|r| std::cmp::Reverse(r.seq));
    retain_query_filters(ctx, &mut items);
    page(ctx, state, &items)
}

/// The records of a collection the caller can see that match fixed filters, in stored order.
fn matching<'s>(
    ctx: &Ctx,
    state: &'s State,
    collection: &str,
    filters: &Map<String, Value>,
) -> Vec<&'s Record> {
    let records = state
        .records
        .get(collection)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    records
        .iter()
        .filter(|r| ctx.can_see(r) && matches_where(&r.value, filters))
        .collect()
}

/// `?price=0-300` keeps the records whose field is in the range (`a-b`, `a-` or `-b`).
fn retain_in_ranges(ctx: &Ctx, items: &mut Vec<&Record>) {
    for (param, field) in &ctx.behaviour.ranges {
        let Some(range) = ctx.query.get(param).map(value_text) else {
            continue;
        };
        let field = field.as_str().unwrap_or(param);
        let (lo, hi) = range
            .split_once('-')
            .unwrap_or((range.as_str(), range.as_str()));
        let (lo, hi) = (lo.trim().parse::<f64>().ok(), hi.trim().parse::<f64>().ok());
        items.retain(|r| {
            let x = r.value.get(field).and_then(Value::as_f64);
            x.is_some_and(|x| lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x <= h))
        });
    }
}

/// A keyword keeps the records with it in the text of one of the search fields.
fn retain_searched(ctx: &Ctx, items: &mut Vec<&Record>) {
    let Some(search) = &ctx.behaviour.search else {
        return;
    };
    let word = ctx.query.get(&search.query).map(value_text);
    let Some(word) = word.filter(|w| !w.is_empty()) else {
        return;
    };
    items.retain(|r| {
        (search.fields.iter()).any(|f| {
            r.value
                .get(f)
                .is_some_and(|v| value_text(v).contains(&word))
        })
    });
}

/// Any other query parameter filters on the record field of its name, where records have one.
fn retain_query_filters(ctx: &Ctx, items: &mut Vec<&Record>) {
    let Value::Object(query) = &ctx.query else {
        return;
    };
    let b = ctx.behaviour;
    for (k, v) in query {
        let searched = b.search.as_ref().is_some_and(|s| &s.query == k) || b.ranges.contains_key(k);
        if PAGING.contains(&k.as_str()) || v.is_null() || searched {
            continue;
        }
        let want = value_text(v);
        items.retain(|r| r.value.get(k).is_none_or(|x| value_text(x) == want));
    }
}

/// The requested page, shaped like the example.
fn page(ctx: &Ctx, state: &State, items: &[&Record]) -> Result<Value, Refusal> {
    let example = &ctx.example;
    let q = |k: &str| {
        ctx.query
            .get(k)
            .map(value_text)
            .and_then(|s| s.parse::<usize>().ok())
    };
    let default_limit = example
        .pointer("/pagination/limit")
        .and_then(Value::as_u64)
        .unwrap_or(20);
    let limit = q("limit")
        .or(q("pageSize"))
        .unwrap_or(default_limit as usize)
        .clamp(1, 100);
    let page = q("page").unwrap_or(1).max(1);
    let template = example_items(example).into_iter().next();
    let shaped: Vec<Value> = (items
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit))
    .map(|r| {
        let mut v = r.value.clone();
        if let Some(each) = &ctx.behaviour.each {
            per_item(ctx, state, each, &mut v)?;
        }
        Ok(match &template {
            Some(t) => fit(t, &v),
            None => v,
        })
    })
    .collect::<Result<_, Refusal>>()?;
    Ok(match example {
        Value::Object(_) => page_object(example, shaped, page, limit, items.len()),
        Value::Array(_) => Value::Array(shaped),
        other => other.clone(),
    })
}

/// A page object like the example, with this page's items and its paging fields brought up to date.
fn page_object(
    example: &Value,
    shaped: Vec<Value>,
    page: usize,
    limit: usize,
    total: usize,
) -> Value {
    let pages = total.div_ceil(limit);
    let mut d = example.clone();
    d["list"] = Value::Array(shaped);
    if d.get("pagination").is_some_and(Value::is_object) {
        d["pagination"] =
            json!({"page": page, "limit": limit, "total": total, "totalPages": pages});
    }
    let paging = [
        ("total", json!(total)),
        ("page", json!(page)),
        ("pageSize", json!(limit)),
        ("hasMore", json!(page < pages)),
    ];
    for (k, v) in paging {
        if d.get(k).is_some() {
            d[k] = v;
        }
    }
    d
}

/// The items of a list example: a bare array, or the `list` of a page.
pub(crate) fn example_items(data: &Value) -> Vec<Value> {
    match data {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .get("list")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        _ => vec![],
    }
}

/// Counts and embedded records for one list item, with its fields as `item.*`.
fn per_item(ctx: &Ctx, state: &State, each: &Each, item: &mut Value) -> Result<(), Refusal> {
    let mut vars = ctx.vars.clone();
    flatten("item", item, &mut vars);
    let records = |spec: &Value, what: &str| -> Result<Vec<Value>, Refusal> {
        let fail = |e: &dyn std::fmt::Display| refuse(500, format!("sandbox each.{what}: {e}"));
        let spec: CountSpec = serde_json::from_value(spec.clone()).map_err(|e| fail(&e))?;
        let mut filters = Map::new();
        for (k, v) in &spec.r#where {
            filters.insert(
                k.clone(),
                render(v, &vars, &BUILTINS).map_err(|e| fail(&e))?,
            );
        }
        let mut found = matching(ctx, state, &spec.collection, &filters);
        found.sort_by_key(|r| r.seq);
        Ok(found.into_iter().map(|r| r.value.clone()).collect())
    };
    for (pointer, spec) in &each.count {
        let n = records(spec, "count")?.len();
        insert_at(item, pointer, json!(n));
    }
    for (pointer, spec) in &each.embed {
        let list = records(spec, "embed")?;
        insert_at(item, pointer, Value::Array(list));
    }
    Ok(())
}

/// Writes the `count` fields: how many visible records match.
pub(super) fn fill_counts(ctx: &Ctx, state: &State, data: &mut Value) -> Result<(), Refusal> {
    for (pointer, spec) in &ctx.behaviour.count {
        let spec: CountSpec = serde_json::from_value(spec.clone())
            .map_err(|e| refuse(500, format!("sandbox count {pointer}: {e}")))?;
        let filters = render_where(ctx, &spec.r#where)?;
        let n = matching(ctx, state, &spec.collection, &filters).len();
        replace_at(data, pointer, json!(n));
    }
    Ok(())
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
    (filters.iter())
        .map(|(k, v)| Ok((k.clone(), ctx.render(v)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_filter_matches_an_absent_or_null_field_only() {
        let filters = Map::from_iter([("replyToId".to_string(), Value::Null)]);
        assert!(matches_where(&json!({"id": 1}), &filters));
        assert!(matches_where(&json!({"replyToId": null}), &filters));
        assert!(!matches_where(&json!({"replyToId": "c1"}), &filters));
    }

    #[test]
    fn a_value_filter_matches_by_value_or_by_text() {
        let filters = Map::from_iter([("postId".to_string(), json!("7"))]);
        assert!(matches_where(&json!({"postId": 7}), &filters));
        assert!(matches_where(&json!({"postId": "7"}), &filters));
        assert!(!matches_where(&json!({"postId": 8}), &filters));
        assert!(!matches_where(&json!({}), &filters));
    }

    #[test]
    fn example_items_come_from_an_array_or_a_pages_list() {
        assert_eq!(example_items(&json!([1, 2])), vec![json!(1), json!(2)]);
        assert_eq!(example_items(&json!({"list": [3]})), vec![json!(3)]);
        assert!(example_items(&json!({"items": [3]})).is_empty());
    }
}
