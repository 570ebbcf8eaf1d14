//! Cases of one endpoint or scenario that failed alike: on the same endpoint, with the same status
//! and the same findings (by what makes a finding one cause). A terminal shows the first in full and names the others, so
//! nine malformed bodies all "accepted" read as one problem, not nine screens.

use super::causes::finding_cause;
use crate::result::{CaseResult, CheckKind, Status};

/// The first case of a kind of failure, and the cases that failed alike after it.
#[derive(Debug)]
pub struct CaseGroup<'a> {
    pub first: &'a CaseResult,
    pub alike: Vec<&'a CaseResult>,
}

/// The cases in groups, in the order their first case came; a case without findings (an error, a
/// block: its reason is its own) is a group of its own.
pub fn alike<'a>(cases: &[&'a CaseResult]) -> Vec<CaseGroup<'a>> {
    let mut groups: Vec<(Option<Signature>, CaseGroup<'a>)> = vec![];
    for &case in cases {
        let signature = signature(case);
        let same = signature
            .as_ref()
            .and_then(|s| groups.iter_mut().find(|(g, _)| g.as_ref() == Some(s)));
        match same {
            Some((_, group)) => group.alike.push(case),
            None => groups.push((
                signature,
                CaseGroup {
                    first: case,
                    alike: vec![],
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

type Signature = (String, Status, Vec<(CheckKind, String)>);

fn signature(case: &CaseResult) -> Option<Signature> {
    if case.findings.is_empty() {
        return None;
    }
    let mut causes: Vec<(CheckKind, String)> = (case.findings.iter())
        .map(|f| (f.check, finding_cause(f).0))
        .collect();
    causes.sort();
    causes.dedup();
    Some((case.contract.clone(), case.status, causes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{CaseKind, Finding};

    fn case(name: &str, findings: Vec<Finding>) -> CaseResult {
        let mut k = CaseResult::without_request(
            name,
            CaseKind::MalformedInput,
            "auth.login",
            "POST /api/v1/auth/login",
            Status::Failed,
            String::new(),
        );
        k.reason = None;
        k.findings = findings;
        k
    }

    fn accepted() -> Finding {
        Finding::new(CheckKind::MalformedInput, "malformed input was accepted")
            .at("/code")
            .expected("4xx", "0")
    }

    #[test]
    fn cases_with_the_same_findings_are_one_group_in_the_order_they_came() {
        let crashed = Finding::new(
            CheckKind::MalformedInput,
            "invalid input caused a server error",
        )
        .at("/code")
        .expected("4xx", "500");
        let cases = [
            case("not JSON", vec![crashed]),
            case("an array", vec![accepted()]),
            case("text/plain", vec![accepted()]),
            case("no findings", vec![]),
            case("also none", vec![]),
            case("phone wrong type", vec![accepted(), accepted()]),
        ];
        let refs: Vec<&CaseResult> = cases.iter().collect();
        let groups: Vec<(String, Vec<String>)> = alike(&refs)
            .into_iter()
            .map(|g| {
                let alike = g.alike.iter().map(|k| k.name.clone()).collect();
                (g.first.name.clone(), alike)
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("not JSON".to_string(), vec![]),
                (
                    "an array".to_string(),
                    vec!["text/plain".to_string(), "phone wrong type".to_string()]
                ),
                ("no findings".to_string(), vec![]),
                ("also none".to_string(), vec![]),
            ]
        );
    }

    #[test]
    fn another_status_expectation_or_endpoint_is_another_group() {
        let mut flaky = case("b", vec![accepted()]);
        flaky.status = Status::Error;
        let other = case(
            "c",
            vec![Finding::new(CheckKind::MalformedInput, "accepted")
                .at("/code")
                .expected("4xx", "200")],
        );
        let mut elsewhere = case("d", vec![accepted()]);
        elsewhere.contract = "auth.register".into();
        let cases = [case("a", vec![accepted()]), flaky, other, elsewhere];
        let refs: Vec<&CaseResult> = cases.iter().collect();
        assert_eq!(alike(&refs).len(), 4);
    }
}
