//! `list`: the plan as the tool knows it, with contract coverage, as terminal tables.

use crate::catalog::Catalog;
use crate::plan::{phase_label, scenario_phase_label};
use comfy_table::{presets, Table};

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Phases,
    Endpoints,
    Scenarios,
}

pub fn render_list(catalog: &Catalog, what: Listing) -> String {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    let plan = &catalog.plan;
    match what {
        Listing::Phases => {
            t.set_header(vec!["阶段", "名称", "优先级", "模块", "接口数", "有合约"]);
            for p in &plan.phases {
                let covered = p
                    .endpoints
                    .iter()
                    .filter(|e| catalog.contract(&e.endpoint).is_some())
                    .count();
                t.add_row(vec![
                    phase_label(p.number),
                    p.name.clone(),
                    "⭐".repeat(p.priority as usize),
                    p.modules.join(", "),
                    p.endpoints.len().to_string(),
                    format!("{covered}/{}", p.endpoints.len()),
                ]);
            }
        }
        Listing::Endpoints => {
            t.set_header(vec!["阶段", "模块", "接口", "名称", "合约", "认证", "备注"]);
            for (p, e) in plan.endpoints() {
                let c = catalog.contract(&e.endpoint);
                t.add_row(vec![
                    phase_label(p.number),
                    e.module.clone(),
                    e.endpoint.clone(),
                    e.name.clone(),
                    c.map_or("—".into(), |c| c.id.clone()),
                    c.map_or(String::new(), |c| format!("{:?}", c.auth).to_lowercase()),
                    c.and_then(|c| c.skip.clone())
                        .map_or(String::new(), |s| format!("skip: {s}")),
                ]);
            }
        }
        Listing::Scenarios => {
            t.set_header(vec!["场景", "阶段", "步骤", "标题", "文件"]);
            let mut s: Vec<_> = catalog.scenarios.iter().collect();
            s.sort_by_key(|s| (s.phase, s.name.clone()));
            for s in s {
                t.add_row(vec![
                    s.name.clone(),
                    scenario_phase_label(s.phase),
                    s.steps.len().to_string(),
                    s.title.clone(),
                    s.file.clone(),
                ]);
            }
        }
    }
    format!("{t}\n")
}
