//! `client_controlled` (mass assignment): a creating endpoint gets its valid body plus the fields the
//! server must own (`security.server_owned`: an owner that is the secondary account, a status of
//! PAID, a price of 0.01 …). The server must refuse the request, or keep its own values: in the
//! creating answer and in the record read back through the contract's read-back endpoint. A record
//! the primary cannot read back but the secondary can went to the account named in the body.
//! With `refused` (a withdrawal larger than the balance) only a refusal will do.

use super::{spec, EndpointCheck, PRIMARY, SECONDARY};
use crate::check::{Expect, Refusal};
use crate::contract::security::{OwnedField, ServerOwned};
use crate::contract::RequestParts;
use crate::exec::request::{redact_finding, render_parts, TokenChoice};
use crate::result::{CaseKind, CaseResult, CheckKind, Finding, Status};
use crate::scenario::assert::json_eq;
use crate::scenario::path::{lookup, to_pointer};
use crate::scenario::template::{render, value_text, Vars};
use serde_json::{Map, Value};

impl EndpointCheck<'_> {
    pub(super) async fn client_controlled_case(
        &self,
        owned: &ServerOwned,
        happy: &RequestParts,
    ) -> CaseResult {
        let name = "服务端字段: 客户端提交的值不得生效";
        let vars = match self.owner_vars().await {
            Ok(vars) => vars,
            Err(why) => {
                return self.unsent(name, CaseKind::ClientControlled, Status::Blocked, &why)
            }
        };
        let tried = match tried_values(&owned.fields, &vars, self.cx.builtins) {
            Ok(tried) => tried,
            Err(why) => return self.unsent(name, CaseKind::ClientControlled, Status::Error, &why),
        };
        let mut body = happy.body.clone().unwrap_or(Value::Object(Map::new()));
        for (field, value) in &tried {
            put(&mut body, &field.field, value.clone());
        }
        let parts = RequestParts {
            body: Some(body),
            ..happy.clone()
        };
        let expect = if owned.refused {
            Expect::Refused(Refusal::ClientError)
        } else {
            Expect::ServedOrRefused
        };
        let token = self.account_token();
        let sent = self
            .send_keeping(spec(
                self,
                &parts,
                token,
                expect,
                CaseKind::ClientControlled,
                name,
            ))
            .await;
        let mut case = sent.case;
        let success = self.cx.config.envelope.success;
        let code_of = |b: &Value| b.get(&self.cx.config.envelope.code).and_then(Value::as_i64);
        let Some(answer) = sent
            .json
            .filter(|b| code_of(b) == Some(success) && !sent.hard)
        else {
            return case;
        };
        if owned.refused {
            return case;
        }
        let data = &self.cx.config.envelope.data;
        let mut found = kept(&tried, &answer, data, "the creating answer");
        match self.read_back(owned, &answer, &vars).await {
            ReadBack::Read { body, by } => {
                if by == SECONDARY {
                    found.push(
                        Finding::new(
                            CheckKind::ClientControlled,
                            format!(
                                "the record went to the account the body named: {SECONDARY} reads it back, {PRIMARY} cannot"
                            ),
                        )
                        .expected(format!("owned by {PRIMARY}"), format!("owned by {SECONDARY}")),
                    );
                }
                let place = format!("the record read back ({})", rb_endpoint(owned));
                found.extend(kept(&tried, &body, data, &place));
            }
            ReadBack::Unavailable(why) => case.reason = Some(why),
            ReadBack::NotAsked => {}
        }
        if !found.is_empty() {
            case.status = Status::Failed;
            let redactor = self.cx.redactor;
            case.findings
                .extend(found.into_iter().map(|f| redact_finding(redactor, f)));
        }
        case
    }

    /// `account.*` and `secondary.*`, for the values the fields try.
    async fn owner_vars(&self) -> Result<Vars, String> {
        let mut vars = self.cx.base_vars();
        for (prefix, account) in [("account", self.account), (SECONDARY, SECONDARY)] {
            let session = self.sessions.get(&self.cx.login(), account).await;
            match session {
                Ok(s) => s.vars_as(prefix, &mut vars),
                Err(e) => return Err(self.cx.redactor.text(&format!("登录失败: {e}"))),
            }
        }
        Ok(vars)
    }

    /// The created record read through the read-back endpoint: as the primary, else as the secondary
    /// (to tell a record that went to the secondary from one that cannot be read).
    async fn read_back(&self, owned: &ServerOwned, answer: &Value, vars: &Vars) -> ReadBack {
        let Some(rb) = &owned.read_back else {
            return ReadBack::NotAsked;
        };
        let Some(reader) = self.cx.catalog.contract(&rb.endpoint) else {
            return ReadBack::Unavailable(format!("读回接口 {} 不存在", rb.endpoint));
        };
        let mut vars = vars.clone();
        for (var, path) in &rb.capture {
            match lookup(answer, path) {
                Some(v) => {
                    vars.insert(var.clone(), v.clone());
                }
                None => {
                    return ReadBack::Unavailable(format!("创建的响应在 {path} 没有值, 没有读回"))
                }
            }
        }
        let run = reader.run.clone().unwrap_or_default();
        let example = Some(&reader.example.request);
        let builtins = self.cx.builtins;
        let parts = match render_parts(example, None, &run.request, &vars, builtins) {
            Ok(p) => p,
            Err(e) => return ReadBack::Unavailable(format!("读回请求无法构造: {e}")),
        };
        let mut refused = String::new();
        for account in [PRIMARY, SECONDARY] {
            let reading = self.as_other(reader, account, self.sessions);
            match reading
                .plain(&parts, TokenChoice::Account(account.into()))
                .await
            {
                Ok(body) => return ReadBack::Read { body, by: account },
                Err(why) if account == PRIMARY => refused = why,
                Err(_) => {}
            }
        }
        ReadBack::Unavailable(format!("读回 {} 失败: {refused}", reader.id))
    }
}

enum ReadBack {
    /// The record as `by` read it.
    Read {
        body: Value,
        by: &'static str,
    },
    Unavailable(String),
    NotAsked,
}

/// Each field's value rendered (`{{secondary.user_id}}`).
fn tried_values<'f>(
    fields: &'f [OwnedField],
    vars: &Vars,
    builtins: &crate::scenario::template::Builtins,
) -> Result<Vec<(&'f OwnedField, Value)>, String> {
    (fields.iter())
        .map(|f| {
            render(&f.value, vars, builtins)
                .map(|v| (f, v))
                .map_err(|e| format!("security.server_owned `{}`: {e}", f.field))
        })
        .collect()
}

/// Sets `value` at a dotted path of `body`, making the objects on the way.
fn put(body: &mut Value, path: &str, value: Value) {
    let mut at = body;
    let mut segments = path.split('.').peekable();
    while let Some(key) = segments.next() {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(fields) = at else { return };
        if segments.peek().is_none() {
            fields.insert(key.to_string(), value);
            return;
        }
        at = fields
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

fn rb_endpoint(owned: &ServerOwned) -> &str {
    owned.read_back.as_ref().map_or("", |r| r.endpoint.as_str())
}

/// The fields whose tried value shows in an answer (`place` says which answer).
fn kept(tried: &[(&OwnedField, Value)], answer: &Value, data: &str, place: &str) -> Vec<Finding> {
    let mut out = vec![];
    for (field, value) in tried {
        let read = field.read_at(data);
        let Some(shown) = lookup(answer, &read) else {
            continue;
        };
        if json_eq(shown, value) || value_text(shown) == value_text(value) {
            out.push(
                Finding::new(
                    CheckKind::ClientControlled,
                    format!("{place} kept the client's `{}`", field.field),
                )
                .at(to_pointer(&read).unwrap_or_default())
                .expected("the server's own value", value_text(shown)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(f: &str, read: Option<&str>) -> OwnedField {
        OwnedField {
            field: f.into(),
            value: Value::Null,
            read: read.map(str::to_string),
        }
    }

    #[test]
    fn a_dotted_field_is_set_inside_the_body() {
        let mut body = json!({"a": 1, "amount": {"fee": 5}});
        put(&mut body, "status", json!("PAID"));
        put(&mut body, "amount.totalAmount", json!(0.01));
        put(&mut body, "x.y.z", json!(true));
        assert_eq!(
            body,
            json!({"a": 1, "amount": {"fee": 5, "totalAmount": 0.01}, "status": "PAID",
                   "x": {"y": {"z": true}}})
        );
    }

    #[test]
    fn a_value_that_shows_as_sent_is_kept_even_as_text() {
        let (status, price, owner) = (
            field("status", None),
            field("totalAmount", None),
            field("userId", Some("data.owner.id")),
        );
        let tried = vec![
            (&status, json!("PAID")),
            (&price, json!(0.01)),
            (&owner, json!("u_2")),
        ];
        let answer =
            json!({"data": {"status": "PAID", "totalAmount": "0.01", "owner": {"id": "u_1"}}});
        let found = kept(&tried, &answer, "data", "the record read back");
        let paths: Vec<_> = found.iter().map(|f| f.path.as_deref()).collect();
        assert_eq!(paths, [Some("/data/status"), Some("/data/totalAmount")]);
        assert_eq!(
            found[0].message,
            "the record read back kept the client's `status`"
        );
        let own = json!({"data": {"status": "PENDING_PAYMENT", "totalAmount": 1320}});
        assert!(kept(&tried, &own, "data", "x").is_empty());
    }
}
