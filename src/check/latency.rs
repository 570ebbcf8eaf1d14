//! The latency budget (2 s by default, per-endpoint overrides).

use super::{CaseKind, Check, CheckInput, CheckKind, Finding};

pub struct Latency;

impl Check for Latency {
    fn kind(&self) -> CheckKind {
        CheckKind::Latency
    }
    fn run(&self, input: &CheckInput) -> Vec<Finding> {
        if !matches!(input.case, CaseKind::Happy | CaseKind::Step) {
            return vec![];
        }
        let budget = input
            .config
            .budget_for(&input.contract.id, input.contract.latency_budget_ms);
        let took = input.exchange.elapsed_ms;
        if took > budget as f64 {
            vec![
                Finding::new(CheckKind::Latency, "slower than the latency budget")
                    .expected(format!("< {budget} ms"), format!("{took:.0} ms")),
            ]
        } else {
            vec![]
        }
    }
}
