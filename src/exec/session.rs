//! Sessions: a token per account, obtained once through the configured login and shared by the checks
//! that run as that account; refreshed once on 401.

pub use super::phones::AccountPhones;
use crate::catalog::Catalog;
use crate::config::{Config, LoginFlow, ResolvedAccount, SmsConfig};
use crate::contract::{AuthRequirement, Contract};
use crate::http::{Client, RequestError};
use crate::redact::{Redactor, SecretKind};
use crate::scenario::path::lookup;
use crate::scenario::template::{merge, value_text, Builtins, Vars};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

mod available;

use available::credentials_of;
pub use available::{missing_accounts, skip_reason, unavailable};

/// Why an account has no session. The messages end up in reports: they name what to configure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error(
        "account `{account}` is not configured (add [accounts.{account}] to daodao-check.toml)"
    )]
    AccountNotConfigured { account: String },
    #[error("account `{account}` needs the environment variable {var}")]
    EnvVarMissing { account: String, var: String },
    #[error("login as `{account}` answered without a token at `{path}`")]
    LoginWithoutToken { account: String, path: String },
    #[error("the login gave no refresh token")]
    NoRefreshToken,
    #[error("the refresh answered without a token at `{path}`")]
    RefreshWithoutToken { path: String },
    #[error("no session to refresh")]
    NoSessionToRefresh,
    #[error("the send-code response has no code at `{path}` (sms.source = \"response\")")]
    SmsCodeNotInResponse { path: String },
    #[error("sms.source = \"env\" but {var} is not set")]
    SmsCodeEnvMissing { var: String },
    #[error("the login needs contract `{contract}`, which does not exist")]
    AuthContractMissing { contract: String },
    /// The auth request did not get an answer (`endpoint` is the plan's spelling).
    #[error("{endpoint} failed: {message}")]
    AuthCallFailed { endpoint: String, message: String },
    #[error("{endpoint} answered HTTP {status} without JSON")]
    AuthCallNotJson { endpoint: String, status: u16 },
    /// The auth request answered another code than success; `message` is the server's, redacted.
    #[error("{endpoint} answered {}", rejected_text(.code, .message))]
    AuthCallRejected {
        endpoint: String,
        code: Option<i64>,
        message: String,
    },
    /// Registering a test user is a write, refused on a production environment.
    #[error(
        "account `{account}` would register a new test user (flow = \"register\"), a write the production environment refuses: use flow = \"password\" or \"code\", or --allow-writes"
    )]
    RegisterRefused { account: String },
    #[error(transparent)]
    Request(#[from] RequestError),
}

fn rejected_text(code: &Option<i64>, message: &str) -> String {
    match code {
        Some(c) => format!("code {c}: {message}"),
        None => {
            "without the envelope's code (the endpoint's envelope finding says what it sent)".into()
        }
    }
}

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
        self.vars_as("account", vars);
    }

    /// `<prefix>.phone`, `<prefix>.user_id` … (`secondary.user_id` for a field another account owns).
    pub fn vars_as(&self, prefix: &str, vars: &mut Vars) {
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                vars.insert(format!("{prefix}.{k}"), Value::String(v.to_string()));
            }
        };
        put("phone", Some(&self.phone));
        put("password", self.password.as_deref());
        put("token", Some(&self.token));
        put("refresh_token", self.refresh_token.as_deref());
        put("user_id", self.user_id.as_deref());
    }
}

/// The account a contract runs as by default.
pub fn default_account(c: &Contract) -> &'static str {
    if c.auth == AuthRequirement::Admin {
        "admin"
    } else {
        "primary"
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Result<Session, SessionError>>>>;

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
    pub async fn get(&self, login: &Login<'_>, account: &str) -> Result<Session, SessionError> {
        let slot = self.slot(account);
        let mut guard = slot.lock().await;
        if let Some(known) = guard.as_ref() {
            return known.clone();
        }
        let fresh = login.sign_in(account).await;
        *guard = Some(fresh.clone());
        fresh
    }

    /// Refreshes the session whose token was `stale` (once; another caller may already have).
    pub async fn refresh(
        &self,
        login: &Login<'_>,
        account: &str,
        stale: &str,
    ) -> Result<Session, SessionError> {
        let slot = self.slot(account);
        let mut guard = slot.lock().await;
        let Some(Ok(current)) = guard.as_ref() else {
            return Err(SessionError::NoSessionToRefresh);
        };
        if current.token != stale {
            return Ok(current.clone());
        }
        let refreshed = login.refresh(current).await;
        if let Ok(s) = &refreshed {
            *guard = Some(Ok(s.clone()));
        }
        refreshed
    }
}

/// What logging in needs: the client, the configured flow and accounts, the auth contracts, and the
/// redactor that learns every phone, password, code and token it sees.
#[derive(Clone, Copy)]
pub struct Login<'a> {
    pub client: &'a Client,
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    pub redactor: &'a Redactor,
    pub builtins: &'a Builtins,
    pub phones: &'a AccountPhones,
    pub notes: &'a super::notes::RunNotes,
}

/// Who logs in, and the auth response that gave the tokens.
struct Credentials {
    phone: String,
    password: Option<String>,
    response: Value,
}

impl Login<'_> {
    /// Logs an account in through the configured flow.
    pub async fn sign_in(&self, name: &str) -> Result<Session, SessionError> {
        let account =
            self.config
                .accounts
                .get(name)
                .ok_or_else(|| SessionError::AccountNotConfigured {
                    account: name.to_string(),
                })?;
        let Credentials {
            phone,
            password,
            response,
        } = self.credentials(account).await?;
        let auth = &self.config.auth;
        let text = |path: &str| lookup(&response, path).map(value_text);
        let token = match text(&auth.token) {
            Some(token) => token,
            // A login that succeeded with its token under another name is usable: the run goes on
            // with it and says once how to configure it (the auth contract's schema reports the
            // drift itself).
            None => match super::notes::token_elsewhere(&response) {
                Some((path, token)) => {
                    self.notes.add(format!(
                        "登录应答中没有 {}, 本次运行使用了 {path} 处的 token: 在 daodao-check.toml [auth] 中设置 token = \"{path}\", 或让后端按合约返回",
                        auth.token
                    ));
                    token
                }
                None => {
                    return Err(SessionError::LoginWithoutToken {
                        account: name.to_string(),
                        path: auth.token.clone(),
                    })
                }
            },
        };
        let refresh_token = text(&auth.refresh_token);
        self.phones.add(&phone, &token);
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

    /// Runs the account's login flow: register a fresh user, or log in by SMS code or by password.
    async fn credentials(&self, account: &ResolvedAccount) -> Result<Credentials, SessionError> {
        let auth = &self.config.auth;
        match account.flow {
            LoginFlow::Register if self.config.refuses_writes().is_some() => {
                Err(SessionError::RegisterRefused {
                    account: account.name.clone(),
                })
            }
            LoginFlow::Register => {
                let phone = self.builtins.phone();
                let password = format!("Dd{:06}x9", rand::random::<u32>() % 1_000_000);
                self.redactor.add(&phone, SecretKind::Phone);
                self.redactor.add(&password, SecretKind::Password);
                let code = self
                    .obtain_sms_code(&phone, &auth.code_type_register)
                    .await?;
                let body = json!({"phone": phone, "code": code, "password": password});
                let response = self.auth_call(&auth.register, body).await?;
                Ok(Credentials {
                    phone,
                    password: Some(password),
                    response,
                })
            }
            LoginFlow::Code => {
                let (phone, _) = credentials_of(account)?;
                self.redactor.add(&phone, SecretKind::Phone);
                let code = self.obtain_sms_code(&phone, &auth.code_type_login).await?;
                let response = self
                    .auth_call(&auth.login_with_code, json!({"phone": phone, "code": code}))
                    .await?;
                Ok(Credentials {
                    phone,
                    password: None,
                    response,
                })
            }
            LoginFlow::Password => {
                let (phone, password) = credentials_of(account)?;
                let password = password.unwrap_or_default();
                self.redactor.add(&phone, SecretKind::Phone);
                self.redactor.add(&password, SecretKind::Password);
                let response = self
                    .auth_call(&auth.login, json!({"phone": phone, "password": password}))
                    .await?;
                Ok(Credentials {
                    phone,
                    password: Some(password),
                    response,
                })
            }
        }
    }

    /// A new token (and refresh token, when the answer has one) for a session.
    pub async fn refresh(&self, s: &Session) -> Result<Session, SessionError> {
        let auth = &self.config.auth;
        let rt = s
            .refresh_token
            .clone()
            .ok_or(SessionError::NoRefreshToken)?;
        let mut body = serde_json::Map::new();
        body.insert(auth.refresh_field.clone(), Value::String(rt.clone()));
        let resp = self.auth_call(&auth.refresh, Value::Object(body)).await?;
        let token = lookup(&resp, &auth.token).map(value_text).ok_or_else(|| {
            SessionError::RefreshWithoutToken {
                path: auth.token.clone(),
            }
        })?;
        self.redactor.add(&token, SecretKind::Token);
        self.phones.add(&s.phone, &token);
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
    pub async fn obtain_sms_code(&self, phone: &str, kind: &str) -> Result<String, SessionError> {
        let auth = &self.config.auth;
        let resp = self
            .auth_call(&auth.send_code, json!({"phone": phone, "type": kind}))
            .await?;
        let code = sms_code_from(&self.config.sms, &resp)?;
        self.redactor.add(&code, SecretKind::SmsCode);
        Ok(code)
    }

    /// One request to an auth contract, without checks; its body merged over the example's.
    async fn auth_call(&self, contract_id: &str, body: Value) -> Result<Value, SessionError> {
        let contract = self.catalog.contract(contract_id).ok_or_else(|| {
            SessionError::AuthContractMissing {
                contract: contract_id.to_string(),
            }
        })?;
        let mut parts = contract.example.request.clone();
        let mut merged = parts.body.take().unwrap_or(json!({}));
        merge(&mut merged, &body);
        parts.body = Some(merged);
        let req = self.client.build(contract, &parts, None)?;
        let endpoint = contract.plan_spelling(&self.catalog.plan.prefix);
        let ex = self.client.send(req).await;
        let resp = ex.response.map_err(|e| SessionError::AuthCallFailed {
            endpoint: endpoint.clone(),
            message: e.message,
        })?;
        let Some(json) = resp.json else {
            return Err(SessionError::AuthCallNotJson {
                endpoint,
                status: resp.status,
            });
        };
        let envelope = &self.config.envelope;
        let code = json.get(&envelope.code).and_then(Value::as_i64);
        if code != Some(envelope.success) {
            let message = json
                .get(&envelope.message)
                .and_then(Value::as_str)
                .unwrap_or("");
            return Err(SessionError::AuthCallRejected {
                endpoint,
                code,
                message: self.redactor.text(message),
            });
        }
        Ok(json)
    }
}

/// The SMS code per the configuration, given a send-code response.
pub fn sms_code_from(sms: &SmsConfig, resp: &Value) -> Result<String, SessionError> {
    match sms {
        SmsConfig::Response { path } => lookup(resp, path)
            .map(value_text)
            .ok_or_else(|| SessionError::SmsCodeNotInResponse { path: path.clone() }),
        SmsConfig::Fixed { value } => Ok(value.clone()),
        SmsConfig::Env { var } => std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| SessionError::SmsCodeEnvMissing { var: var.clone() }),
    }
}

#[cfg(test)]
mod tests;
