//! `isolation` (越权): another account must not reach the primary's records.
//!
//! - A path parameter names the primary's record when a write of the primary's setup captured it (the
//!   order the setup created, the rating, the listing …) or the contract marks it (`security.owner`).
//!   The secondary account then sends the endpoint's own request: a read, a change or a delete, each
//!   must be refused with 403 or 404. A read goes to the record the setup made, after the primary's
//!   own requests; a write gets a record of its own (the setup run again), so a backend that wrongly
//!   lets the secondary change or delete leaves every other request of the check meaningful, and the
//!   secondary only ever writes to a record this run made for it to try.
//! - A list of the primary's own records (`security.own_list`): one record is made for each account
//!   (through the creating endpoint's valid request, in sessions of the case's own), the list is read
//!   as the primary, and the secondary's record must not be in it.

use super::{spec, EndpointCheck, PRIMARY, SECONDARY};
use crate::catalog::Catalog;
use crate::check::{Expect, Refusal};
use crate::contract::security::OwnList;
use crate::contract::{Contract, RequestParts};
use crate::exec::request::{redact_finding, TokenChoice};
use crate::exec::session::Sessions;
use crate::result::{CaseKind, CaseResult, CheckKind, Finding, Status};
use crate::scenario::path::lookup;
use crate::scenario::template::{referenced_vars, value_text};
use serde_json::Value;

impl EndpointCheck<'_> {
    /// The path parameters naming a record the primary owns.
    pub(super) fn owned_params(&self) -> Vec<String> {
        if self.account != PRIMARY || !self.contract.needs_auth() {
            return vec![];
        }
        owned_params(self.contract, self.cx.catalog)
    }

    pub(super) async fn isolation_cases(
        &self,
        happy: &RequestParts,
        setups: &mut Vec<CaseResult>,
    ) -> Vec<CaseResult> {
        let mut out = vec![];
        let owned = self.owned_params();
        if !owned.is_empty() {
            out.push(self.anothers_request(happy, &owned, setups).await);
        }
        if let Some(list) = &self.contract.security.own_list {
            out.push(self.own_list_case(list, setups).await);
        }
        out
    }

    /// The secondary sends this endpoint's request for the primary's record.
    async fn anothers_request(
        &self,
        happy: &RequestParts,
        owned: &[String],
        setups: &mut Vec<CaseResult>,
    ) -> CaseResult {
        let verb = match self.contract.method.as_str() {
            "GET" => "读取",
            "DELETE" => "删除",
            _ => "修改",
        };
        let name = format!(
            "越权{verb}: 另一个账号 ({SECONDARY}) 对 {}",
            owned.join(", ")
        );
        let parts = if self.contract.method == "GET" {
            happy.clone()
        } else {
            match self.fresh_request(setups).await {
                Ok(parts) => parts,
                Err(why) => {
                    let why = format!("没能为这次请求新建一条记录: {why}");
                    return self.unsent(&name, CaseKind::Isolation, Status::Blocked, &why);
                }
            }
        };
        let token = TokenChoice::Account(SECONDARY.into());
        let expect = Expect::Refused(Refusal::NotYours);
        let spec = spec(self, &parts, token, expect, CaseKind::Isolation, &name);
        self.send_keeping(spec).await.case
    }

    /// A record for each account, then the primary's list must not show the secondary's.
    async fn own_list_case(&self, list: &OwnList, setups: &mut Vec<CaseResult>) -> CaseResult {
        let name = format!("列表隔离: 不含另一个账号 ({SECONDARY}) 的记录");
        let blocked = |why: String| self.unsent(&name, CaseKind::Isolation, Status::Blocked, &why);
        let Some(creator) = self.cx.catalog.contract(&list.created_by) else {
            return blocked(format!(
                "security.own_list.created_by 不存在: {}",
                list.created_by
            ));
        };
        // Sessions of the case's own: each account has exactly the record made here.
        let sessions = Sessions::new();
        let mut ids = vec![];
        for account in [PRIMARY, SECONDARY] {
            match self
                .make_record(creator, account, &sessions, list, setups)
                .await
            {
                Ok(id) => ids.push(id),
                Err(why) => return blocked(format!("没能为 {account} 新建记录: {why}")),
            }
        }
        let lister = self.as_other(self.contract, PRIMARY, &sessions);
        let parts = match lister.fresh_request(setups).await {
            Ok(parts) => parts,
            Err(why) => return blocked(why),
        };
        let token = TokenChoice::Account(PRIMARY.into());
        let listed = lister
            .send_keeping(spec(
                &lister,
                &parts,
                token,
                Expect::Success,
                CaseKind::Isolation,
                &name,
            ))
            .await;
        let mut case = listed.case;
        let Some(body) = listed.json.filter(|_| !listed.hard) else {
            return case;
        };
        let data = body
            .get(&self.cx.config.envelope.data)
            .unwrap_or(&Value::Null);
        let shown = item_ids(data, &list.item);
        let (own, theirs) = (&ids[0], &ids[1]);
        if shown.iter().any(|id| id == theirs) {
            let f = Finding::new(
                CheckKind::Isolation,
                format!("{PRIMARY} 的列表中出现了 {SECONDARY} 的记录"),
            )
            .expected(
                format!("只有 {PRIMARY} 自己的记录"),
                format!("{} = {theirs}", list.item),
            );
            case.findings.push(redact_finding(self.cx.redactor, f));
            case.status = Status::Failed;
        } else if !shown.iter().any(|id| id == own) && case.status == Status::Passed {
            case.status = Status::Blocked;
            case.reason = Some(format!(
                "列表第一页没有 {PRIMARY} 刚新建的记录 ({} = {own}), 无法判断是否隔离",
                list.item
            ));
        }
        case
    }

    /// One record made as `account` through the creating endpoint's valid request; its id.
    async fn make_record(
        &self,
        creator: &Contract,
        account: &'static str,
        sessions: &Sessions,
        list: &OwnList,
        setups: &mut Vec<CaseResult>,
    ) -> Result<String, String> {
        let maker = self.as_other(creator, account, sessions);
        let parts = maker.fresh_request(setups).await?;
        let token = maker.account_token();
        let name = format!("为 {account} 新建记录 (列表隔离)");
        let made = maker
            .send_keeping(spec(
                &maker,
                &parts,
                token,
                Expect::Success,
                CaseKind::Setup,
                &name,
            ))
            .await;
        let id = (made.json.as_ref())
            .filter(|_| !made.hard)
            .and_then(|body| lookup(body, &list.id))
            .map(value_text);
        setups.push(made.case);
        id.ok_or_else(|| format!("{} 的响应在 {} 没有值", creator.id, list.id))
    }
}

/// The path parameters of a contract that name a record the primary owns: marked in
/// `security.owner`, or rendered from a value a write of its setup captured as the primary.
pub(crate) fn owned_params(c: &Contract, catalog: &Catalog) -> Vec<String> {
    let run = c.run.as_ref();
    let created: Vec<&str> = (run.iter().flat_map(|r| &r.setup))
        .filter(|step| step.account.as_deref().is_none_or(|a| a == PRIMARY))
        .filter(|step| {
            catalog
                .contract(&step.endpoint)
                .is_some_and(|sc| sc.method != "GET" && sc.needs_auth())
        })
        .flat_map(|step| step.capture.keys().map(String::as_str))
        .collect();
    let params = run.and_then(|r| r.request.path_params.as_ref());
    let mut out: Vec<String> = vec![];
    for name in c.path_param_names() {
        let mut refs = vec![];
        if let Some(v) = params.and_then(|p| p.get(name)) {
            referenced_vars(v, &mut refs);
        }
        let marked = c.security.owner.iter().any(|o| o == name);
        if marked || refs.iter().any(|r| created.contains(&r.as_str())) {
            out.push(name.to_string());
        }
    }
    out
}

/// The ids of a list's items: `data.list[*].<item>` or `data[*].<item>`.
fn item_ids(data: &Value, item: &str) -> Vec<String> {
    let items = match data {
        Value::Array(a) => a.as_slice(),
        other => (other.get("list").and_then(Value::as_array))
            .map(Vec::as_slice)
            .unwrap_or(&[]),
    };
    (items.iter())
        .filter_map(|i| lookup(i, item))
        .map(value_text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contract(id: &str, method: &str, path: &str, auth: &str, extra: Value) -> Contract {
        let mut c = json!({"id": id, "method": method, "path": path, "phase": 1, "module": "m",
            "name": id, "auth": auth, "example": {"response": {"code": 0, "data": null}}});
        if let (Value::Object(c), Value::Object(extra)) = (&mut c, extra) {
            c.extend(extra);
        }
        serde_json::from_value(c).expect("a contract")
    }

    fn catalog(contracts: Vec<Contract>) -> Catalog {
        Catalog {
            plan: crate::plan::Plan {
                prefix: "/api/v1".into(),
                modules: vec![],
                phases: vec![],
            },
            contracts,
            compiled: Default::default(),
            scenarios: vec![],
            decisions: Default::default(),
        }
    }

    /// `m.detail` reads `/things/{a}/{b}/{c}/{d}`: `a` from a write of the primary, `b` from a read,
    /// `c` from a write of the secondary, `d` from a write that needs no token.
    fn detail(marks: Value) -> Contract {
        let step = |name: &str, endpoint: &str, var: &str| json!({"name": name, "endpoint": endpoint, "capture": {var: "data.id"}});
        let mut secondary = step("theirs", "m.create", "c");
        secondary["as"] = json!("secondary");
        contract(
            "m.detail",
            "GET",
            "/things/{a}/{b}/{c}/{d}",
            "user",
            json!({"run": {"setup": [step("mine", "m.create", "a"), step("seen", "m.list", "b"),
                                     secondary, step("open", "m.signup", "d")],
                           "request": {"path_params": {"a": "{{a}}", "b": "{{b}}", "c": "{{c}}",
                                                       "d": "{{d}}"}}},
                   "example": {"request": {"path_params": {"a": "1", "b": "2", "c": "3", "d": "4"}},
                               "response": {"code": 0, "data": null}},
                   "security": marks}),
        )
    }

    fn others() -> Vec<Contract> {
        vec![
            contract("m.create", "POST", "/things", "user", json!({})),
            contract("m.list", "GET", "/things", "user", json!({})),
            contract("m.signup", "POST", "/signup", "none", json!({})),
        ]
    }

    #[test]
    fn a_record_the_primarys_setup_writes_is_the_primarys_and_a_mark_adds_one() {
        let mut all = others();
        all.push(detail(json!({})));
        let cat = catalog(all);
        assert_eq!(owned_params(cat.contract("m.detail").unwrap(), &cat), ["a"]);
        let mut all = others();
        all.push(detail(json!({"owner": ["b"]})));
        let cat = catalog(all);
        assert_eq!(
            owned_params(cat.contract("m.detail").unwrap(), &cat),
            ["a", "b"]
        );
    }

    #[test]
    fn list_items_are_read_from_a_page_or_an_array() {
        let page = json!({"list": [{"orderId": "o1"}, {"orderId": 2}, {"x": 1}]});
        assert_eq!(item_ids(&page, "orderId"), ["o1", "2"]);
        assert_eq!(item_ids(&json!([{"id": "a"}]), "id"), ["a"]);
        assert!(item_ids(&json!({"total": 1}), "id").is_empty());
    }
}
