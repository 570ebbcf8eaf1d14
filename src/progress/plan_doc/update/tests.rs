use super::*;
use crate::progress::verdict::tests::{endpoint, run};

/// Phase one: two lines marked, one not; phase two: one line. Line numbers in the comments.
const PLAN: &str = "\
### 阶段一：认证
**API列表** (3个接口):
1. ✅ `POST /a` - 登录 (团队备注)
2. ⏸ `POST /b` - 微信登录 (需小程序环境)
3. `GET /c` - 资料

**联调步骤**:
1. 激活

### 阶段二：支付
1. `POST /p` - 支付
**测试结果**: 0/1 接口测试通过
**完成时间**: 2026-01-02

### 按状态统计
- **后端已激活**: 9个接口（认证）
- **后端待激活**: 9个接口

### 联调进度表
| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 |
|-|-|-|-|-|-|
| 阶段一 | 认证 | 3 | ⏳ 待开始 | - | - |
| 阶段二 | 支付 | 1 | ✅ 已完成 | 2026-01-01 | 张三 |
";

fn ep(spelling: &str, phase: u8, module: &str, status: Status) -> EndpointResult {
    let mut e = endpoint(status, None, vec![]);
    e.endpoint = spelling.into();
    e.phase = phase;
    e.module = module.into();
    e
}

struct Fixture {
    doc: Doc<'static>,
    plan: PlanDoc,
}

fn fixture() -> Fixture {
    let doc = Doc::parse(PLAN);
    let plan = PlanDoc::read(&doc).expect("reads");
    Fixture { doc, plan }
}

fn line(plan: &PlanDoc, n: usize) -> &EndpointLine {
    plan.endpoint_lines()
        .map(|(_, l)| l)
        .find(|l| l.line == n)
        .expect("an endpoint line")
}

/// A line this run covered.
fn marked(mark: &str, note: &str) -> Marked {
    Marked {
        mark: Some(mark.into()),
        note: Some(note.into()),
        ran: true,
    }
}

/// A line this run did not cover.
fn kept(mark: &str, note: &str) -> Marked {
    Marked {
        ran: false,
        ..marked(mark, note)
    }
}

#[test]
fn a_pass_keeps_the_note_of_a_line_already_passed_and_says_so_on_others() {
    let f = fixture();
    assert_eq!(
        new_mark(line(&f.plan, 3), Some(Verdict::Passed)),
        marked("✅", "团队备注")
    );
    assert_eq!(
        new_mark(line(&f.plan, 5), Some(Verdict::Passed)),
        marked("✅", "已测试通过")
    );
}

#[test]
fn a_failure_says_what_failed_and_a_skip_says_why() {
    let f = fixture();
    let failed = |not_activated| Verdict::Failed {
        not_activated,
        detail: "正常请求 schema /data".into(),
    };
    assert_eq!(
        new_mark(line(&f.plan, 5), Some(failed(false))),
        marked("❌", "测试失败: 正常请求 schema /data")
    );
    assert_eq!(
        new_mark(line(&f.plan, 5), Some(failed(true))),
        marked("❌", "正常请求 schema /data")
    );
    let skipped = |r: Option<&str>| Some(Verdict::Skipped(r.map(String::from)));
    assert_eq!(
        new_mark(line(&f.plan, 4), skipped(Some("需文件上传"))),
        marked("⏸️", "需文件上传")
    );
    // No reason: a line already ⏸ keeps its own, another says 跳过.
    assert_eq!(
        new_mark(line(&f.plan, 4), skipped(None)),
        marked("⏸️", "需小程序环境")
    );
    assert_eq!(
        new_mark(line(&f.plan, 3), skipped(None)),
        marked("⏸️", "跳过")
    );
}

#[test]
fn no_result_keeps_the_line() {
    let f = fixture();
    assert_eq!(new_mark(line(&f.plan, 5), None), Marked::default());
    assert_eq!(new_mark(line(&f.plan, 3), None), kept("✅", "团队备注"));
}

#[test]
fn blocked_and_unfinished_replace_an_earlier_pass() {
    let f = fixture();
    let was_passed = line(&f.plan, 3);
    assert_eq!(
        new_mark(
            was_passed,
            Some(Verdict::Blocked("阻塞: 准备步骤 cities 路由未激活".into()))
        ),
        marked("⏸️", "阻塞: 准备步骤 cities 路由未激活")
    );
    assert_eq!(
        new_mark(
            was_passed,
            Some(Verdict::Unfinished("未能构造请求: run.vars.id".into()))
        ),
        marked("🔄", "未能构造请求: run.vars.id")
    );
    // A skip without a reason does not inherit a blocked line's note.
    let doc = PLAN.replace("(需小程序环境)", "(阻塞: 登录失败)");
    let plan = PlanDoc::parse(&doc).expect("reads");
    assert_eq!(
        new_mark(line(&plan, 4), Some(Verdict::Skipped(None))),
        marked("⏸️", "跳过")
    );
}

#[test]
fn only_lines_whose_mark_or_note_change_are_edited() {
    let f = fixture();
    let result = run(vec![
        ep("POST /a", 1, "auth", Status::Passed),
        // ⏸ and ⏸️ are the same mark: with the same note the line is not rewritten.
        {
            let mut e = ep("POST /b", 1, "auth", Status::Skipped);
            e.reason = Some("需小程序环境: 微信授权码".into());
            e
        },
        ep("GET /c", 1, "users", Status::Passed),
    ]);
    let idx = RunIndex::of(&result);
    let mut edits = Edits::default();
    let marks = endpoint_marks(&f.doc, &f.plan, &idx, &mut edits);
    assert_eq!(marks.len(), 4);
    let out = f.doc.apply(&edits);
    let changed: Vec<&str> = out
        .lines()
        .zip(PLAN.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    assert_eq!(changed, ["3. ✅ `GET /c` - 资料 (已测试通过)"]);
}

#[test]
fn a_phase_is_done_in_progress_or_a_problem() {
    let f = fixture();
    let s = f.plan.phase(1).expect("phase one");
    let all = |m3: Marked| {
        HashMap::from([
            (3, marked("✅", "x")),
            (4, marked("⏸️", "需小程序环境")),
            (5, m3),
        ])
    };
    let result = run(vec![]);
    let idx = RunIndex::of(&result);
    let done = phase_progress(s, &all(marked("✅", "y")), &idx);
    assert_eq!(done.state, PhaseState::Done);
    assert_eq!(
        done.result_text,
        "2/3 接口测试通过 (微信登录: 需小程序环境)"
    );
    let open = phase_progress(s, &all(Marked::default()), &idx);
    assert_eq!(open.state, PhaseState::InProgress);
    assert_eq!(
        open.result_text,
        "1/3 接口测试通过 (资料: 未测试; 微信登录: 需小程序环境)"
    );
    // Every line ✅ or skipped, but one of them is from an earlier run: not done.
    let partial = phase_progress(s, &all(kept("✅", "y")), &idx);
    assert_eq!(partial.state, PhaseState::InProgress);
    assert_eq!(partial.result_text, done.result_text);
    for bad in [
        marked("❌", "z"),
        kept("❌", "后端路由未激活"),
        marked("⏸️", "阻塞: 准备步骤 cities 路由未激活"),
    ] {
        let failed = phase_progress(s, &all(bad.clone()), &idx);
        assert_eq!(failed.state, PhaseState::Problem, "{bad:?}");
        assert!(failed.result_text.starts_with("1/3 接口测试通过 (资料: "));
    }
    // Something of the phase failed in the run (a scenario, say), though every line is marked.
    let bad_run = run(vec![ep("GET /x", 1, "auth", Status::Failed)]);
    let bad = phase_progress(s, &all(marked("✅", "y")), &RunIndex::of(&bad_run));
    assert_eq!(bad.state, PhaseState::Problem);
}

#[test]
fn the_test_result_notes_name_one_and_count_several_of_a_kind_then_the_skips() {
    let text = "### 阶段一：认证\n1. `GET /a` - 甲\n2. `GET /b` - 乙\n3. `GET /c` - 丙\n4. `GET /d` - 丁\n5. `GET /e` - 戊\n6. `GET /f` - 己\n7. `GET /g` - 庚\n### 联调进度表\n| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 |\n|-|-|-|-|-|-|\n| 阶段一 | 认证 | 7 | - | - | - |\n";
    let plan = PlanDoc::parse(text).expect("reads");
    let s = plan.phase(1).expect("phase one");
    let marks = HashMap::from([
        (2, marked("⏸️", "阻塞: 登录失败")),
        (3, marked("❌", "后端路由未激活")),
        (4, marked("⏸️", "需文件上传")),
        (5, marked("⏸️", "阻塞: 准备步骤 cities 路由未激活")),
        (6, marked("🔄", "未能构造请求")),
        (7, marked("❌", "测试失败: 正常请求 schema /data")),
        (8, marked("✅", "已测试通过")),
    ]);
    let result = run(vec![]);
    let p = phase_progress(s, &marks, &RunIndex::of(&result));
    assert_eq!(
        p.result_text,
        "1/7 接口测试通过 (己: 测试失败; 乙: 后端路由未激活; 2 个阻塞; 戊: 未完成; 丙: 需文件上传)"
    );
    assert_eq!(p.state, PhaseState::Problem);
}

#[test]
fn a_done_date_is_the_written_one_else_the_done_rows_else_the_results() {
    let f = fixture();
    let two = f.plan.phase(2).expect("phase two");
    let row = f.plan.progress_row(2);
    let today = "2026-01-09";
    assert_eq!(
        done_date(two, row, PhaseState::Done, today).as_deref(),
        Some("2026-01-02")
    );
    let one = f.plan.phase(1).expect("phase one");
    assert_eq!(
        done_date(one, row, PhaseState::Done, today).as_deref(),
        Some("2026-01-01")
    );
    assert_eq!(
        done_date(one, f.plan.progress_row(1), PhaseState::Done, today).as_deref(),
        Some(today)
    );
    assert_eq!(done_date(two, row, PhaseState::InProgress, today), None);
}

#[test]
fn a_phase_without_test_result_gets_it_after_its_list_with_the_date_when_done() {
    let f = fixture();
    let one = f.plan.phase(1).expect("phase one");
    let mut edits = Edits::default();
    phase_lines(
        &f.doc,
        one,
        "3/3 接口测试通过",
        Some("2026-01-09"),
        &mut edits,
    );
    assert!(f.doc.apply(&edits).contains(
        "3. `GET /c` - 资料\n\n**测试结果**: 3/3 接口测试通过\n**完成时间**: 2026-01-09\n\n**联调步骤**:"
    ));
    let mut edits = Edits::default();
    phase_lines(&f.doc, one, "1/3 接口测试通过", None, &mut edits);
    assert!(f
        .doc
        .apply(&edits)
        .contains("资料\n\n**测试结果**: 1/3 接口测试通过\n\n**联调步骤**:"));
}

#[test]
fn a_phase_with_its_lines_gets_them_rewritten_and_no_date_when_not_done() {
    let f = fixture();
    let two = f.plan.phase(2).expect("phase two");
    let mut edits = Edits::default();
    phase_lines(&f.doc, two, "0/1 接口测试通过", None, &mut edits);
    assert!(f
        .doc
        .apply(&edits)
        .contains("**测试结果**: 0/1 接口测试通过\n**完成时间**: -\n"));
    let text = PLAN.replace("**完成时间**: 2026-01-02\n", "");
    let doc = Doc::parse(&text);
    let plan = PlanDoc::read(&doc).expect("reads");
    let mut edits = Edits::default();
    let two = plan.phase(2).expect("phase two");
    phase_lines(
        &doc,
        two,
        "1/1 接口测试通过",
        Some("2026-01-09"),
        &mut edits,
    );
    assert!(doc
        .apply(&edits)
        .contains("**测试结果**: 1/1 接口测试通过\n**完成时间**: 2026-01-09\n\n### 按状态统计"));
}

#[test]
fn a_progress_row_gets_state_date_and_owner_and_keeps_its_other_cells() {
    let f = fixture();
    let row = f.plan.progress_row(2).expect("row");
    let mut edits = Edits::default();
    progress_row(&f.doc, row, PhaseState::Problem, None, None, &mut edits);
    assert!(f
        .doc
        .apply(&edits)
        .contains("| 阶段二 | 支付 | 1 | ❌ 有问题 | - | 张三 |\n"));
    let mut edits = Edits::default();
    progress_row(
        &f.doc,
        row,
        PhaseState::Done,
        Some("2026-01-01"),
        Some("李四"),
        &mut edits,
    );
    assert!(f
        .doc
        .apply(&edits)
        .contains("| 阶段二 | 支付 | 1 | ✅ 已完成 | 2026-01-01 | 李四 |\n"));
}

#[test]
fn status_counts_are_counted_when_every_listed_endpoint_is_known() {
    let f = fixture();
    let listing = Listing::of(&f.plan);
    let result = run(vec![
        ep("POST /a", 1, "auth", Status::Passed),
        // Skipped: counts as its module, which answered.
        ep("POST /b", 1, "auth", Status::Skipped),
        ep("GET /c", 1, "users", Status::Failed),
        ep("POST /p", 2, "payments", Status::NotActivated),
    ]);
    let (mut edits, mut warnings) = (Edits::default(), vec![]);
    status_counts(
        &f.doc,
        &f.plan,
        &listing,
        &result,
        &mut edits,
        &mut warnings,
    );
    let out = f.doc.apply(&edits);
    assert!(out.contains("- **后端已激活**: 3个接口（认证）\n- **后端待激活**: 1个接口\n"));
    assert!(warnings.is_empty());

    let partial = run(vec![ep("POST /a", 1, "auth", Status::Passed)]);
    let (mut edits, mut warnings) = (Edits::default(), vec![]);
    status_counts(
        &f.doc,
        &f.plan,
        &listing,
        &partial,
        &mut edits,
        &mut warnings,
    );
    assert!(edits.is_empty());
    assert_eq!(
        warnings,
        [
            "按状态统计 not updated: the results do not tell whether 3 listed endpoint(s) are activated (run every phase to count them)",
            "line 16: 按状态统计 已激活 + 待激活 = 18, but the phases list 4 endpoints; left as written",
        ]
    );
}

#[test]
fn a_blocked_endpoint_whose_route_answered_counts_as_active_on_its_own() {
    let f = fixture();
    let listing = Listing::of(&f.plan);
    let blocked = |facts: &str| {
        let mut e = ep("GET /c", 1, "users", Status::Blocked);
        e.reason = Some(format!(
            "阻塞: {facts} · 业务校验未执行 (准备步骤 x 路由未激活)"
        ));
        e
    };
    let counts = |c: EndpointResult| {
        let result = run(vec![
            ep("POST /a", 1, "auth", Status::Passed),
            ep("POST /b", 1, "auth", Status::Skipped),
            c,
            ep("POST /p", 2, "payments", Status::NotActivated),
        ]);
        let (mut edits, mut warnings) = (Edits::default(), vec![]);
        status_counts(
            &f.doc,
            &f.plan,
            &listing,
            &result,
            &mut edits,
            &mut warnings,
        );
        (f.doc.apply(&edits), warnings)
    };
    // `users` has no other endpoint: only the blocked one's own checks can tell.
    let (out, warnings) = counts(blocked("路由已激活 · 鉴权正常"));
    assert!(out.contains("- **后端已激活**: 3个接口（认证）\n- **后端待激活**: 1个接口\n"));
    assert!(warnings.is_empty(), "{warnings:?}");
    let (out, warnings) = counts(blocked("路由未判定 · 鉴权正常"));
    assert_eq!(out, PLAN);
    assert!(warnings[0].contains("do not tell whether 1 listed endpoint(s)"));
}

#[test]
fn a_cross_phase_scenario_touches_no_phase_of_the_plan() {
    let scenario = |phase: serde_json::Value| {
        serde_json::from_value::<crate::result::ScenarioResult>(serde_json::json!({
            "name": "s", "title": "t", "phase": phase, "file": "f", "status": "failed", "steps": []
        }))
        .expect("a scenario")
    };
    let mut result = run(vec![ep("POST /a", 1, "auth", Status::Passed)]);
    result.scenarios = vec![scenario(serde_json::json!("e2e"))];
    let idx = RunIndex::of(&result);
    assert_eq!(idx.touched, BTreeSet::from([1]));
    assert!(
        idx.problem.is_empty(),
        "a failed journey is no phase's problem"
    );
    result.scenarios = vec![scenario(serde_json::json!(1))];
    assert_eq!(RunIndex::of(&result).problem, BTreeSet::from([1]));
}
