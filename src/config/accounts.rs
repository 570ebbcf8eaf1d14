//! Test accounts and their roles: the customers of the mini-program (`primary`, `secondary`) and the
//! store's staff (`staff`), each logging in by its own flow. Credentials come from environment
//! variables only, never from committed files.

use super::ConfigError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The accounts every run has, whether the file names them or not: two customers and the staff.
pub const BUILT_IN_ACCOUNTS: [&str; 3] = ["primary", "secondary", STAFF_ACCOUNT];

/// The account of the store's side, as steps name it (`as = "staff"`).
pub const STAFF_ACCOUNT: &str = "staff";

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoginFlow {
    /// Register a fresh user with a unique test phone number (send-code + register). Needs no secrets.
    #[default]
    Register,
    /// send-code + login-with-code for the account's phone.
    Code,
    /// Password login for the account's phone and password.
    Password,
}

/// What an account may do on the backend.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A user of the mini-program: books, pays, rates.
    #[default]
    Customer,
    /// The store's side (门店/管理端): moves orders through their states. The backend team provides
    /// it, so it logs in with a password or an SMS code, never by registering; without it, what
    /// needs it is skipped, not failed.
    Staff,
}

/// A test account as `[accounts.NAME]` writes it.
#[derive(Debug, Clone, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// How it logs in (default `register` for a customer, `password` for the staff).
    pub flow: Option<LoginFlow>,
    /// `customer` or `staff` (default `staff` for the account named `staff`, else `customer`).
    pub role: Option<Role>,
    /// Environment variable holding the phone (default `DAODAO_<NAME>_PHONE`).
    pub phone_env: Option<String>,
    /// Environment variable holding the password (default `DAODAO_<NAME>_PASSWORD`).
    pub password_env: Option<String>,
}

/// Credentials a run was given directly instead of through environment variables: only the
/// embedded sandbox gives them (its seeded staff), never a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetLogin {
    pub phone: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct ResolvedAccount {
    pub name: String,
    pub flow: LoginFlow,
    pub role: Role,
    pub phone_env: String,
    pub password_env: String,
    pub preset: Option<PresetLogin>,
}

impl ResolvedAccount {
    fn new(name: &str, cfg: &AccountConfig, file: &Path) -> Result<Self, ConfigError> {
        let upper = name.to_uppercase().replace('-', "_");
        let role = cfg.role.unwrap_or(if name == STAFF_ACCOUNT {
            Role::Staff
        } else {
            Role::Customer
        });
        let flow = cfg.flow.unwrap_or(match role {
            Role::Customer => LoginFlow::Register,
            Role::Staff => LoginFlow::Password,
        });
        if role == Role::Staff && flow == LoginFlow::Register {
            return Err(ConfigError::StaffRegisters {
                file: file.to_path_buf(),
                account: name.to_string(),
            });
        }
        Ok(ResolvedAccount {
            name: name.to_string(),
            flow,
            role,
            phone_env: cfg
                .phone_env
                .clone()
                .unwrap_or_else(|| format!("DAODAO_{upper}_PHONE")),
            password_env: cfg
                .password_env
                .clone()
                .unwrap_or_else(|| format!("DAODAO_{upper}_PASSWORD")),
            preset: None,
        })
    }

    /// The environment variables its flow reads, in the order it reads them.
    pub fn env_vars(&self) -> Vec<&str> {
        match self.flow {
            LoginFlow::Register => vec![],
            LoginFlow::Code => vec![&self.phone_env],
            LoginFlow::Password => vec![&self.phone_env, &self.password_env],
        }
    }

    /// One line saying how to give the account what it logs in with.
    pub fn how_to_configure(&self) -> String {
        let vars = self.env_vars().join(" 和 ");
        format!(
            "设置环境变量 {vars} (daodao-check.toml [accounts.{}] flow = \"{}\")",
            self.name,
            flow_name(self.flow)
        )
    }
}

fn flow_name(flow: LoginFlow) -> &'static str {
    match flow {
        LoginFlow::Register => "register",
        LoginFlow::Code => "code",
        LoginFlow::Password => "password",
    }
}

/// The file's accounts and the built-in ones it does not name.
/// `file` is the configuration file they come from, for errors.
pub(super) fn resolve(
    configured: &BTreeMap<String, AccountConfig>,
    file: &Path,
) -> Result<BTreeMap<String, ResolvedAccount>, ConfigError> {
    let mut accounts = BTreeMap::new();
    for (name, cfg) in configured {
        accounts.insert(name.clone(), ResolvedAccount::new(name, cfg, file)?);
    }
    for name in BUILT_IN_ACCOUNTS {
        if !accounts.contains_key(name) {
            let built_in = ResolvedAccount::new(name, &AccountConfig::default(), file)?;
            accounts.insert(name.to_string(), built_in);
        }
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_toml(text: &str) -> Result<BTreeMap<String, ResolvedAccount>, ConfigError> {
        let file: BTreeMap<String, AccountConfig> = toml::from_str(text).expect("accounts");
        resolve(&file, Path::new("daodao-check.toml"))
    }

    #[test]
    fn every_run_has_two_customers_and_the_staff() {
        let accounts = from_toml("").expect("built-ins");
        let roles: Vec<(&str, Role, LoginFlow)> = accounts
            .values()
            .map(|a| (a.name.as_str(), a.role, a.flow))
            .collect();
        assert_eq!(
            roles,
            [
                ("primary", Role::Customer, LoginFlow::Register),
                ("secondary", Role::Customer, LoginFlow::Register),
                ("staff", Role::Staff, LoginFlow::Password),
            ]
        );
        let staff = &accounts["staff"];
        assert_eq!(
            staff.env_vars(),
            ["DAODAO_STAFF_PHONE", "DAODAO_STAFF_PASSWORD"]
        );
        assert_eq!(
            staff.how_to_configure(),
            "设置环境变量 DAODAO_STAFF_PHONE 和 DAODAO_STAFF_PASSWORD (daodao-check.toml [accounts.staff] flow = \"password\")"
        );
    }

    #[test]
    fn a_staff_account_logs_in_by_code_or_password_never_by_registering() {
        let by_code = from_toml("[staff]\nflow = \"code\"\nphone_env = \"STORE_PHONE\"\n")
            .expect("code login");
        assert_eq!(by_code["staff"].env_vars(), ["STORE_PHONE"]);
        let err = from_toml("[store]\nrole = \"staff\"\nflow = \"register\"\n")
            .expect_err("a registered user is a customer");
        assert_eq!(
            err.to_string(),
            "daodao-check.toml: [accounts.store]: a staff account cannot register (a new user is a customer): use flow = \"password\" or \"code\""
        );
        let named = from_toml("[store]\nrole = \"staff\"\n").expect("defaults to password");
        assert_eq!(named["store"].flow, LoginFlow::Password);
    }
}
