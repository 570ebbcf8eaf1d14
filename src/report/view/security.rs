//! 安全: the security findings of a run, by check, which every format shows first, so a team lead
//! reads who may reach whose data, what the server lets out and which tokens outlive their session
//! before anything else. A check is in the group when [`CheckKind::is_security`] says so. The same
//! finding on the same endpoint (met by its check, a setup step and a scenario step alike) is one
//! item that says where else it was met.

use super::causes::finding_cause;
use super::Subject;
use crate::result::{CaseResult, CheckKind, Finding, RunResult};

/// One check's security findings.
#[derive(Debug, Clone)]
pub struct SecurityGroup<'a> {
    pub check: CheckKind,
    pub items: Vec<SecurityItem<'a>>,
}

impl SecurityGroup<'_> {
    /// `isolation 越权`: the check's name and what it is about, in the plan's words.
    pub fn title(&self) -> String {
        format!("{} {}", self.check.as_str(), meaning(self.check))
    }
}

/// A security finding, with the request that found it and whose request it was.
#[derive(Debug, Clone)]
pub struct SecurityItem<'a> {
    /// The endpoint check or scenario the request belongs to (none for a setup step).
    pub subject: Option<Subject<'a>>,
    pub case: &'a CaseResult,
    pub finding: &'a Finding,
    /// Where else the same finding was met on the same endpoint (the request's name, the setup step or
    /// the scenario step).
    pub also: Vec<String>,
}

impl SecurityItem<'_> {
    /// `GET /api/v1/orders/{orderId} · 越权读取: …`: where, and which request; then where else.
    pub fn place(&self) -> String {
        let here = self.first_place();
        match self.also.as_slice() {
            [] => here,
            also if also.len() <= ALSO_NAMED => format!("{here} (另见 {})", also.join("; ")),
            also => format!(
                "{here} (另见 {}; … 共 {} 处)",
                also[..ALSO_NAMED].join("; "),
                also.len()
            ),
        }
    }

    /// The place without the endpoint, which the first place already names.
    fn short_place(&self) -> String {
        match self.subject {
            Some(Subject::Scenario(s)) => format!("scenario {} · {}", s.name, self.case.name),
            Some(Subject::Endpoint(_)) => self.case.name.clone(),
            None => format!("准备步骤 {}", self.case.name),
        }
    }

    fn first_place(&self) -> String {
        match self.subject {
            Some(Subject::Scenario(s)) => format!("scenario {} · {}", s.name, self.case.name),
            Some(Subject::Endpoint(_)) => format!("{} · {}", self.case.endpoint, self.case.name),
            None => format!("{} · 准备步骤 {}", self.case.endpoint, self.case.name),
        }
    }

    /// The finding in one line: its message, and expected vs actual when it has them.
    pub fn line(&self) -> String {
        let f = self.finding;
        match (&f.expected, &f.actual) {
            (Some(e), Some(a)) => format!("{} (期望 {e}, 实际 {a})", f.message),
            _ => f.message.clone(),
        }
    }
}

/// Where else a finding was met: this many places are named, the rest counted.
const ALSO_NAMED: usize = 3;

/// What each security check is about.
fn meaning(check: CheckKind) -> &'static str {
    match check {
        CheckKind::AuthNotEnforced => "未鉴权",
        CheckKind::Isolation => "越权",
        CheckKind::MalformedInput => "异常输入",
        CheckKind::Leakage => "信息泄露",
        CheckKind::SessionSecurity => "会话安全",
        CheckKind::ClientControlled => "客户端可控字段",
        _ => "",
    }
}

/// The security findings of endpoint checks, setup steps and scenario steps, grouped by check in
/// the order of [`CheckKind`], each group in run order.
pub fn security_groups(result: &RunResult) -> Vec<SecurityGroup<'_>> {
    let endpoint_cases = (result.endpoints.iter())
        .flat_map(|e| e.cases.iter().map(move |k| (Some(Subject::Endpoint(e)), k)));
    let setup_cases = result.setups.iter().map(|s| (None, &s.case));
    let step_cases = (result.scenarios.iter())
        .flat_map(|s| s.steps.iter().map(move |k| (Some(Subject::Scenario(s)), k)));
    let mut groups: Vec<SecurityGroup> = vec![];
    for (subject, case) in endpoint_cases.chain(setup_cases).chain(step_cases) {
        for finding in case.findings.iter().filter(|f| f.check.is_security()) {
            let item = SecurityItem {
                subject,
                case,
                finding,
                also: vec![],
            };
            match groups.iter_mut().find(|g| g.check == finding.check) {
                Some(g) => match g.items.iter_mut().find(|seen| same_problem(seen, &item)) {
                    Some(seen) => seen.also.push(item.short_place()),
                    None => g.items.push(item),
                },
                None => groups.push(SecurityGroup {
                    check: finding.check,
                    items: vec![item],
                }),
            }
        }
    }
    groups.sort_by_key(|g| g.check);
    groups
}

/// The same finding on the same endpoint: what makes it one cause (see [`super::causes`]).
fn same_problem(seen: &SecurityItem, item: &SecurityItem) -> bool {
    seen.case.contract == item.case.contract
        && finding_cause(seen.finding).0 == finding_cause(item.finding).0
}
