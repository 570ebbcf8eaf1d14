//! The faults that break a hand-off between phases (the order a payment pays, the completed order a
//! rating needs, the store's transitions): each makes its scenarios fail first exactly at the step
//! that checks that hand-off.

use super::{findings_by_endpoint, run};
use daodao_check::plan::Selection;
use daodao_check::result::{CheckKind, Status};
use daodao_check::sandbox::fault::FaultKind;

/// A fault that breaks a hand-off between phases: the scenarios it must break, each at the first
/// step that does not pass, with the check that reports it. Every other scenario and every endpoint
/// stays clean.
pub(super) struct HandOff {
    pub fault: FaultKind,
    target: &'static str,
    breaks: Vec<(&'static str, &'static str, CheckKind)>,
}

pub(super) fn hand_offs() -> Vec<HandOff> {
    use CheckKind as C;
    use FaultKind as F;
    vec![
        HandOff {
            fault: F::CustomerCompletes,
            target: "orders.update-status",
            breaks: vec![("journey", "customer_confirms", C::ErrorCode)],
        },
        HandOff {
            fault: F::RatingBeforeComplete,
            target: "ratings.create",
            breaks: vec![("journey", "rate_too_early", C::ErrorCode)],
        },
        HandOff {
            fault: F::PaymentAnyAmount,
            target: "payments.create",
            breaks: vec![
                ("payment-flow", "create_payment_wrong_amount", C::ErrorCode),
                ("journey", "pay_wrong_amount", C::ErrorCode),
            ],
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_hand_off_fault_breaks_its_scenarios_exactly_where_the_hand_off_is() {
    for h in hand_offs() {
        let spec = format!("{}={}", h.fault.name(), h.target);
        let selection = Selection {
            include_endpoints: true,
            include_scenarios: true,
            ..Default::default()
        };
        let r = run(std::slice::from_ref(&spec), selection, "").await;
        for (id, found) in findings_by_endpoint(&r) {
            assert!(found.is_empty(), "{spec}: endpoint {id} has {found:?}");
        }
        for s in &r.scenarios {
            let first = s.steps.iter().find(|k| k.status != Status::Passed);
            let broken = first.map(|k| {
                let checks: Vec<CheckKind> = k.findings.iter().map(|f| f.check).collect();
                (k.name.as_str(), checks)
            });
            match h.breaks.iter().find(|(scenario, _, _)| *scenario == s.name) {
                Some((_, step, check)) => {
                    assert_eq!(s.status, Status::Failed, "{spec}: {}", s.name);
                    assert_eq!(
                        broken,
                        Some((*step, vec![*check])),
                        "{spec}: {} breaks at its hand-off",
                        s.name
                    );
                }
                None => assert_eq!(
                    s.status,
                    Status::Passed,
                    "{spec}: {} is not faulted",
                    s.name
                ),
            }
        }
    }
}
