//! The file name (`contracts/<module>/<name>.json`) an imported endpoint gets.
//!
//! The path is taken relative to `/api/v1` and split into segments. `module` is the first segment (or the
//! plan's module for the route; when that differs, the first segment stays part of the name, so
//! `POST /invite/generate-code` in module `coupons` is `coupons/invite-generate-code`). The remaining
//! literal segments are the *words*, kebab-cased (`paymentPassword` → `payment-password`); a word directly
//! followed by a `{param}` names one item and is made singular (`/hosting/vehicles/{id}` → `vehicle`).
//! Then the method decides:
//!
//! | path after the module          | GET            | POST                     | PUT / PATCH          | DELETE        |
//! |--------------------------------|----------------|--------------------------|----------------------|---------------|
//! | nothing (`/orders`)            | `list`         | `create`                 | `update` / `patch`   | `delete`      |
//! | ends in `{param}`              | words+`detail` | words (or `submit`)      | words+`update`/`patch` | words+`delete` |
//! | ends in a word                 | words          | words, or `create-`+words singular when the last word is plural | `update-`+words / `patch-`+words | `delete-`+words |
//!
//! A module root that is not a plural noun (`GET /about`) reads as one resource: `detail`.
//!
//! Examples: `GET /vehicles` → `vehicles/list`, `GET /vehicles/{id}` → `vehicles/detail`,
//! `POST /vehicles/{id}/favorite` → `vehicles/favorite`, `GET /hosting/income/detail` →
//! `hosting/income-detail`, `POST /community/posts` → `community/create-post`, `GET /community/posts/{id}` →
//! `community/post-detail`, `PUT /orders/{orderNo}/status` → `orders/update-status`,
//! `POST /crowdfunding/shares/buy/{transactionId}` → `crowdfunding/shares-buy`.
//! Two routes that still meet on one name get `-2`, `-3`, … in document order (reported).

/// `camelCase`, `snake_case` and `kebab-case` → `kebab-case` (ASCII letters, digits and dashes only).
pub fn kebab(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            prev_lower = true;
        } else {
            out.push('-');
            prev_lower = false;
        }
    }
    out.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A plural English word made singular (`categories` → `category`, `batches` → `batch`, `posts` → `post`);
/// only the last dash-separated part of a kebab word changes.
pub fn singular(word: &str) -> String {
    let (head, last) = match word.rsplit_once('-') {
        Some((h, l)) => (format!("{h}-"), l),
        None => (String::new(), word),
    };
    let one = if let Some(stem) = last.strip_suffix("ies").filter(|s| s.len() > 1) {
        format!("{stem}y")
    } else if last.ends_with("sses")
        || last.ends_with("ches")
        || last.ends_with("shes")
        || last.ends_with("xes")
    {
        last[..last.len() - 2].to_string()
    } else if last.len() > 3
        && last.ends_with('s')
        && !last.ends_with("ss")
        && !last.ends_with("us")
        && !last.ends_with("is")
    {
        last[..last.len() - 1].to_string()
    } else {
        last.to_string()
    };
    format!("{head}{one}")
}

fn is_plural(word: &str) -> bool {
    singular(word) != word
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// The module a path belongs to when no plan says otherwise: its first segment, kebab-cased.
pub fn module_of(path: &str) -> String {
    path.split('/')
        .find(|s| !s.is_empty())
        .map(kebab)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "root".to_string())
}

/// The contract name (file stem) for `method path` in `module`, by the rule in the module docs.
pub fn contract_name(method: &str, path: &str, module: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let rest: &[&str] = match segments.first() {
        Some(first) if kebab(first) == module => &segments[1..],
        _ => &segments[..],
    };
    let mut words: Vec<String> = vec![];
    for (i, seg) in rest.iter().enumerate() {
        if is_param(seg) {
            continue;
        }
        let w = kebab(seg);
        if w.is_empty() {
            continue;
        }
        let names_an_item = rest.get(i + 1).is_some_and(|n| is_param(n));
        words.push(if names_an_item { singular(&w) } else { w });
    }
    let method = method.to_ascii_uppercase();
    let join = |parts: &[String]| parts.join("-");
    let with = |verb: &str| -> String {
        let mut parts = words.clone();
        parts.push(verb.to_string());
        join(&parts)
    };
    let prefixed = |verb: &str| -> String {
        let mut parts = vec![verb.to_string()];
        parts.extend(words.iter().cloned());
        join(&parts)
    };
    let name = if rest.is_empty() {
        let collection = is_plural(module);
        match method.as_str() {
            "GET" if collection => "list".to_string(),
            "GET" => "detail".to_string(),
            "POST" => "create".to_string(),
            "PUT" => "update".to_string(),
            "PATCH" => "patch".to_string(),
            "DELETE" => "delete".to_string(),
            other => kebab(other),
        }
    } else if rest.last().is_some_and(|s| is_param(s)) {
        match method.as_str() {
            "GET" => with("detail"),
            "PUT" => with("update"),
            "PATCH" => with("patch"),
            "DELETE" => with("delete"),
            _ if words.is_empty() => "submit".to_string(),
            _ => join(&words),
        }
    } else {
        match method.as_str() {
            "GET" => join(&words),
            "POST" => match words.split_last() {
                Some((last, init)) if is_plural(last) => {
                    let mut parts = vec!["create".to_string()];
                    parts.extend(init.iter().cloned());
                    parts.push(singular(last));
                    join(&parts)
                }
                _ => join(&words),
            },
            "PUT" => prefixed("update"),
            "PATCH" => prefixed("patch"),
            "DELETE" => prefixed("delete"),
            other => prefixed(&kebab(other)),
        }
    };
    if name.is_empty() {
        "endpoint".to_string()
    } else {
        name
    }
}
