//! contracts/plan.toml is the plan as the tool knows it: it must list exactly the endpoints, phases, names
//! and priorities of ../shared/docs/API对接联调计划.md, as the plan reader (`docs::plan`) reads it.

use crate::common;

use daodao_check::docs::plan::PlanDoc;
use daodao_check::plan::Plan;

const PLAN_DOC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/docs/API对接联调计划.md"
);

/// (number, name, priority stars, [(endpoint, Chinese name)])
type PhaseList = Vec<(u8, String, Option<usize>, Vec<(String, String)>)>;

#[test]
fn plan_toml_matches_the_plan_document() {
    let text = std::fs::read_to_string(PLAN_DOC).expect("the plan document is in ../shared/docs");
    let doc = PlanDoc::parse(&text).expect("the plan document reads");
    let from_doc: PhaseList = doc
        .phases
        .iter()
        .map(|p| {
            (
                p.number,
                p.name.clone(),
                p.priority,
                p.endpoints
                    .iter()
                    .map(|e| (e.endpoint.clone(), e.name.clone()))
                    .collect(),
            )
        })
        .collect();
    let plan = Plan::load(&common::repo().join("contracts")).expect("plan.toml");
    let from_toml: PhaseList = plan
        .phases
        .iter()
        .filter(|p| p.number > 0)
        .map(|p| {
            (
                p.number,
                p.name.clone(),
                Some(p.priority as usize),
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
