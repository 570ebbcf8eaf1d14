//! The live line of one exchange: time, method, path, status, latency, then ✓ and the endpoint's name,
//! or ✗ with whose side the first finding is on and what it is. Masked as a run masks (the path and the
//! finding through the run's redactor, control characters escaped); coloured only when the style says.

use super::judge::Verdict;
use super::observed::Observed;
use crate::exec::redact_finding;
use crate::redact::{cut_line, Redactor};
use crate::report::{finding_headline, Style};

/// Paths on a live line are cut here, after masking.
const PATH_CHARS: usize = 70;

/// How the live lines are drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Live {
    pub style: Style,
    /// Only exchanges with a finding.
    pub quiet: bool,
}

impl Live {
    /// The line for an exchange, or `None` when `quiet` leaves it out.
    pub fn line(&self, o: &Observed, verdict: &Verdict<'_>, redactor: &Redactor) -> Option<String> {
        let paint = |text: &str, code: &str| self.style.paint(text, code);
        let outcome = match verdict {
            Verdict::Preflight if !self.quiet => paint("· CORS 预检", "2"),
            Verdict::Ignored if !self.quiet => paint("· 非接口请求, 未校验", "2"),
            Verdict::Preflight | Verdict::Ignored => return None,
            Verdict::Unregistered { suggestion } => {
                let near = match suggestion {
                    Some(s) => format!(" → {} {} ({})", s.endpoint, s.name, s.why),
                    None => " (没有相近的合约)".to_string(),
                };
                format!("{} {}{near}", paint("✗", "31"), paint("未登记接口", "1;35"))
            }
            Verdict::Judged {
                contract, findings, ..
            } => match findings.first() {
                None if self.quiet => return None,
                None => format!("{} {}", paint("✓", "32"), contract.name),
                Some(first) => {
                    let side = first.side.map_or("", |s| s.chinese());
                    let colour = if side == "前端" { "1;33" } else { "1;31" };
                    let more = match findings.len() {
                        1 => String::new(),
                        n => format!(" (+{})", n - 1),
                    };
                    let headline = finding_headline(&redact_finding(redactor, first.clone()));
                    format!(
                        "{} {} {headline}{more}",
                        paint("✗", "31"),
                        paint(side, colour)
                    )
                }
            },
        };
        let mut target = o.path.clone();
        if let Some(q) = o.query.as_deref().filter(|q| !q.is_empty()) {
            target.push('?');
            target.push_str(q);
        }
        Some(format!(
            "{}  {:<7} {:<w$}  {}  {:>5.0} ms  {outcome}",
            paint(&o.started.format("%H:%M:%S").to_string(), "2"),
            redactor.line(&o.method.to_ascii_uppercase()),
            cut_line(&redactor.line(&target), PATH_CHARS),
            o.client_status(),
            o.elapsed_ms,
            w = 30,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::judge::Judge;
    use crate::proxy::test_support::{example, exchange, project, refusal};

    async fn line(live: Live, o: &Observed) -> Option<String> {
        let (config, catalog) = project();
        let judge = Judge::new(catalog, config, "/api/v1", false);
        let v = judge.judge(o, None).await;
        live.line(o, &v, &Redactor::new())
    }

    #[tokio::test]
    async fn a_line_says_when_what_and_the_verdict_masked_and_plain_unless_styled() {
        let plain = Live::default();
        let passed = exchange(
            "GET",
            "/api/v1/orders/statuses?phone=13912345678",
            200,
            &example("orders.statuses"),
        );
        let text = line(plain, &passed).await.expect("a line");
        assert_eq!(
            text,
            "10:00:00  GET     /api/v1/orders/statuses?phone=139****5678  200     12 ms  ✓ 获取订单状态列表"
        );
        let failed = exchange("GET", "/api/v1/users/profile", 401, &refusal(401, "未登录"));
        let text = line(plain, &failed).await.expect("a line");
        assert!(
            text.ends_with("✗ 前端 request at /headers/Authorization: 接口需要登录, 请求没有带 Authorization: Bearer 令牌"),
            "{text}"
        );
        let coloured = Live {
            style: Style { color: true },
            quiet: false,
        };
        let text = line(coloured, &failed).await.expect("a line");
        assert!(text.contains("\u{1b}[1;33m前端\u{1b}[0m"), "{text:?}");
    }

    #[tokio::test]
    async fn quiet_keeps_only_the_exchanges_with_a_finding() {
        let quiet = Live {
            style: Style::PLAIN,
            quiet: true,
        };
        let passed = exchange(
            "GET",
            "/api/v1/orders/statuses",
            200,
            &example("orders.statuses"),
        );
        assert_eq!(line(quiet, &passed).await, None);
        let unknown = exchange("GET", "/api/v1/api/v1/orders", 404, "<pre>Cannot GET</pre>");
        let text = line(quiet, &unknown).await.expect("a line");
        assert!(
            text.ends_with(
                "✗ 未登记接口 → GET /api/v1/orders 获取用户订单列表 (基础路径重复: /api/v1/api/v1)"
            ),
            "{text}"
        );
    }
}
