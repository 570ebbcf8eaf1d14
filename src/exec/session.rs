//! Sessions: a token per account, obtained once through the configured login and shared by the checks
//! that run as that account; refreshed once on 401.

use super::Runner;
use crate::config::LoginFlow;
use crate::redact::SecretKind;
use crate::scenario::path::lookup;
use crate::scenario::template::{value_text, Vars};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Session {
    pub account: String,
    pub phone: String,
    pub password: Option<String>,
    pub token: String,
    pub refresh_token: Option<String>,
    pub user_id: Option<String>,
}

impl Session {
    /// `account.phone`, `account.token` … for templates.
    pub fn vars(&self, vars: &mut Vars) {
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                vars.insert(format!("account.{k}"), Value::String(v.to_string()));
            }
        };
        put("phone", Some(&self.phone));
        put("password", self.password.as_deref());
        put("token", Some(&self.token));
        put("refresh_token", self.refresh_token.as_deref());
        put("user_id", self.user_id.as_deref());
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Result<Session, String>>>>;

/// The sessions of one scope: the whole run (endpoint checks) or one scenario.
#[derive(Default)]
pub struct Sessions {
    slots: Mutex<HashMap<String, Slot>>,
}

impl Sessions {
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, account: &str) -> Slot {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(account.to_string())
            .or_default()
            .clone()
    }

    /// The account's session, logging in on first use (concurrent callers wait for one login).
    pub async fn get(&self, runner: &Runner, account: &str) -> Result<Session, String> {
        let slot = self.slot(account);
        let mut guard = slot.lock().await;
        if guard.is_none() {
            *guard = Some(runner.login(account).await);
        }
        guard.clone().unwrap_or_else(|| Err("no session".into()))
    }

    /// Refreshes the session whose token was `stale` (once; another caller may already have).
    pub async fn refresh(
        &self,
        runner: &Runner,
        account: &str,
        stale: &str,
    ) -> Result<Session, String> {
        let slot = self.slot(account);
        let mut guard = slot.lock().await;
        if let Some(Ok(current)) = guard.as_ref() {
            if current.token != stale {
                return Ok(current.clone());
            }
            let refreshed = runner.refresh(current).await;
            if let Ok(s) = &refreshed {
                *guard = Some(Ok(s.clone()));
            }
            return refreshed;
        }
        Err("no session to refresh".into())
    }
}

impl Runner {
    /// Logs an account in through the configured flow.
    pub(crate) async fn login(&self, name: &str) -> Result<Session, String> {
        let account = self.config.accounts.get(name).ok_or_else(|| {
            format!(
                "account `{name}` is not configured (add [accounts.{name}] to daodao-check.toml)"
            )
        })?;
        let auth = self.config.auth.clone();
        let env_var = |var: &str| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("account `{name}` needs the environment variable {var}"))
        };
        let (phone, password, response) = match account.flow {
            LoginFlow::Register => {
                let phone = self.builtins.phone();
                let password = format!("Dd{:06}x9", rand::random::<u32>() % 1_000_000);
                self.redactor.add(&phone, SecretKind::Phone);
                self.redactor.add(&password, SecretKind::Password);
                let code = self
                    .obtain_sms_code(&phone, &auth.code_type_register)
                    .await?;
                let body = json!({"phone": phone, "code": code, "password": password});
                let resp = self.auth_call(&auth.register, body).await?;
                (phone, Some(password), resp)
            }
            LoginFlow::Code => {
                let phone = env_var(&account.phone_env)?;
                self.redactor.add(&phone, SecretKind::Phone);
                let code = self.obtain_sms_code(&phone, &auth.code_type_login).await?;
                let resp = self
                    .auth_call(&auth.login_with_code, json!({"phone": phone, "code": code}))
                    .await?;
                (phone, None, resp)
            }
            LoginFlow::Password => {
                let phone = env_var(&account.phone_env)?;
                let password = env_var(&account.password_env)?;
                self.redactor.add(&phone, SecretKind::Phone);
                self.redactor.add(&password, SecretKind::Password);
                let resp = self
                    .auth_call(&auth.login, json!({"phone": phone, "password": password}))
                    .await?;
                (phone, Some(password), resp)
            }
        };
        let text = |path: &str| lookup(&response, path).map(value_text);
        let token = text(&auth.token).ok_or_else(|| {
            format!(
                "login as `{name}` answered without a token at `{}`",
                auth.token
            )
        })?;
        let refresh_token = text(&auth.refresh_token);
        self.redactor.add(&token, SecretKind::Token);
        if let Some(r) = &refresh_token {
            self.redactor.add(r, SecretKind::Token);
        }
        Ok(Session {
            account: name.to_string(),
            phone,
            password,
            token,
            refresh_token,
            user_id: text(&auth.user_id),
        })
    }

    pub(crate) async fn refresh(&self, s: &Session) -> Result<Session, String> {
        let auth = self.config.auth.clone();
        let rt = s
            .refresh_token
            .clone()
            .ok_or_else(|| "the login gave no refresh token".to_string())?;
        let mut body = serde_json::Map::new();
        body.insert(auth.refresh_field.clone(), Value::String(rt.clone()));
        let resp = self.auth_call(&auth.refresh, Value::Object(body)).await?;
        let token = lookup(&resp, &auth.token)
            .map(value_text)
            .ok_or_else(|| format!("the refresh answered without a token at `{}`", auth.token))?;
        self.redactor.add(&token, SecretKind::Token);
        let refresh_token = lookup(&resp, &auth.refresh_token)
            .map(value_text)
            .or(Some(rt));
        if let Some(r) = &refresh_token {
            self.redactor.add(r, SecretKind::Token);
        }
        Ok(Session {
            token,
            refresh_token,
            ..s.clone()
        })
    }

    /// Sends the verification code and obtains it the configured way.
    pub(crate) async fn obtain_sms_code(&self, phone: &str, kind: &str) -> Result<String, String> {
        let auth = self.config.auth.clone();
        let resp = self
            .auth_call(&auth.send_code, json!({"phone": phone, "type": kind}))
            .await?;
        let code = self.sms_code_from(&resp)?;
        self.redactor.add(&code, SecretKind::SmsCode);
        Ok(code)
    }

    /// The SMS code per the configuration, given a send-code response.
    pub(crate) fn sms_code_from(&self, resp: &Value) -> Result<String, String> {
        use crate::config::SmsConfig;
        match &self.config.sms {
            SmsConfig::Response { path } => lookup(resp, path).map(value_text).ok_or_else(|| {
                format!(
                    "the send-code response has no code at `{path}` (sms.source = \"response\")"
                )
            }),
            SmsConfig::Fixed { value } => Ok(value.clone()),
            SmsConfig::Env { var } => std::env::var(var)
                .ok()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("sms.source = \"env\" but {var} is not set")),
        }
    }

    /// One request to an auth contract, without checks; its body merged over the example's.
    async fn auth_call(&self, contract_id: &str, body: Value) -> Result<Value, String> {
        let contract = self.catalog.contract(contract_id).ok_or_else(|| {
            format!("the login needs contract `{contract_id}`, which does not exist")
        })?;
        let mut parts = contract.example.request.clone();
        let mut merged = parts.body.take().unwrap_or(json!({}));
        crate::scenario::template::merge(&mut merged, &body);
        parts.body = Some(merged);
        let req = self.client.build(contract, &parts, None)?;
        let spelling = contract.plan_spelling(&self.catalog.plan.prefix);
        let ex = self.client.send(req).await;
        let resp = ex
            .response
            .map_err(|e| format!("{spelling} failed: {}", e.message))?;
        let json = resp
            .json
            .ok_or_else(|| format!("{spelling} answered HTTP {} without JSON", resp.status))?;
        let env = &self.config.envelope;
        let code = json.get(&env.code).and_then(Value::as_i64);
        if code != Some(env.success) {
            let msg = json.get(&env.message).and_then(Value::as_str).unwrap_or("");
            return Err(self.redactor.text(&format!(
                "{spelling} answered code {}: {msg}",
                code.map_or("none".into(), |c| c.to_string())
            )));
        }
        Ok(json)
    }
}
