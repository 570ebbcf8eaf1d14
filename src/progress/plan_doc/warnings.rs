//! What the update notices but does not change: the plan's own numbers disagreeing with its lists
//! (阶段八 says 21 but lists 23; 总计 128 while the phases list 130), and results the plan does
//! not list where the results put them.

use super::parse::Listing;
use crate::docs::plan::PlanDoc;
use crate::plan::phase_label;
use crate::result::RunResult;
use std::collections::HashMap;

/// Every stated number (a phase's 接口数 and its groups' counts, the 联调进度表's 接口数, the
/// 按模块统计 rows and 总计) that disagrees with what the phases list.
pub(super) fn stated_numbers(p: &PlanDoc) -> Vec<String> {
    let mut warnings = vec![];
    for s in &p.phases {
        if let Some(stated) = s.api_count.filter(|c| c.number != s.endpoints.len()) {
            warnings.push(format!(
                "line {}: {} says {} 个接口 but lists {}; left as written",
                stated.line,
                phase_label(s.number),
                stated.number,
                s.endpoints.len()
            ));
        }
        for g in s.groups.iter().filter(|g| g.stated != g.listed) {
            warnings.push(format!(
                "line {}: {} group **{}** says {} 个 but lists {}; left as written",
                g.line,
                phase_label(s.number),
                g.name,
                g.stated,
                g.listed
            ));
        }
    }
    table_numbers(p, &mut warnings);
    warnings
}

/// The 联调进度表's 接口数 and the 按模块统计 rows (a module is its 进度表 row's phase).
fn table_numbers(p: &PlanDoc, warnings: &mut Vec<String>) {
    let listed: HashMap<u8, usize> = p
        .phases
        .iter()
        .map(|s| (s.number, s.endpoints.len()))
        .collect();
    let total: usize = listed.values().sum();
    let mut module_phase: HashMap<&str, u8> = HashMap::new();
    for r in &p.progress_rows {
        module_phase.insert(r.cells[1].as_str(), r.phase);
        if let (Ok(n), Some(l)) = (r.cells[2].parse::<usize>(), listed.get(&r.phase)) {
            if n != *l {
                warnings.push(format!(
                    "line {}: the 联调进度表 gives {} {n} 接口 but the plan lists {l}; left as written",
                    r.line,
                    phase_label(r.phase)
                ));
            }
        }
    }
    for m in &p.module_counts {
        let n = m.number;
        if m.module == "总计" {
            if n != total {
                warnings.push(format!(
                    "line {}: 按模块统计 总计 says {n} but the phases list {total} endpoints; left as written",
                    m.line
                ));
            }
        } else if let Some(l) = module_phase
            .get(m.module.as_str())
            .and_then(|ph| listed.get(ph))
        {
            if n != *l {
                warnings.push(format!(
                    "line {}: 按模块统计 gives {} {n} 接口 but the plan lists {l}; left as written",
                    m.line, m.module
                ));
            }
        }
    }
}

/// 按状态统计's stated numbers against the lists (said only when they are left as written).
pub(super) fn status_sum(p: &PlanDoc) -> Option<String> {
    let total: usize = p.phases.iter().map(|s| s.endpoints.len()).sum();
    if p.status_counts.len() != 2 {
        return None;
    }
    let sum: usize = p.status_counts.iter().map(|c| c.number).sum();
    (sum != total).then(|| {
        format!(
            "line {}: 按状态统计 已激活 + 待激活 = {sum}, but the phases list {total} endpoints; left as written",
            p.status_counts[0].line
        )
    })
}

/// Results listed under another phase than the results' (by line), then results not listed at all.
pub(super) fn listing(listing: &Listing, result: &RunResult) -> Vec<String> {
    let mut warnings = vec![];
    let mut not_listed = vec![];
    for e in &result.endpoints {
        match listing.get(&e.endpoint) {
            None if e.phase > 0 => not_listed.push(e.endpoint.clone()),
            Some((p, line)) if p != e.phase => warnings.push(format!(
                "line {line}: `{}` is listed under {} but the results put it in {} (contracts/plan.toml); its line is updated, its phase is the results'",
                e.endpoint,
                phase_label(p),
                phase_label(e.phase)
            )),
            _ => {}
        }
    }
    if !not_listed.is_empty() {
        warnings.push(format!(
            "{} endpoint(s) in the results are not listed in the plan, so nothing records them: {}",
            not_listed.len(),
            not_listed.join(", ")
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::verdict::tests::{endpoint, run};
    use crate::result::Status;

    /// Phase one says 3 and its group 1 but lists 2 under the group; the tables say 3 and 总计 4.
    const PLAN: &str = "\
### 阶段一：认证
**API列表** (3个接口):
**认证** (1个):
1. `GET /a` - 甲
2. `GET /b` - 乙
### 按模块统计
| 模块 | 接口数量 |
|---|---|
| 用户认证 | 3 |
| **总计** | **4** |
### 按状态统计
- **后端已激活**: 1个接口
- **后端待激活**: 2个接口
### 联调进度表
| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 |
|-|-|-|-|-|-|
| 阶段一 | 用户认证 | 3 | - | - | - |
";

    #[test]
    fn every_stated_number_that_disagrees_with_the_lists_is_said_with_its_line() {
        let p = PlanDoc::parse(PLAN).expect("reads");
        assert_eq!(
            stated_numbers(&p),
            [
                "line 2: 阶段一 says 3 个接口 but lists 2; left as written",
                "line 3: 阶段一 group **认证** says 1 个 but lists 2; left as written",
                "line 17: the 联调进度表 gives 阶段一 3 接口 but the plan lists 2; left as written",
                "line 9: 按模块统计 gives 用户认证 3 接口 but the plan lists 2; left as written",
                "line 10: 按模块统计 总计 says 4 but the phases list 2 endpoints; left as written",
            ]
        );
        assert_eq!(
            status_sum(&p).as_deref(),
            Some("line 12: 按状态统计 已激活 + 待激活 = 3, but the phases list 2 endpoints; left as written")
        );
        let agreeing = PlanDoc::parse(
            &PLAN
                .replace("(3个接口)", "(2个接口)")
                .replace("(1个)", "(2个)")
                .replace("| 3 |", "| 2 |")
                .replace("**4**", "**2**")
                .replace("2个接口\n", "1个接口\n"),
        )
        .expect("reads");
        assert!(stated_numbers(&agreeing).is_empty());
        assert_eq!(status_sum(&agreeing), None);
    }

    #[test]
    fn results_in_another_phase_or_not_listed_are_said() {
        let p = PlanDoc::parse(PLAN).expect("reads");
        let mut moved = endpoint(Status::Passed, None, vec![]);
        moved.endpoint = "GET /b".into();
        moved.phase = 2;
        let mut health = endpoint(Status::Passed, None, vec![]);
        health.endpoint = "GET /health".into();
        health.phase = 0;
        let extra = endpoint(Status::Passed, None, vec![]);
        let w = listing(&Listing::of(&p), &run(vec![moved, health, extra]));
        assert_eq!(
            w,
            [
                "line 5: `GET /b` is listed under 阶段一 but the results put it in 阶段二 (contracts/plan.toml); its line is updated, its phase is the results'",
                "1 endpoint(s) in the results are not listed in the plan, so nothing records them: GET /api/v1/stores/{id}",
            ]
        );
    }
}
