//! 联调覆盖: after a proxy session (or a HAR file), which of the plan's endpoints the front end
//! exercised and which it never did, and the requests no contract describes. Every format shows it
//! as its own table, from this.

use crate::result::proxy::{Coverage, Exercised, ProxyReport, Unregistered};
use crate::result::RunResult;

/// The coverage part of a result that has one.
pub struct CoverageView<'a> {
    pub report: &'a ProxyReport,
    /// The contracts the front end called, in plan order.
    pub exercised: Vec<&'a Coverage>,
    /// The contracts it never called, by phase in plan order.
    pub never: Vec<(u8, Vec<&'a Coverage>)>,
    /// Called, every exchange passed.
    pub passed: usize,
    /// Called, some exchange had a finding.
    pub failed: usize,
}

impl<'a> CoverageView<'a> {
    pub fn of(result: &'a RunResult) -> Option<CoverageView<'a>> {
        let report = result.proxy.as_ref()?;
        let (exercised, untouched): (Vec<&Coverage>, Vec<&Coverage>) = report
            .coverage
            .iter()
            .partition(|c| c.exercised() != Exercised::Never);
        let mut never: Vec<(u8, Vec<&Coverage>)> = vec![];
        for c in untouched {
            match never.iter_mut().find(|(p, _)| *p == c.phase) {
                Some((_, list)) => list.push(c),
                None => never.push((c.phase, vec![c])),
            }
        }
        never.sort_by_key(|(p, _)| *p);
        let count = |e: Exercised| exercised.iter().filter(|c| c.exercised() == e).count();
        Some(CoverageView {
            report,
            passed: count(Exercised::Passed),
            failed: count(Exercised::Failed),
            exercised,
            never,
        })
    }

    /// `前端调用了 3/131 个接口 (2 个联调通过, 1 个有问题) · 交换 12 次 · 未登记接口 2 个`.
    pub fn headline(&self) -> String {
        let r = self.report;
        let mut line = format!(
            "前端调用了 {}/{} 个接口 ({} 个联调通过, {} 个有问题) · 交换 {} 次",
            self.exercised.len(),
            r.coverage.len(),
            self.passed,
            self.failed,
            r.exchanges
        );
        if r.preflights > 0 {
            line.push_str(&format!(" · CORS 预检 {} 次", r.preflights));
        }
        if r.ignored > 0 {
            line.push_str(&format!(" · 非接口请求 {} 条 (未校验)", r.ignored));
        }
        if !r.unregistered.is_empty() {
            line.push_str(&format!(" · 未登记接口 {} 个", r.unregistered.len()));
        }
        line
    }

    /// `另有 N 次请求发往未列出的未登记接口`, when the list was cut.
    pub fn unregistered_more(&self) -> Option<String> {
        let n = self.report.unregistered_more;
        (n > 0).then(|| format!("另有 {n} 次请求发往未列出的未登记接口"))
    }
}

/// `GET /api/v1/api/v1/orders ×2 (HTTP 404)`.
pub fn unregistered_request(u: &Unregistered) -> String {
    let statuses: Vec<String> = u.statuses.iter().map(u16::to_string).collect();
    format!(
        "{} {} ×{} (HTTP {})",
        u.method,
        u.path,
        u.count,
        statuses.join("/")
    )
}

/// `GET /api/v1/orders 获取用户订单列表 (基础路径重复: /api/v1/api/v1)`, or that none is near.
pub fn unregistered_nearest(u: &Unregistered) -> String {
    match &u.suggestion {
        Some(s) => format!("{} {} ({})", s.endpoint, s.name, s.why),
        None => "没有相近的合约".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::proxy::Suggestion;

    fn coverage(id: &str, phase: u8, exchanges: u64, failed: u64) -> Coverage {
        Coverage {
            id: id.into(),
            endpoint: format!("GET /api/v1/{id}"),
            phase,
            module: "m".into(),
            name: id.into(),
            exchanges,
            passed: exchanges - failed,
            failed,
        }
    }

    fn result(report: ProxyReport) -> RunResult {
        let mut r: RunResult = serde_json::from_value(serde_json::json!({
            "schema_version": 2, "tool": "t", "started_at": "s", "finished_at": "f",
            "duration_ms": 1.0, "env": "local", "base_url": "u", "selection": "proxy",
            "latency_budget_ms": 2000, "endpoints": [], "scenarios": [],
            "summary": {"endpoints": {"total": 0, "passed": 0, "failed": 0, "skipped": 0,
                "not_activated": 0, "blocked": 0, "error": 0},
                "scenarios": {"total": 0, "passed": 0, "failed": 0, "skipped": 0,
                "not_activated": 0, "blocked": 0, "error": 0}, "phases": {}}
        }))
        .expect("a result");
        r.proxy = Some(report);
        r
    }

    #[test]
    fn a_run_has_no_coverage_and_a_session_splits_the_plan_by_what_was_called() {
        assert!(CoverageView::of(&result(ProxyReport::default()))
            .is_some_and(|v| v.exercised.is_empty()));
        let mut run = result(ProxyReport::default());
        run.proxy = None;
        assert!(CoverageView::of(&run).is_none());
        let r = result(ProxyReport {
            exchanges: 5,
            preflights: 2,
            coverage: vec![
                coverage("a", 1, 3, 0),
                coverage("b", 1, 0, 0),
                coverage("c", 2, 2, 1),
                coverage("d", 2, 0, 0),
                coverage("e", 1, 0, 0),
            ],
            unregistered: vec![Unregistered {
                method: "GET".into(),
                path: "/api/v1/api/v1/a".into(),
                count: 2,
                statuses: vec![404],
                suggestion: Some(Suggestion {
                    id: "a".into(),
                    endpoint: "GET /api/v1/a".into(),
                    name: "甲".into(),
                    why: "基础路径重复: /api/v1/api/v1".into(),
                }),
            }],
            ..ProxyReport::default()
        });
        let v = CoverageView::of(&r).expect("a session");
        let ids = |list: &[&Coverage]| list.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&v.exercised), ["a", "c"]);
        assert_eq!(v.never.len(), 2);
        assert_eq!(
            (v.never[0].0, ids(&v.never[0].1)),
            (1, vec!["b".to_string(), "e".into()])
        );
        assert_eq!((v.passed, v.failed), (1, 1));
        assert_eq!(
            v.headline(),
            "前端调用了 2/5 个接口 (1 个联调通过, 1 个有问题) · 交换 5 次 · CORS 预检 2 次 · 未登记接口 1 个"
        );
        let u = &r.proxy.as_ref().expect("proxy").unregistered[0];
        assert_eq!(
            unregistered_request(u),
            "GET /api/v1/api/v1/a ×2 (HTTP 404)"
        );
        assert_eq!(
            unregistered_nearest(u),
            "GET /api/v1/a 甲 (基础路径重复: /api/v1/api/v1)"
        );
    }
}
