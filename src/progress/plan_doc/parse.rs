//! The plan's structure as the update needs it: the plan as read ([`PlanDoc`]), and where each
//! endpoint is listed.

use crate::docs::plan::PlanDoc;
use std::collections::{BTreeSet, HashMap};

/// Where the plan lists each endpoint.
#[derive(Debug)]
pub(super) struct Listing<'p> {
    /// The phase and line of each endpoint's first listing.
    first: HashMap<&'p str, (u8, usize)>,
    /// Every endpoint listed, once, in document order.
    distinct: Vec<&'p str>,
}

impl<'p> Listing<'p> {
    pub(super) fn of(plan: &'p PlanDoc) -> Listing<'p> {
        let mut first = HashMap::new();
        let mut seen = BTreeSet::new();
        let mut distinct = vec![];
        for (s, l) in plan.endpoint_lines() {
            first
                .entry(l.endpoint.as_str())
                .or_insert((s.number, l.line));
            if seen.insert(l.endpoint.as_str()) {
                distinct.push(l.endpoint.as_str());
            }
        }
        Listing { first, distinct }
    }

    /// The phase and line where `endpoint` is first listed.
    pub(super) fn get(&self, endpoint: &str) -> Option<(u8, usize)> {
        self.first.get(endpoint).copied()
    }

    pub(super) fn distinct(&self) -> &[&'p str] {
        &self.distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_listed_twice_is_at_its_first_line_and_counted_once() {
        let plan = PlanDoc::parse(
            "### 阶段一：认证\n1. `GET /a` - 甲\n2. `GET /b` - 乙\n### 阶段二：其他\n1. `GET /a` - 甲\n### 联调进度表\n| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 |\n|-|-|-|-|-|-|\n| 阶段一 | 认证 | 2 | - | - | - |\n",
        )
        .expect("reads");
        let l = Listing::of(&plan);
        assert_eq!(l.get("GET /a"), Some((1, 2)));
        assert_eq!(l.get("GET /b"), Some((1, 3)));
        assert_eq!(l.get("GET /c"), None);
        assert_eq!(l.distinct(), ["GET /a", "GET /b"]);
    }
}
