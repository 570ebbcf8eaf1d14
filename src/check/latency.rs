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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{place, Case};

    #[test]
    fn slower_than_the_default_budget_is_a_finding() {
        assert!(Case::new().took(1999.0).run(&Latency).is_empty());
        let findings = Case::new().took(2500.4).run(&Latency);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].check, CheckKind::Latency);
        assert_eq!(findings[0].message, "slower than the latency budget");
        assert_eq!(
            place(&findings[0]),
            (None, Some("< 2000 ms"), Some("2500 ms"))
        );
    }

    #[test]
    fn a_contract_budget_and_a_configured_override_change_the_limit() {
        let own = Case::new()
            .contract(|c| c.latency_budget_ms = Some(3000))
            .took(2500.0);
        assert!(own.run(&Latency).is_empty(), "the contract allows 3 s");
        let overridden = own.config(|c| {
            c.latency_overrides.insert("demo.item".into(), 1000);
        });
        let findings = overridden.run(&Latency);
        assert_eq!(
            place(&findings[0]),
            (None, Some("< 1000 ms"), Some("2500 ms"))
        );
    }

    #[test]
    fn only_the_valid_request_and_scenario_steps_are_timed() {
        for kind in [CaseKind::Happy, CaseKind::Step] {
            assert_eq!(Case::new().kind(kind).took(5000.0).run(&Latency).len(), 1);
        }
        for kind in [
            CaseKind::Setup,
            CaseKind::NoToken,
            CaseKind::ForgedToken,
            CaseKind::MissingRequired,
            CaseKind::ErrorCase,
        ] {
            let findings = Case::new().kind(kind).took(5000.0).run(&Latency);
            assert!(findings.is_empty(), "{kind:?}");
        }
    }
}
