//! The requirement doc (小程序端API.md) and what `progress --api-doc` writes into it.
//!
//! Each endpoint section (a heading, then `**接口**: \`METHOD /path\``) has a `**联调结果**:` field.
//! From the results: passed → `联调成功 (YYYY-MM-DD)`; failed or not activated →
//! `联调失败 (YYYY-MM-DD: <what failed>)`. An endpoint that was skipped, blocked or not run keeps
//! its field. A field that already says the same (联调成功, or 联调失败 for the same reason) keeps
//! its date, so that re-running with new results of the same outcome changes nothing. An endpoint
//! described in two sections gets both fields.

use super::doc::{Doc, DocError, Edits};
use super::{result_date, verdict, Outcome, Verdict};
use crate::result::{EndpointResult, RunResult};
use regex::Regex;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

static ENDPOINT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\*\*接口\*\*\s*[:：]").expect("regex"));
static ENDPOINT_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"`\s*(?P<ep>(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/[^`\s]*)\s*`")
        .expect("regex")
});
static RESULT_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<p>\s*\*\*联调结果\*\*\s*[:：]\s*)(?P<v>.*)$").expect("regex")
});
static FAILED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^联调失败\s*\(\s*\d{4}-\d{2}-\d{2}\s*(?::\s*(?P<d>.*?))?\s*\)\s*$").expect("regex")
});

pub fn update(text: &str, result: &RunResult) -> Result<Outcome, DocError> {
    let doc = Doc::parse(text);
    let date = result_date(result)?;
    let by_endpoint: HashMap<&str, &EndpointResult> = result
        .endpoints
        .iter()
        .rev()
        .map(|e| (e.endpoint.as_str(), e))
        .collect();
    let mut edits = Edits::default();
    let mut described = BTreeSet::new();
    // The endpoint of the section being read, and the level of the heading that opened it: a
    // heading of that level or higher ends it, a deeper one (#### 请求参数) does not.
    let mut current: Option<(String, usize)> = None;
    let mut level = 0usize;
    let mut fields = 0usize;
    for i in 0..doc.lines.len() {
        if let Some((l, _)) = doc.heading(i) {
            if current.as_ref().is_none_or(|_| l <= level) {
                current = None;
                level = l;
            }
            continue;
        }
        let l = &doc.lines[i];
        if l.in_fence {
            continue;
        }
        if ENDPOINT_FIELD.is_match(l.text) {
            let c = ENDPOINT_VALUE.captures(l.text).ok_or_else(|| {
                DocError::at(
                    i,
                    "cannot read this **接口** field: expected ``**接口**: `METHOD /api/v1/…` ``",
                )
            })?;
            let ep = c["ep"].split_whitespace().collect::<Vec<_>>().join(" ");
            described.insert(ep.clone());
            current = Some((ep, level));
            continue;
        }
        let Some(c) = RESULT_FIELD.captures(l.text) else {
            continue;
        };
        fields += 1;
        let Some((ep, _)) = &current else {
            return Err(DocError::at(
                i,
                "this **联调结果** field has no **接口** above it in its section: which endpoint is it?",
            ));
        };
        let old = c["v"].trim_end();
        let new = match by_endpoint.get(ep.as_str()).map(|e| verdict(e)) {
            Some(Verdict::Passed) if old.starts_with("联调成功") => None,
            Some(Verdict::Passed) => Some(format!("联调成功 ({date})")),
            Some(Verdict::Failed { detail, .. }) => {
                let same = FAILED_VALUE
                    .captures(old)
                    .is_some_and(|f| f.name("d").map_or("", |d| d.as_str()) == detail);
                (!same).then(|| format!("联调失败 ({date}: {detail})"))
            }
            _ => None,
        };
        if let Some(v) = new {
            edits.replace(&doc, i, format!("{}{v}", &c["p"]));
        }
    }
    if fields == 0 {
        return Err(DocError::whole(
            "no **联调结果** field found: is this the requirement doc (小程序端API.md)?",
        ));
    }
    let mut warnings = vec![];
    let missing: Vec<&str> = result
        .endpoints
        .iter()
        .filter(|e| e.phase > 0 && !described.contains(&e.endpoint))
        .map(|e| e.endpoint.as_str())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{} endpoint(s) in the results have no section (**接口**) in this document: {}",
            missing.len(),
            missing.join(", ")
        ));
    }
    Ok(Outcome {
        text: doc.apply(&edits),
        warnings,
    })
}
