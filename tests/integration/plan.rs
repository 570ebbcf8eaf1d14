//! contracts/plan.toml is the plan as the tool knows it: it must list exactly the endpoints, phases, names
//! and priorities of ../shared/docs/API对接联调计划.md.

use crate::common;

use daodao_check::plan::Plan;
use regex::Regex;

const PLAN_DOC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/docs/API对接联调计划.md"
);

/// (number, name, priority stars, [(endpoint, Chinese name)])
type PhaseList = Vec<(u8, String, usize, Vec<(String, String)>)>;

#[test]
fn plan_toml_matches_the_plan_document() {
    let doc = std::fs::read_to_string(PLAN_DOC).expect("the plan document is in ../shared/docs");
    let heading = Regex::new(r"^### 阶段(.)：(.+?)（优先级：(⭐+)）").unwrap();
    let endpoint =
        Regex::new(r"^\d+\. (?:✅ |⏸️ |❌ )?`(GET|POST|PUT|DELETE|PATCH) (/api/v1/\S+)` - (\S+)")
            .unwrap();
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八"];
    let mut from_doc: PhaseList = vec![];
    for line in doc.lines() {
        if let Some(c) = heading.captures(line) {
            let n = numerals
                .iter()
                .position(|x| *x == &c[1])
                .expect("a phase numeral") as u8
                + 1;
            from_doc.push((n, c[2].to_string(), c[3].chars().count(), vec![]));
        } else if let (Some(c), Some(phase)) = (endpoint.captures(line), from_doc.last_mut()) {
            phase
                .3
                .push((format!("{} {}", &c[1], &c[2]), c[3].to_string()));
        }
    }
    let plan = Plan::load(&common::repo().join("contracts")).expect("plan.toml");
    let from_toml: PhaseList = plan
        .phases
        .iter()
        .filter(|p| p.number > 0)
        .map(|p| {
            (
                p.number,
                p.name.clone(),
                p.priority as usize,
                p.endpoints
                    .iter()
                    .map(|e| (e.endpoint.clone(), e.name.clone()))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(from_toml, from_doc);
    assert_eq!(
        from_doc.iter().map(|p| p.3.len()).sum::<usize>(),
        130,
        "the plan lists 130 endpoints (its totals say 128)"
    );
}
