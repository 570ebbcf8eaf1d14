//! What a validating proxy (or a HAR file) saw, beside the endpoints it judged: how many exchanges,
//! which plan endpoints the front end exercised and which it never did, and the routes no contract
//! describes, each with the contract it most likely meant.
//!
//! Optional in the result (`proxy`, absent for runs): a result without it reads as before.

use serde::{Deserialize, Serialize};

/// The exchanges of a proxy session or a HAR file, counted and summed up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProxyReport {
    /// Where the exchanges came from: the upstream URL, or the HAR file.
    pub source: String,
    /// Exchanges judged against a contract or reported as unregistered.
    pub exchanges: u64,
    /// Of those, without any finding.
    pub passed: u64,
    pub failed: u64,
    /// CORS preflights: forwarded, not judged.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub preflights: u64,
    /// HAR entries that are no API call (the page, its assets): not judged.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ignored: u64,
    /// Every contract of the plan, in plan order, with what the front end did with it.
    pub coverage: Vec<Coverage>,
    /// Requests that matched no contract, by method and route, most frequent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unregistered: Vec<Unregistered>,
    /// Requests to unregistered routes beyond those listed (the list is bounded).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unregistered_more: u64,
}

/// One contract and the exchanges the front end made with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub id: String,
    /// As the plan writes it: `POST /api/v1/orders`.
    pub endpoint: String,
    pub phase: u8,
    pub module: String,
    pub name: String,
    pub exchanges: u64,
    pub passed: u64,
    pub failed: u64,
}

/// Where a contract stands after a proxy session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exercised {
    /// The front end never called it.
    Never,
    /// Called, and every exchange passed: 联调通过.
    Passed,
    /// Called, and some exchange had a finding.
    Failed,
}

impl Coverage {
    pub fn exercised(&self) -> Exercised {
        match (self.exchanges, self.failed) {
            (0, _) => Exercised::Never,
            (_, 0) => Exercised::Passed,
            _ => Exercised::Failed,
        }
    }
}

impl Exercised {
    /// `✅ 联调通过` / `❌ 有问题` / `⬜ 未调用`.
    pub fn label(self) -> &'static str {
        match self {
            Exercised::Never => "⬜ 未调用",
            Exercised::Passed => "✅ 联调通过",
            Exercised::Failed => "❌ 有问题",
        }
    }
}

/// Requests to one route that no contract describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unregistered {
    pub method: String,
    /// The first such path as sent (masked), without its query.
    pub path: String,
    pub count: u64,
    /// The HTTP statuses the backend answered, each once (a few).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<u16>,
    /// The contract the front end most likely meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

/// The nearest contract to an unregistered request, and what differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    /// As the plan writes it: `GET /api/v1/orders`.
    pub endpoint: String,
    pub name: String,
    /// What differs, in the team's words: `基础路径重复`, `方法应为 POST`, `单复数或命名不同`.
    pub why: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage(exchanges: u64, failed: u64) -> Coverage {
        Coverage {
            id: "orders.list".into(),
            endpoint: "GET /api/v1/orders".into(),
            phase: 2,
            module: "orders".into(),
            name: "获取订单列表".into(),
            exchanges,
            passed: exchanges - failed,
            failed,
        }
    }

    #[test]
    fn an_endpoint_is_never_called_passed_or_failed_by_its_exchanges() {
        assert_eq!(coverage(0, 0).exercised(), Exercised::Never);
        assert_eq!(coverage(3, 0).exercised(), Exercised::Passed);
        assert_eq!(coverage(3, 1).exercised(), Exercised::Failed);
        assert_eq!(Exercised::Passed.label(), "✅ 联调通过");
    }

    #[test]
    fn empty_parts_are_left_out_of_the_json_and_read_back_as_empty() {
        let report = ProxyReport {
            source: "http://127.0.0.1:3001/api/v1".into(),
            exchanges: 1,
            passed: 1,
            coverage: vec![coverage(1, 0)],
            ..ProxyReport::default()
        };
        let json = serde_json::to_value(&report).expect("serialises");
        for absent in ["preflights", "ignored", "unregistered", "unregistered_more"] {
            assert!(json.get(absent).is_none(), "{absent} in {json}");
        }
        let back: ProxyReport = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, report);
    }
}
