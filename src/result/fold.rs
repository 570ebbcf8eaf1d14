//! One drift on every item of a list is one finding: findings that differ only in the array indices of
//! their path fold into one, at the path with `*` for each index, counting the items. What is still
//! too many after folding is capped: a case lists its first findings, and counts the rest.

use super::Finding;
use std::collections::HashMap;

/// `/data/list/3/isHot` → `/data/list/*/isHot`: every all-digit segment of a JSON Pointer is an index.
pub fn index_free(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Folds findings that share check, message, expectation and index-free path; the first keeps its
/// place and its `actual` as the example. Findings without a path are never folded.
pub fn fold(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut seen: HashMap<(String, String, Option<String>, String), usize> = HashMap::new();
    for f in findings {
        let Some(path) = &f.path else {
            out.push(f);
            continue;
        };
        let folded = index_free(path);
        let key = (
            f.check.as_str().to_string(),
            f.message.clone(),
            f.expected.clone(),
            folded.clone(),
        );
        match seen.get(&key) {
            Some(&i) => {
                let first = &mut out[i];
                first.count += f.count;
                first.path = Some(folded);
            }
            None => {
                seen.insert(key, out.len());
                out.push(f);
            }
        }
    }
    out
}

/// The first `max` findings, then one finding per check for the rest: `… 另有 K 项`, with `count` K and
/// no path, so the case keeps its status (the same checks, the same severity) and says what it left out.
pub fn cap(mut findings: Vec<Finding>, max: usize) -> Vec<Finding> {
    if findings.len() <= max {
        return findings;
    }
    let rest = findings.split_off(max);
    let mut left_out: Vec<(super::CheckKind, usize)> = vec![];
    for f in &rest {
        match left_out.iter_mut().find(|(check, _)| *check == f.check) {
            Some((_, n)) => *n += 1,
            None => left_out.push((f.check, 1)),
        }
    }
    findings.extend(
        left_out
            .into_iter()
            .map(|(check, n)| Finding::left_out(check, n, max)),
    );
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::CheckKind;

    fn schema(path: &str, actual: &str) -> Finding {
        Finding::new(CheckKind::Schema, "value is not of type \"boolean\"")
            .at(path)
            .expected("type boolean", actual)
    }

    #[test]
    fn the_same_drift_on_every_item_is_one_finding() {
        let findings = (0..5)
            .map(|i| schema(&format!("/data/{i}/isHot"), &i.to_string()))
            .collect();
        let folded = fold(findings);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].path.as_deref(), Some("/data/*/isHot"));
        assert_eq!(folded[0].count, 5);
        assert_eq!(
            folded[0].actual.as_deref(),
            Some("0"),
            "the first item is the example"
        );
    }

    #[test]
    fn a_single_finding_keeps_its_real_path() {
        let folded = fold(vec![schema("/data/0/isHot", "0")]);
        assert_eq!(folded[0].path.as_deref(), Some("/data/0/isHot"));
        assert_eq!(folded[0].count, 1);
    }

    #[test]
    fn different_fields_checks_or_expectations_stay_apart() {
        let folded = fold(vec![
            schema("/data/0/isHot", "0"),
            schema("/data/0/isNew", "0"),
            Finding::new(CheckKind::Schema, "value is not of type \"boolean\"")
                .at("/data/1/isHot")
                .expected("type string", "0"),
            Finding::new(CheckKind::Latency, "slower than the latency budget"),
            Finding::new(CheckKind::Latency, "slower than the latency budget"),
        ]);
        assert_eq!(folded.len(), 5);
    }

    #[test]
    fn nested_indices_fold_at_every_level() {
        let findings = vec![
            schema("/data/list/0/tags/0", "1"),
            schema("/data/list/0/tags/1", "1"),
            schema("/data/list/7/tags/3", "1"),
        ];
        let folded = fold(findings);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].path.as_deref(), Some("/data/list/*/tags/*"));
        assert_eq!(folded[0].count, 3);
    }

    #[test]
    fn past_the_cap_the_rest_is_counted_once_per_check() {
        let mut findings: Vec<Finding> = (0..30)
            .map(|i| schema(&format!("/data/f{i}"), "0"))
            .collect();
        findings.insert(3, Finding::new(CheckKind::Latency, "slow"));
        findings.push(Finding::new(CheckKind::Envelope, "late"));
        let capped = cap(findings.clone(), 20);
        assert_eq!(capped.len(), 22);
        assert_eq!(capped[..20], findings[..20]);
        assert_eq!(
            capped[20].message,
            "… 另有 11 项未列出 ([run] max_findings_per_case = 20)"
        );
        assert_eq!(
            (capped[20].check, capped[20].count),
            (CheckKind::Schema, 11)
        );
        assert_eq!(
            (capped[21].check, capped[21].count),
            (CheckKind::Envelope, 1)
        );
        assert_eq!(capped[21].path, None);
        assert!(capped[20].is_left_out() && !capped[19].is_left_out());
        assert_eq!(cap(findings[..20].to_vec(), 20), findings[..20]);
    }

    #[test]
    fn keys_that_are_numbers_in_an_object_fold_too() {
        // A pointer cannot tell an array index from an all-digit key; folding them is the useful
        // reading (maps keyed by id drift the same way on every entry).
        assert_eq!(index_free("/data/2024/x"), "/data/*/x");
        assert_eq!(index_free(""), "");
        assert_eq!(index_free("/"), "/");
    }
}
