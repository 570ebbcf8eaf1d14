use super::*;

/// A small plan in the real one's shape (line numbers in the comments).
const PLAN: &str = "\
# 计划
## 分阶段
### 阶段一：核心认证模块（优先级：⭐⭐⭐）

**API列表** (3个接口):
**认证** (1个):
1. ✅ `POST /api/v1/auth/login` - 密码登录 (已测试通过)
2. ⏸️ `POST /api/v1/auth/wechat-login` - 微信登录 (需小程序环境)
**用户** (2个):
3. `GET /api/v1/users/profile` - 获取用户信息

**联调步骤**:
1. 激活后端 `authRoutes`

**测试结果**: 1/3 接口测试通过
**完成时间**: 2026-01-06

### 阶段二：支付流程
**API列表** (1个接口):
1. ❌ `POST /api/v1/payments` - 创建支付订单

### 按模块统计
| 模块 | 接口数量 |
|------|---------|
| 用户认证 | 3 |
| **总计** | **5** |

### 按状态统计
- 🟢 **后端已激活**: 3个接口（认证）
- 🟡 **后端待激活**: 1个接口（其他）

### 联调进度表

| 阶段 | 模块 | 接口数 | 状态 | 完成日期 | 负责人 |
|------|------|--------|------|---------|--------|
| 阶段一 | 用户认证 | 3 | ✅ 已完成 | 2026-01-06 | 张三 |
| 阶段二 | 支付流程 | 1 | ⏳ 待开始 | - | - |

其他内容
";

fn plan() -> PlanDoc {
    PlanDoc::parse(PLAN).expect("reads")
}

fn err(text: &str) -> DocError {
    PlanDoc::parse(text).expect_err("refused")
}

#[test]
fn phases_have_number_name_priority_and_their_heading_line() {
    let p = plan();
    let heads: Vec<_> = p
        .phases
        .iter()
        .map(|s| (s.number, s.heading_line, s.name.as_str(), s.priority))
        .collect();
    assert_eq!(
        heads,
        [(1, 3, "核心认证模块", Some(3)), (2, 18, "支付流程", None)]
    );
    assert_eq!(
        PlanDoc::parse(&PLAN.replace("核心认证模块（优先级：⭐⭐⭐）", "支付（优先级：⭐⭐）✅"))
            .expect("reads")
            .phases[0]
            .name,
        "支付"
    );
}

#[test]
fn endpoint_lines_give_mark_endpoint_name_and_note_and_skip_other_numbered_lines() {
    let p = plan();
    let one = &p.phases[0].endpoints;
    assert_eq!(one.len(), 3);
    assert_eq!(
        one[1],
        EndpointLine {
            line: 8,
            prefix: "2. ".into(),
            mark: Some("⏸️".into()),
            body: "`POST /api/v1/auth/wechat-login` - 微信登录".into(),
            endpoint: "POST /api/v1/auth/wechat-login".into(),
            name: "微信登录".into(),
            note: Some("需小程序环境".into()),
        }
    );
    assert_eq!((one[2].line, one[2].mark.as_deref()), (10, None));
    assert_eq!(one[2].note, None);
    assert_eq!(p.endpoint_lines().count(), 4);
}

#[test]
fn stated_counts_groups_and_phase_fields_are_read_with_their_lines() {
    let p = plan();
    let s = &p.phases[0];
    assert_eq!(s.api_count, Some(Stated { line: 5, number: 3 }));
    let groups: Vec<_> = s
        .groups
        .iter()
        .map(|g| (g.line, g.name.as_str(), g.stated, g.listed))
        .collect();
    assert_eq!(groups, [(6, "认证", 1, 2), (9, "用户", 2, 1)]);
    assert_eq!(
        s.result,
        Some(PhaseField {
            line: 15,
            prefix: "**测试结果**: ".into(),
            value: "1/3 接口测试通过".into()
        })
    );
    assert_eq!(
        s.time.as_ref().map(|t| t.value.as_str()),
        Some("2026-01-06")
    );
    assert_eq!(p.phases[1].result, None);
}

#[test]
fn the_tables_are_read_row_by_row() {
    let p = plan();
    assert_eq!(p.progress_rows.len(), 2);
    assert_eq!(p.progress_rows[0].line, 36);
    assert_eq!(
        p.progress_row(2).map(|r| r.cells[3].as_str()),
        Some("⏳ 待开始")
    );
    assert_eq!(
        p.module_counts,
        [
            ModuleCount {
                line: 25,
                module: "用户认证".into(),
                number: 3
            },
            ModuleCount {
                line: 26,
                module: "总计".into(),
                number: 5
            }
        ]
    );
    let c = &p.status_counts[1];
    assert_eq!((c.line, c.kind, c.number), (30, Activation::Pending, 1));
    let text = PLAN.lines().nth(29).expect("line 30");
    assert_eq!(&text[c.span.clone()], "1");
}

#[test]
fn what_the_plan_must_have_is_an_error_naming_the_line() {
    let cases = [
        (
            PLAN.replace("### 阶段二：支付流程", "### 阶段2：支付流程"),
            "line 18: cannot read the phase heading",
        ),
        (
            PLAN.replace("### 阶段二：", "### 阶段一："),
            "line 18: 阶段一 appears twice (also at line 3)",
        ),
        (
            PLAN.replace(
                "1. ❌ `POST /api/v1/payments` - ",
                "1. ❌ `POST /api/v1/payments` ",
            ),
            "line 20: cannot read this endpoint line of 阶段二",
        ),
        (
            PLAN.replace("**完成时间**: 2026-01-06", "**测试结果**: 1/3"),
            "line 16: 阶段一 has two **测试结果** lines (also line 15)",
        ),
        (
            PLAN.replace("| 完成日期 | 负责人 |", "| 负责人 |"),
            "line 34: the 联调进度表 has the columns",
        ),
        (
            PLAN.replace("| 阶段二 | 支付流程 |", "| 第二 | 支付流程 |"),
            "line 37: cannot read the phase `第二`",
        ),
        (
            PLAN.replace("| 阶段二 | 支付流程 | 1 |", "| 阶段一 | 支付流程 | 1 |"),
            "line 37: 阶段一 has two 联调进度表 rows (also line 36)",
        ),
        (
            PLAN.replace("| - | - |\n", "| - |\n"),
            "line 37: this 联调进度表 row has 5 cells; the table has 6",
        ),
        (
            PLAN.replace("1. ❌ `POST /api/v1/payments` - 创建支付订单", "无"),
            "line 18: 阶段二 lists no endpoint",
        ),
    ];
    for (text, want) in cases {
        let e = err(&text);
        assert!(e.to_string().starts_with(want), "{want}: {e}");
    }
    assert_eq!(
        err("# 空\n").to_string(),
        "no phase heading (`### 阶段一：…`) found: is this the plan (API对接联调计划.md)?"
    );
    assert!(err(&PLAN.replace("### 联调进度表", "### 进度"))
        .to_string()
        .starts_with("no 联调进度表"));
}

#[test]
fn lines_inside_code_blocks_are_not_read() {
    let text = PLAN.replace(
        "**联调步骤**:",
        "```\n99. `GET /api/v1/x y` - 坏行\n**测试结果**: 0/0\n```",
    );
    let p = PlanDoc::parse(&text).expect("the block is not read");
    assert_eq!(p.phases[0].result.as_ref().map(|r| r.line), Some(18));
}

#[test]
fn a_numbered_line_with_an_unknown_word_is_not_an_endpoint() {
    let text = PLAN.replace("1. 激活后端 `authRoutes`", "1. 运行 `cd /srv` - 准备");
    assert_eq!(PlanDoc::parse(&text).expect("reads"), plan());
}
