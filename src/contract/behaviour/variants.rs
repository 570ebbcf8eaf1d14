//! Variants: behaviours that depend on the request (a payment by wallet is paid at once, a payment by
//! WeChat waits for the callback). Each is resolved once, when the contracts load, into the whole
//! behaviour it makes: the base with the variant's keys added.

use super::{Behaviour, BehaviourError, Rule};
use serde_json::{Map, Value};

/// Each variant of `base` (the `sandbox` key as written), with its condition.
pub(super) fn resolve(
    base: &Value,
    variants: &[Value],
) -> Result<Vec<(Rule, Behaviour)>, BehaviourError> {
    let mut out = vec![];
    for (i, variant) in variants.iter().enumerate() {
        let at = |inner: BehaviourError| BehaviourError {
            path: join(&format!("variants[{i}]"), &inner.path),
            source: inner.source,
        };
        let Value::Object(keys) = variant else {
            return Err(at(error("", "a variant is an object with `when`")));
        };
        let mut keys = keys.clone();
        let when = keys
            .remove("when")
            .ok_or_else(|| at(error("", "missing field `when`")))?;
        let when: Rule = serde_path_to_error::deserialize(when).map_err(|e| {
            at(BehaviourError {
                path: join("when", &e.path().to_string()),
                source: e.into_inner(),
            })
        })?;
        if keys.contains_key("variants") {
            return Err(at(error(
                "variants",
                "a variant has no variants of its own",
            )));
        }
        let mut whole = base.clone();
        if let Value::Object(o) = &mut whole {
            o.remove("variants");
            add(o, keys);
        }
        out.push((when, Behaviour::parse(&whole).map_err(at)?));
    }
    Ok(out)
}

/// The variant's keys added to the base's: lists extend the base's, objects merge over them (key by
/// key, deeply), anything else replaces.
fn add(base: &mut Map<String, Value>, variant: Map<String, Value>) {
    for (k, v) in variant {
        match (base.get_mut(&k), v) {
            (Some(Value::Array(mine)), Value::Array(more)) => mine.extend(more),
            (Some(mine @ Value::Object(_)), more @ Value::Object(_)) => {
                crate::scenario::template::merge(mine, &more)
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn error(path: &str, message: &str) -> BehaviourError {
    BehaviourError {
        path: path.to_string(),
        source: serde::de::Error::custom(message),
    }
}

/// `variants[0]` and `when.equal` → `variants[0].when.equal`; an empty or root path adds nothing.
fn join(prefix: &str, path: &str) -> String {
    match path.trim_matches('.') {
        "" => prefix.to_string(),
        rest => format!("{prefix}.{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_variant_adds_its_lists_and_merges_its_objects() {
        let base = json!({
            "action": "create", "collection": "payments",
            "lookup": {"collection": "orders", "param": "body.orderId"},
            "require": [{"value": "{{body.amount}}", "gt": 0, "message": "金额"}],
            "set": {"status": "PENDING", "method": "{{body.paymentMethod}}"},
            "variants": [{
                "when": {"value": "{{body.paymentMethod}}", "equals": "wallet"},
                "require": [{"value": "{{counter.wallet.balance}}", "gte": "{{body.amount}}", "message": "余额不足"}],
                "set": {"status": "SUCCESS"},
                "lookup": {"set": {"status": "PAID"}}
            }]
        });
        let b = Behaviour::parse(&base).expect("parses");
        assert_eq!(b.resolved_variants.len(), 1);
        let (when, wallet) = &b.resolved_variants[0];
        assert_eq!(when.equals, Some(json!("wallet")));
        let messages: Vec<&str> = wallet.require.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(messages, ["金额", "余额不足"]);
        assert_eq!(wallet.set["status"], json!("SUCCESS"));
        assert_eq!(wallet.set["method"], json!("{{body.paymentMethod}}"));
        let lookup = wallet.lookup.as_ref().expect("lookup kept");
        assert_eq!(
            (lookup.collection.as_str(), lookup.set["status"].clone()),
            ("orders", json!("PAID"))
        );
        assert!(wallet.resolved_variants.is_empty());
        assert_eq!(b.all_rules().len(), 4);
    }

    #[test]
    fn a_bad_variant_is_named_where_it_is_written() {
        let no_when = json!({"variants": [{"set": {"a": 1}}]});
        let err = Behaviour::parse(&no_when).expect_err("no when").to_string();
        assert_eq!(err, "sandbox.variants[0]: missing field `when`");
        let bad_rule = json!({"variants": [{"when": {"value": 1, "equal": 2}}]});
        let err = Behaviour::parse(&bad_rule).expect_err("typo").to_string();
        assert!(err.starts_with("sandbox.variants[0].when."), "{err}");
        let bad_inner =
            json!({"variants": [{"when": {"value": 1, "equals": 1}, "effects": [{"add": 1}]}]});
        let err = Behaviour::parse(&bad_inner)
            .expect_err("effect without counter")
            .to_string();
        assert!(err.starts_with("sandbox.variants[0].effects[0]"), "{err}");
        let no_message = json!({"require": [{"value": 1, "equals": 1}]});
        assert_eq!(
            Behaviour::parse(&no_message)
                .expect_err("message")
                .to_string(),
            "sandbox.require[0]: missing field `message`"
        );
    }
}
