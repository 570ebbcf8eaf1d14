//! Turning the names typed on the command line into a selection: every name checked, endpoints in any
//! spelling of their route resolved to contract ids, the nearest known name suggested for a typo.

use super::Catalog;
use crate::contract::Contract;
use crate::plan::names::{nearest, route_shape};
use crate::plan::{Selection, SelectionError};

impl Catalog {
    /// Turns names as typed into a selection, failing clearly on a name that does not exist.
    pub fn select(&self, req: &Selection) -> Result<Selection, SelectionError> {
        let mut endpoints = vec![];
        for e in &req.endpoints {
            let c = self
                .resolve_endpoint(e)
                .ok_or_else(|| SelectionError::UnknownEndpoint {
                    given: e.clone(),
                    suggestion: self.nearest_endpoint(e),
                })?;
            if !endpoints.contains(&c.id) {
                endpoints.push(c.id.clone());
            }
        }
        let modules: Vec<&str> = self.plan.modules.iter().map(|m| m.id.as_str()).collect();
        for m in &req.modules {
            if !modules.contains(&m.as_str()) {
                return Err(SelectionError::UnknownModule {
                    name: m.clone(),
                    suggestion: nearest(m, modules.iter().copied()).map(str::to_string),
                    known: modules.iter().map(|m| m.to_string()).collect(),
                });
            }
        }
        let scenarios = || self.scenarios.iter().map(|s| s.name.as_str());
        for s in &req.scenarios {
            if !scenarios().any(|x| x == s) {
                return Err(SelectionError::UnknownScenario {
                    name: s.clone(),
                    suggestion: nearest(s, scenarios()).map(str::to_string),
                });
            }
        }
        for p in req.phases.iter().flatten() {
            if self.plan.phase(*p).is_none() {
                return Err(SelectionError::UnknownPhase(*p));
            }
        }
        Ok(Selection {
            phases: req.phases.clone(),
            modules: req.modules.clone(),
            endpoints,
            scenarios: req.scenarios.clone(),
            include_scenarios: req.include_scenarios || !req.scenarios.is_empty(),
            include_endpoints: req.include_endpoints,
            partition: req.partition,
        })
    }

    /// A contract by id, or by any spelling of its route: the plan's (`GET /api/v1/vehicles/{id}`),
    /// Express's (`GET /vehicles/:id`), with or without the prefix, any parameter name.
    pub fn resolve_endpoint(&self, given: &str) -> Option<&Contract> {
        if let Some(c) = self.contract(given) {
            return Some(c);
        }
        let prefix = &self.plan.prefix;
        let wanted = route_shape(given, prefix)?;
        self.contracts
            .iter()
            .find(|c| route_shape(&c.plan_spelling(prefix), prefix).as_ref() == Some(&wanted))
    }

    /// `vehicles.detail (GET /api/v1/vehicles/{id})`: the contract nearest to a name that matched
    /// none, compared as a route when it is one, else as an id.
    fn nearest_endpoint(&self, given: &str) -> Option<String> {
        let prefix = &self.plan.prefix;
        let found = match route_shape(given, prefix) {
            Some(wanted) => {
                let shapes: Vec<(String, &Contract)> = self
                    .contracts
                    .iter()
                    .filter_map(|c| Some((route_shape(&c.plan_spelling(prefix), prefix)?, c)))
                    .collect();
                let best = nearest(&wanted, shapes.iter().map(|(s, _)| s.as_str()))?;
                shapes.iter().find(|(s, _)| s == best).map(|(_, c)| *c)
            }
            None => {
                let best = nearest(given, self.contracts.iter().map(|c| c.id.as_str()))?;
                self.contracts.iter().find(|c| c.id == best)
            }
        }?;
        Some(format!("{} ({})", found.id, found.plan_spelling(prefix)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::mini;
    use super::*;

    fn request(edit: impl FnOnce(&mut Selection)) -> Selection {
        let mut req = Selection {
            include_endpoints: true,
            ..Default::default()
        };
        edit(&mut req);
        req
    }

    #[test]
    fn every_spelling_of_a_route_selects_its_contract_once() {
        let selection = mini()
            .select(&request(|r| {
                r.endpoints = [
                    "GET /api/v1/items/{id}",
                    "GET /items/:id",
                    "get /api/v1/items/:itemId/",
                    "demo.item",
                ]
                .map(String::from)
                .to_vec()
            }))
            .expect("selects");
        assert_eq!(selection.endpoints, ["demo.item"]);
    }

    #[test]
    fn each_unknown_name_is_its_own_selection_error_with_the_nearest_name() {
        let catalog = mini();
        let err =
            |edit: fn(&mut Selection)| catalog.select(&request(edit)).expect_err("an unknown name");
        assert_eq!(
            err(|r| r.endpoints = vec!["demo.iten".into()]),
            SelectionError::UnknownEndpoint {
                given: "demo.iten".into(),
                suggestion: Some("demo.item (GET /api/v1/items/{id})".into())
            }
        );
        assert_eq!(
            err(|r| r.endpoints = vec!["GET /item/:id".into()]),
            SelectionError::UnknownEndpoint {
                given: "GET /item/:id".into(),
                suggestion: Some("demo.item (GET /api/v1/items/{id})".into())
            }
        );
        assert_eq!(
            err(|r| r.endpoints = vec!["payments.refund".into()]),
            SelectionError::UnknownEndpoint {
                given: "payments.refund".into(),
                suggestion: None
            }
        );
        assert_eq!(
            err(|r| r.modules = vec!["dmeo".into()]),
            SelectionError::UnknownModule {
                name: "dmeo".into(),
                suggestion: Some("demo".into()),
                known: vec!["auth".into(), "demo".into()]
            }
        );
        assert_eq!(
            err(|r| r.scenarios = vec!["checkout".into()]),
            SelectionError::UnknownScenario {
                name: "checkout".into(),
                suggestion: None
            }
        );
        assert_eq!(
            err(|r| r.phases = Some(vec![1, 7])),
            SelectionError::UnknownPhase(7)
        );
    }

    #[test]
    fn the_error_says_did_you_mean() {
        let e = SelectionError::UnknownEndpoint {
            given: "vehicle.detail".into(),
            suggestion: Some("vehicles.detail (GET /api/v1/vehicles/{id})".into()),
        };
        assert!(
            e.to_string().starts_with(
                "unknown endpoint `vehicle.detail`: did you mean vehicles.detail (GET /api/v1/vehicles/{id})? (a contract id"
            ),
            "{e}"
        );
    }
}
