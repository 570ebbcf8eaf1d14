//! What `progress --api-doc` writes into the requirement doc (小程序端API.md).
//!
//! Each endpoint section (a heading, then `**接口**: \`METHOD /path\``) has a `**联调结果**:` field.
//! From the results: passed → `联调成功 (YYYY-MM-DD)`; failed or not activated →
//! `联调失败 (YYYY-MM-DD: <what failed>)`; blocked or a request that could not be built →
//! `联调中 (YYYY-MM-DD: 阻塞: <why> | 未能构造请求: <why>)`, never the 联调成功 of an earlier run. An
//! endpoint that was skipped or not run keeps its field. A field that already says the same
//! (联调成功, or 联调失败 / 联调中 for the same reason) keeps its date, so that re-running with new
//! results of the same outcome changes nothing. An endpoint described in two sections gets both
//! fields.

use super::verdict::{result_date, verdict, Verdict};
use super::Outcome;
use crate::docs::api::{ApiDoc, ResultField, Section};
use crate::docs::{Doc, DocError, Edits};
use crate::result::{EndpointResult, RunResult};
use regex::Regex;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// A dated value with a detail: `联调失败 (2026-01-09: 后端路由未激活)`, `联调中 (…)`.
static DETAILED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<s>联调失败|联调中)\s*\(\s*\d{4}-\d{2}-\d{2}\s*(?::\s*(?P<d>.*?))?\s*\)\s*$")
        .expect("static regex")
});

pub fn update(text: &str, result: &RunResult) -> Result<Outcome, DocError> {
    let doc = Doc::parse(text);
    let date = result_date(result)?;
    let api = ApiDoc::read(&doc);
    if let Some(e) = first_unreadable(&api) {
        return Err(e);
    }
    if api.sections.iter().all(|s| s.result_fields.is_empty()) {
        return Err(DocError::whole(
            "no **联调结果** field found: is this the requirement doc (小程序端API.md)?",
        ));
    }
    let by_endpoint: HashMap<&str, &EndpointResult> = result
        .endpoints
        .iter()
        .rev()
        .map(|e| (e.endpoint.as_str(), e))
        .collect();
    let mut edits = Edits::default();
    for s in &api.sections {
        for f in &s.result_fields {
            let Some(endpoint) = endpoint_of(s, f) else {
                continue;
            };
            let new = by_endpoint
                .get(endpoint.as_str())
                .and_then(|e| new_value(&f.value, &verdict(e), &date));
            if let Some(v) = new {
                edits.replace(&doc, f.line, format!("{}{v}", f.prefix));
            }
        }
    }
    Ok(Outcome {
        text: doc.apply(&edits),
        warnings: missing_sections(&api, result).into_iter().collect(),
    })
}

/// The first line this update cannot place: a `**接口**` line without a readable endpoint, or a
/// `**联调结果**` field with no `**接口**` above it in its section.
fn first_unreadable(api: &ApiDoc) -> Option<DocError> {
    let endpoints = api.sections.iter().flat_map(|s| &s.endpoint_fields);
    let bad_endpoint = endpoints
        .filter(|e| !e.route.as_ref().is_some_and(|r| r.is_known()))
        .map(|e| {
            (
                e.line,
                "cannot read this **接口** field: expected ``**接口**: `METHOD /api/v1/…` ``",
            )
        });
    let orphan = api
        .sections
        .iter()
        .flat_map(|s| &s.result_fields)
        .filter(|f| f.endpoint.is_none())
        .map(|f| {
            (
                f.line,
                "this **联调结果** field has no **接口** above it in its section: which endpoint is it?",
            )
        });
    bad_endpoint
        .chain(orphan)
        .min_by_key(|(line, _)| *line)
        .map(|(line, message)| DocError::at(line, message))
}

/// `METHOD /path` of the `**接口**` line a result field belongs to.
fn endpoint_of(s: &Section, f: &ResultField) -> Option<String> {
    let field = s.endpoint_fields.get(f.endpoint?)?;
    field.route.as_ref().map(|r| r.spelling())
}

/// The field's new value, when it should change.
fn new_value(old: &str, verdict: &Verdict, date: &str) -> Option<String> {
    let (state, detail) = match verdict {
        Verdict::Passed if old.starts_with("联调成功") => return None,
        Verdict::Passed => return Some(format!("联调成功 ({date})")),
        Verdict::Skipped(_) => return None,
        Verdict::Failed { detail, .. } => ("联调失败", detail),
        Verdict::Blocked(why) | Verdict::Unfinished(why) => ("联调中", why),
    };
    let same = DETAILED_VALUE
        .captures(old)
        .is_some_and(|f| &f["s"] == state && f.name("d").map_or("", |d| d.as_str()) == detail);
    (!same).then(|| format!("{state} ({date}: {detail})"))
}

/// Endpoints of the results (the health check aside) that no section describes.
fn missing_sections(api: &ApiDoc, result: &RunResult) -> Option<String> {
    let described: BTreeSet<String> = api
        .sections
        .iter()
        .flat_map(|s| &s.endpoint_fields)
        .filter_map(|e| e.route.as_ref().map(|r| r.spelling()))
        .collect();
    let missing: Vec<&str> = result
        .endpoints
        .iter()
        .filter(|e| e.phase > 0 && !described.contains(&e.endpoint))
        .map(|e| e.endpoint.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{} endpoint(s) in the results have no section (**接口**) in this document: {}",
            missing.len(),
            missing.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::verdict::tests::{endpoint, run};
    use crate::result::Status;

    const DOC: &str = "### 1.1 门店\r\n\r\n**接口**: `GET /api/v1/stores/{id}`\r\n\r\n#### 请求参数\r\n\r\n**联调结果**: 待测试\r\n";

    fn with(status: Status) -> RunResult {
        run(vec![endpoint(status, None, vec![])])
    }

    #[test]
    fn passed_and_failed_write_the_field_and_keep_the_line_ending() {
        let out = update(DOC, &with(Status::Passed)).expect("updates");
        assert_eq!(out.text, DOC.replace("待测试", "联调成功 (2026-01-09)"));
        assert!(out.warnings.is_empty());
        let out = update(DOC, &with(Status::NotActivated)).expect("updates");
        assert!(out
            .text
            .contains("**联调结果**: 联调失败 (2026-01-09: 后端路由未激活)\r\n"));
    }

    #[test]
    fn the_same_outcome_later_keeps_the_field_and_its_date() {
        let done = DOC.replace("待测试", "联调成功 (2026-01-01)");
        assert_eq!(
            update(&done, &with(Status::Passed)).expect("updates").text,
            done
        );
        let failed = DOC.replace("待测试", "联调失败 (2026-01-01: 后端路由未激活)");
        assert_eq!(
            update(&failed, &with(Status::NotActivated))
                .expect("updates")
                .text,
            failed
        );
    }

    #[test]
    fn skipped_and_not_run_keep_the_field() {
        assert_eq!(
            update(DOC, &with(Status::Skipped)).expect("updates").text,
            DOC
        );
        let mut elsewhere = with(Status::Passed);
        elsewhere.endpoints[0].endpoint = "GET /api/v1/stores".into();
        assert_eq!(update(DOC, &elsewhere).expect("updates").text, DOC);
    }

    #[test]
    fn blocked_and_unfinished_say_so_instead_of_an_earlier_success() {
        let done = DOC.replace("待测试", "联调成功 (2026-01-01)");
        let mut blocked = with(Status::Blocked);
        blocked.endpoints[0].reason = Some(
            "阻塞: 路由已激活 · 鉴权正常 · 业务校验未执行 (准备步骤 cities 路由未激活)".into(),
        );
        let out = update(&done, &blocked).expect("updates").text;
        assert_eq!(
            out,
            DOC.replace(
                "待测试",
                "联调中 (2026-01-09: 阻塞: 准备步骤 cities 路由未激活)"
            )
        );
        // The same again later keeps its date; a failure of the same words is another state.
        let mut later = blocked.clone();
        later.finished_at = "2026-02-01T09:00:00+08:00".into();
        assert_eq!(update(&out, &later).expect("updates").text, out);
        let failed = out.replace("联调中", "联调失败");
        assert_eq!(
            update(&failed, &later).expect("updates").text,
            DOC.replace(
                "待测试",
                "联调中 (2026-02-01: 阻塞: 准备步骤 cities 路由未激活)"
            )
        );
        let out = update(&done, &with(Status::Error)).expect("updates").text;
        assert!(
            out.contains("**联调结果**: 联调中 (2026-01-09: 未能构造请求)\r\n"),
            "{out}"
        );
    }

    #[test]
    fn an_endpoint_written_without_backticks_is_read_too() {
        let bare = DOC.replace("`GET /api/v1/stores/{id}`", "GET /api/v1/stores/{id}");
        let out = update(&bare, &with(Status::Passed)).expect("updates");
        assert_eq!(out.text, bare.replace("待测试", "联调成功 (2026-01-09)"));
    }

    #[test]
    fn results_without_a_section_are_a_warning() {
        let mut r = with(Status::Passed);
        r.endpoints[0].endpoint = "GET /api/v1/cities".into();
        let out = update(DOC, &r).expect("updates");
        assert_eq!(out.text, DOC);
        assert_eq!(
            out.warnings,
            ["1 endpoint(s) in the results have no section (**接口**) in this document: GET /api/v1/cities"]
        );
    }

    #[test]
    fn what_cannot_be_placed_is_an_error_at_its_line_the_first_one_first() {
        let r = with(Status::Passed);
        let orphan = format!("{DOC}### 1.2 其他\r\n**联调结果**: 待测试\r\n");
        let e = update(&orphan, &r).expect_err("orphan");
        assert_eq!(e.line(), Some(9), "{e}");
        assert!(e.to_string().contains("has no **接口** above it"));
        let bad = format!("{orphan}### 1.3 坏\r\n**接口**: 待定\r\n");
        assert_eq!(update(&bad, &r).expect_err("orphan first").line(), Some(9));
        let bad_first = DOC.replace("`GET /api/v1/stores/{id}`", "`FETCH /api/v1/stores`");
        let e = update(&bad_first, &r).expect_err("bad endpoint");
        assert_eq!(
            e.to_string(),
            "line 3: cannot read this **接口** field: expected ``**接口**: `METHOD /api/v1/…` ``"
        );
        let none = update("# 别的文档\n", &r).expect_err("no field");
        assert!(none.to_string().starts_with("no **联调结果** field found"));
    }
}
