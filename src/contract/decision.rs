//! The team's decisions where a contract deliberately differs from the requirement doc
//! (`contracts/decisions.toml`, each naming a row of the 分歧表 in `contracts/README.md`). A finding they
//! explain carries the decision, so a backend developer who followed the doc knows it is not a typo.

use crate::result::{CheckKind, Finding};
use crate::source::{display_path, Problem};
use serde::Deserialize;
use std::path::Path;

pub const FILE_NAME: &str = "decisions.toml";
/// The document whose 分歧表 the decisions name rows of.
const TABLE_FILE: &str = "README.md";
/// `paths` entry for a route the doc spells differently.
const ROUTE: &str = "route";

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The row's 阶段 and 接口 cells: `阶段五 · GET /campsites 响应`.
    pub row: String,
    pub contracts: Vec<String>,
    /// Finding paths it explains (at or under), or `route`.
    pub paths: Vec<String>,
    /// What the doc says and what the contract follows, in one line.
    pub says: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    #[serde(default, rename = "decision")]
    pub all: Vec<Decision>,
}

impl Decisions {
    /// Reads `contracts/decisions.toml` (absent: no decisions) and checks every row against the 分歧表
    /// and every contract id against `known`.
    pub fn load(root: &Path, contracts_dir: &Path, known: &[&str]) -> (Decisions, Vec<Problem>) {
        let path = contracts_dir.join(FILE_NAME);
        let shown = display_path(root, &path);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return (Decisions::default(), vec![]);
        };
        let decisions: Decisions = match toml::from_str(&text) {
            Ok(d) => d,
            Err(e) => {
                let place = crate::source::TomlError::new(&text, &e);
                return (
                    Decisions::default(),
                    vec![Problem {
                        file: shown,
                        place: place.place(),
                        message: place.message.clone(),
                    }],
                );
            }
        };
        let rows = std::fs::read_to_string(contracts_dir.join(TABLE_FILE))
            .map(|t| table_rows(&t))
            .unwrap_or_default();
        let problems = decisions.problems(&shown, &rows, known);
        (decisions, problems)
    }

    fn problems(&self, file: &str, rows: &[String], known: &[&str]) -> Vec<Problem> {
        let mut out = vec![];
        for (i, d) in self.all.iter().enumerate() {
            let place = format!("decision[{i}]");
            if !rows.contains(&d.row) {
                out.push(Problem {
                    file: file.to_string(),
                    place: place.clone(),
                    message: format!(
                        "row `{}` is not in the 分歧表 of contracts/{TABLE_FILE} (give its 阶段 and 接口 cells as `阶段 · 接口`)",
                        d.row
                    ),
                });
            }
            for id in d
                .contracts
                .iter()
                .filter(|id| !known.contains(&id.as_str()))
            {
                out.push(Problem {
                    file: file.to_string(),
                    place: place.clone(),
                    message: format!("unknown contract `{id}`"),
                });
            }
        }
        out
    }

    /// The decision that explains a finding on a contract, as the text the finding carries.
    pub fn explain(&self, contract: &str, finding: &Finding) -> Option<String> {
        self.all
            .iter()
            .find(|d| d.contracts.iter().any(|c| c == contract) && d.covers(finding))
            .map(|d| {
                format!(
                    "团队决定 (contracts/{TABLE_FILE} 分歧表「{}」): {}",
                    d.row, d.says
                )
            })
    }
}

impl Decision {
    fn covers(&self, f: &Finding) -> bool {
        self.paths.iter().any(|p| {
            if p == ROUTE {
                return f.check == CheckKind::RouteNotActivated;
            }
            f.check == CheckKind::Schema
                && f.path.as_deref().is_some_and(|fp| {
                    fp == p
                        || fp
                            .strip_prefix(p.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                })
        })
    }
}

/// `阶段 · 接口` of every row of the markdown tables whose first cell names a phase.
fn table_rows(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .strip_prefix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            let phase = *cells.first()?;
            let name = *cells.get(1)?;
            let is_phase = (phase.starts_with("阶段") && phase != "阶段") || phase == "环境准备";
            is_phase.then(|| format!("{phase} · {name}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions() -> Decisions {
        toml::from_str(
            r#"
[[decision]]
row = "阶段五 · `GET /campsites` 响应"
contracts = ["campsites.list"]
paths = ["/data/pagination", "/data/list"]
says = "需求文档为平铺分页；合约用统一分页"

[[decision]]
row = "阶段二 · 获取订单状态列表"
contracts = ["orders.statuses"]
paths = ["route"]
says = "文档写 status-list"
"#,
        )
        .expect("parses")
    }

    fn schema_at(path: &str) -> Finding {
        Finding::new(CheckKind::Schema, "missing").at(path)
    }

    #[test]
    fn a_finding_at_or_under_a_decided_path_names_the_row() {
        let d = decisions();
        let text = d
            .explain("campsites.list", &schema_at("/data/pagination"))
            .expect("explained");
        assert!(
            text.contains("分歧表「阶段五 · `GET /campsites` 响应」"),
            "{text}"
        );
        assert!(text.contains("统一分页"));
        assert!(d
            .explain("campsites.list", &schema_at("/data/pagination/totalPages"))
            .is_some());
        assert!(d
            .explain("campsites.list", &schema_at("/data/paginationX"))
            .is_none());
        assert!(d
            .explain("campsites.list", &schema_at("/data/total"))
            .is_none());
        assert!(d
            .explain("tours.list", &schema_at("/data/pagination"))
            .is_none());
    }

    #[test]
    fn a_route_decision_explains_only_an_unmounted_route() {
        let d = decisions();
        let gone = Finding::new(CheckKind::RouteNotActivated, "not activated");
        assert!(d.explain("orders.statuses", &gone).is_some());
        assert!(d.explain("orders.statuses", &schema_at("/data")).is_none());
    }

    #[test]
    fn rows_and_contracts_are_checked() {
        let rows = table_rows(
            "| 阶段 | 接口 | 计划 |\n| --- | --- | --- |\n| 阶段五 | `GET /campsites` 响应 | x |\n",
        );
        assert_eq!(rows, ["阶段五 · `GET /campsites` 响应"]);
        let problems = decisions().problems("contracts/decisions.toml", &rows, &["campsites.list"]);
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "row `阶段二 · 获取订单状态列表` is not in the 分歧表 of contracts/README.md (give its 阶段 and 接口 cells as `阶段 · 接口`)",
                "unknown contract `orders.statuses`"
            ]
        );
    }
}
