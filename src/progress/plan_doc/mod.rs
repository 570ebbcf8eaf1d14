//! What `progress --doc` writes into the plan (API对接联调计划.md).
//!
//! - **Endpoint lines** (`1. ✅ \`POST /api/v1/auth/login\` - 密码登录 (已测试通过)`), joined to the
//!   results by the endpoint's spelling. An endpoint this run did not pass never keeps a ✅:
//!   passed → `✅`, keeping the team's note if it was already ✅, else `(已测试通过)` (`(联调通过)`
//!   after a proxy session: the front end exercised it and every exchange passed); failed →
//!   `❌ (测试失败: <case> <check> <path>)` (or `<case> <drift>` for a common drift), not activated → `❌ (后端路由未激活)` (a blocked endpoint
//!   whose data-free checks found a problem is one of these: the run decides); blocked →
//!   `⏸️ (阻塞: <why>)`; error (the request could not be built) → `🔄 (未能构造请求: <why>)`;
//!   skipped → `⏸️ (<reason>)` with the short reason (the part before `:` of the contract's
//!   `skip`). Endpoints not in the results keep their line.
//! - For each phase that has results (the phase is the result's, not the section's):
//!   - `**测试结果**: X/Y 接口测试通过 (…)`: X = ✅ lines of the phase, Y = its listed endpoints;
//!     the notes name what is not ✅ by kind (`名称: 后端路由未激活`, `3 个阻塞`), then the skips
//!     with their reasons (`update::phase_progress`). Phases without the line (four to eight
//!     today) get it after their API list, after a blank line, as phase three has it.
//!   - `**完成时间**: YYYY-MM-DD` when the phase is complete: this run covered every line, every
//!     line is ✅ or a skip (at least one ✅) and nothing of the phase failed in the run
//!     (scenarios included). The date is the one already written, else the results' date. A
//!     phase that is not complete gets `-` where it had a date. The line is added after 测试结果
//!     when missing.
//!   - its 联调进度表 row: 状态 (✅ 已完成 when complete / ❌ 有问题 when a line is ❌ or ⏸️ 阻塞 or
//!     anything of the phase did not pass in the run / 🔄 进行中 otherwise), 完成日期 (the same
//!     date, or `-`), 负责人 (when an owner is given; else as written).
//! - 按状态统计: the numbers of **后端已激活** / **后端待激活**, when the results tell the activation of
//!   every listed endpoint, as the marks do (a skipped or errored endpoint, or one blocked before
//!   its route was found, counts as its module does). The text around the numbers is left alone.
//!
//! The numbers the plan states (a phase's 接口数, its groups' counts, the 按模块统计 table and its
//! 总计, the 进度表 接口数) are never changed: where they disagree with the lists, a warning says so
//! ([`warnings`]). Headings are left alone (phase three's heading carries its own ✅).

mod parse;
mod update;
mod warnings;

use super::verdict::result_date;
use super::Outcome;
use crate::docs::plan::PlanDoc;
use crate::docs::{Doc, DocError, Edits};
use crate::plan::phase_label;
use crate::result::RunResult;
use parse::Listing;
use update::RunIndex;

/// The update of the plan from results. Pure: text in, text out.
pub fn update(text: &str, result: &RunResult, owner: Option<&str>) -> Result<Outcome, DocError> {
    let doc = Doc::parse(text);
    let plan = PlanDoc::read(&doc)?;
    let date = result_date(result)?;
    let listing = Listing::of(&plan);
    let mut warnings = warnings::stated_numbers(&plan);
    warnings.extend(warnings::listing(&listing, result));

    let run = RunIndex::of(result);
    let mut edits = Edits::default();
    let marks = update::endpoint_marks(&doc, &plan, &run, &mut edits);
    // The health check (phase 0) is not one of the plan's phases.
    for &phase in run.touched.iter().filter(|p| **p > 0) {
        let Some(s) = plan.phase(phase) else {
            warnings.push(format!(
                "the results have {} but the plan has no `### {}：…` section for it",
                phase_label(phase),
                phase_label(phase)
            ));
            continue;
        };
        let progress = update::phase_progress(s, &marks, &run);
        let row = plan.progress_row(phase);
        let done = update::done_date(s, row, progress.state, &date);
        update::phase_lines(&doc, s, &progress.result_text, done.as_deref(), &mut edits);
        match row {
            Some(r) => {
                update::progress_row(&doc, r, progress.state, done.as_deref(), owner, &mut edits)
            }
            None => warnings.push(format!(
                "the 联调进度表 has no row for {}; add one to track it",
                phase_label(phase)
            )),
        }
    }
    update::status_counts(&doc, &plan, &listing, result, &mut edits, &mut warnings);
    Ok(Outcome {
        text: doc.apply(&edits),
        warnings,
    })
}
