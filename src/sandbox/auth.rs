//! Who is calling (the user of a token this sandbox issued), and the auth contracts' actions: send a
//! code, register, log in (password, SMS code, WeChat), refresh, log out, the session, bind a phone.

use super::engine::context::{Caller, Ctx};
use super::fault::{FaultKind, Faults};
use super::json::fit;
use super::reply::{refuse, Outcome, Refusal};
use super::state::{State, User};
use super::{Sandbox, DEV_SMS_CODE, WECHAT_TEST_PREFIX};
use crate::config::Role;
use crate::contract::behaviour::{Action, Behaviour};
use crate::contract::Contract;
use crate::scenario::template::value_text;
use serde_json::{json, Value};

/// The user of a token this sandbox issued and that was not logged out; a 401 when the contract needs
/// one and there is none.
pub(crate) fn authenticate(
    s: &Sandbox,
    contract: &Contract,
    faults: &Faults,
    authorization: Option<&str>,
) -> Result<Caller, Refusal> {
    let token = authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let enforced = !faults.is_on(FaultKind::AuthOff);
    let user = {
        let state = s.state.lock().unwrap_or_else(|e| e.into_inner());
        let known = token
            .as_ref()
            .and_then(|t| state.tokens.get(t))
            .and_then(|id| state.user(id))
            .cloned();
        // A backend that does not enforce auth still serves the request, as somebody.
        let somebody = || {
            state
                .users
                .iter()
                .find(|u| u.role == Role::Customer)
                .cloned()
        };
        known.or_else(|| (!enforced).then(somebody).flatten())
    };
    if contract.needs_auth() && user.is_none() && enforced {
        return Err(Refusal::at(
            Outcome::Unauthenticated,
            401,
            "未登录或登录已过期",
        ));
    }
    Ok(Caller { user, token })
}

/// Whether the caller's role may call: a behaviour that names roles refuses everyone else with 403 (a
/// backend with the `customer-completes` fault forgets to).
pub(crate) fn authorize(caller: &Caller, b: &Behaviour, faults: &Faults) -> Result<(), Refusal> {
    if b.roles.is_empty() || faults.is_on(FaultKind::CustomerCompletes) {
        return Ok(());
    }
    match &caller.user {
        Some(u) if b.roles.contains(&u.role) => Ok(()),
        _ => Err(refuse(403, "无权限: 仅门店员工可以操作")),
    }
}

/// The answer data of an `auth-*` action.
pub(crate) fn act(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    match ctx.behaviour.action {
        Action::AuthSendCode => Ok(send_code(ctx, state)),
        Action::AuthRegister => register(ctx, state),
        Action::AuthLogin => login(ctx, state),
        Action::AuthLoginWithCode => login_with_code(ctx, state),
        Action::AuthWechatLogin => wechat_login(ctx, state),
        Action::AuthRefresh => refresh(ctx, state),
        Action::AuthLogout => Ok(logout(ctx, state)),
        Action::AuthCheckLogin | Action::AuthProfile => {
            let user = ctx.caller.user.as_ref().ok_or_else(not_logged_in)?;
            Ok(session_data(ctx, user, None))
        }
        Action::AuthBindPhone => bind_phone(ctx, state),
        _ => Ok(ctx.example.clone()),
    }
}

fn not_logged_in() -> Refusal {
    refuse(401, "未登录或登录已过期")
}

fn send_code(ctx: &Ctx, state: &mut State) -> Value {
    let mut d = ctx.example.clone();
    let id = state.new_key(Some("sms_0001"));
    if d.get("codeId").is_some() {
        d["codeId"] = json!(id);
    }
    d
}

/// The SMS code of the body must be the sandbox's.
fn check_sms_code(ctx: &Ctx) -> Result<(), Refusal> {
    if body_str(ctx, "code") == DEV_SMS_CODE {
        Ok(())
    } else {
        Err(refuse(400, "验证码错误"))
    }
}

fn register(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    check_sms_code(ctx)?;
    let phone = body_str(ctx, "phone");
    if state.user_by_phone(&phone).is_some() {
        return Err(refuse(400, "手机号已注册"));
    }
    let password = ctx.body.get("password").map(value_text);
    let user = state.add_user(&phone, password);
    Ok(new_session(ctx, state, &user))
}

fn login(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    let password = body_str(ctx, "password");
    let user = state
        .user_by_phone(&body_str(ctx, "phone"))
        .filter(|u| u.password.as_deref() == Some(password.as_str()))
        .cloned()
        .ok_or_else(|| refuse(401, "手机号或密码错误"))?;
    Ok(new_session(ctx, state, &user))
}

/// A phone seen for the first time is a new user.
fn login_with_code(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    check_sms_code(ctx)?;
    let phone = body_str(ctx, "phone");
    let user = match state.user_by_phone(&phone).cloned() {
        Some(u) => u,
        None => state.add_user(&phone, None),
    };
    Ok(new_session(ctx, state, &user))
}

/// Test codes only; the same code is the same user, new on first use.
fn wechat_login(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    let code = body_str(ctx, "code");
    if !code.starts_with(WECHAT_TEST_PREFIX) {
        return Err(refuse(401, "微信授权失败: 无效的授权码"));
    }
    let known = state
        .wechat
        .get(&code)
        .and_then(|id| state.user(id))
        .cloned();
    let user = match known {
        Some(u) => u,
        None => {
            let u = state.add_user("", None);
            state.wechat.insert(code, u.id.clone());
            u
        }
    };
    Ok(new_session(ctx, state, &user))
}

/// A refresh token is good once.
fn refresh(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    let refresh_token = body_str(ctx, &ctx.sandbox.options.refresh_field);
    let user_id = state
        .refresh
        .remove(&refresh_token)
        .ok_or_else(|| refuse(401, "刷新令牌无效或已过期"))?;
    let (access, refresh) = state.issue(&user_id);
    let mut d = ctx.example.clone();
    d["token"] = json!(access);
    d["refreshToken"] = json!(refresh);
    Ok(fit(&ctx.example, &d))
}

fn logout(ctx: &Ctx, state: &mut State) -> Value {
    let revokes = !Faults::new(ctx.sandbox, ctx.contract).is_on(FaultKind::LogoutKeepsToken);
    if let Some(t) = ctx.caller.token.as_ref().filter(|_| revokes) {
        state.tokens.remove(t);
    }
    ctx.example.clone()
}

fn bind_phone(ctx: &Ctx, state: &mut State) -> Result<Value, Refusal> {
    check_sms_code(ctx)?;
    if let Some(me) = &ctx.caller.user {
        if let Some(u) = state.users.iter_mut().find(|u| u.id == me.id) {
            u.phone = body_str(ctx, "phone");
        }
    }
    Ok(ctx.example.clone())
}

/// Issues tokens for the user and answers the session.
fn new_session(ctx: &Ctx, state: &mut State, user: &User) -> Value {
    let tokens = state.issue(&user.id);
    session_data(ctx, user, Some(tokens))
}

/// The session as the example shapes it: the user (nested and at the top level), and the tokens.
fn session_data(ctx: &Ctx, user: &User, tokens: Option<(String, String)>) -> Value {
    let user_type = match user.role {
        Role::Customer => "CUSTOMER",
        Role::Staff => "EMPLOYEE",
    };
    let user_json = json!({
        "id": user.id, "phone": user.phone, "nickname": user.nickname,
        "avatar": "https://cdn.daodao.example/avatar/default.png", "userType": user_type,
    });
    let mut v = json!({ "user": user_json.clone(), "isLoggedIn": true });
    if let Some((access, refresh)) = tokens {
        v["token"] = json!(access);
        v["refreshToken"] = json!(refresh);
    }
    if let (Value::Object(o), Value::Object(fields)) = (&mut v, &user_json) {
        for (k, x) in fields {
            o.entry(k.clone()).or_insert(x.clone());
        }
    }
    fit(&ctx.example, &v)
}

fn body_str(ctx: &Ctx, field: &str) -> String {
    ctx.body.get(field).map(value_text).unwrap_or_default()
}
