//! Which accounts can log in, known before anything is sent: an account the configuration does not
//! have, or one whose credentials are not in the environment. What needs a staff account that cannot is
//! skipped, and the run says how to configure it.

use super::SessionError;
use crate::config::{Config, LoginFlow, ResolvedAccount, Role};
use crate::result::MissingAccount;

/// Why an account cannot log in, known before anything is sent: it is not configured, or what it logs
/// in with is not in the environment. `None` when it can try.
pub fn unavailable(config: &Config, name: &str) -> Option<SessionError> {
    let Some(account) = config.accounts.get(name) else {
        return Some(SessionError::AccountNotConfigured {
            account: name.to_string(),
        });
    };
    match account.flow {
        LoginFlow::Register => None,
        LoginFlow::Code | LoginFlow::Password => credentials_of(account).err(),
    }
}

/// Why what needs this account is skipped rather than run: an account the configuration does not
/// have, or a staff account without its credentials. A customer account that cannot log in is not
/// skipped: the run needs it, and what depends on it is blocked.
pub fn skip_reason(config: &Config, name: &str) -> Option<String> {
    let why = unavailable(config, name)?;
    let skips = match config.accounts.get(name) {
        None => true,
        Some(account) => account.role == Role::Staff,
    };
    skips.then(|| format!("需要 {name} 账号: {why}"))
}

/// The accounts among `names` whose needs are skipped, each once, in name order, with how to
/// configure them.
pub fn missing_accounts<'n>(
    config: &Config,
    names: impl IntoIterator<Item = &'n str>,
) -> Vec<MissingAccount> {
    let names: std::collections::BTreeSet<&str> = names.into_iter().collect();
    names
        .into_iter()
        .filter(|name| skip_reason(config, name).is_some())
        .map(|name| MissingAccount {
            account: name.to_string(),
            why: unavailable(config, name)
                .map(|e| e.to_string())
                .unwrap_or_default(),
            how: config.accounts.get(name).map_or_else(
                || format!("在 daodao-check.toml 中添加 [accounts.{name}]"),
                ResolvedAccount::how_to_configure,
            ),
        })
        .collect()
}

/// The phone and (for a password login) the password of an account that does not register: the
/// preset ones, else the environment's.
pub(super) fn credentials_of(
    account: &ResolvedAccount,
) -> Result<(String, Option<String>), SessionError> {
    if let Some(p) = &account.preset {
        return Ok((p.phone.clone(), Some(p.password.clone())));
    }
    let env_var = |var: &str| {
        std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| SessionError::EnvVarMissing {
                account: account.name.clone(),
                var: var.to_string(),
            })
    };
    let phone = env_var(&account.phone_env)?;
    let password = match account.flow {
        LoginFlow::Password => Some(env_var(&account.password_env)?),
        LoginFlow::Code | LoginFlow::Register => None,
    };
    Ok((phone, password))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse, resolve, NoEnv, Overrides, PresetLogin};
    use std::path::{Path, PathBuf};

    /// Accounts whose variables no test sets.
    fn config() -> Config {
        let text = "[accounts.staff]\nphone_env = \"DAODAO_TEST_UNSET_A\"\npassword_env = \"DAODAO_TEST_UNSET_B\"\n\
                    [accounts.regular]\nflow = \"password\"\nphone_env = \"DAODAO_TEST_UNSET_C\"\n";
        let path = Path::new("daodao-check.toml");
        let file = parse(path, text).expect("parses");
        resolve(
            file,
            PathBuf::from("/p"),
            None,
            &Overrides::default(),
            &NoEnv,
        )
        .expect("resolves")
    }

    #[test]
    fn a_staff_account_without_credentials_is_skipped_a_customer_is_not() {
        let config = config();
        assert_eq!(
            unavailable(&config, "primary"),
            None,
            "registers, needs nothing"
        );
        assert_eq!(
            skip_reason(&config, "staff").as_deref(),
            Some("需要 staff 账号: account `staff` needs the environment variable DAODAO_TEST_UNSET_A")
        );
        // A customer that cannot log in is needed by the run: blocked, not skipped.
        assert!(unavailable(&config, "regular").is_some());
        assert_eq!(skip_reason(&config, "regular"), None);
        assert_eq!(
            skip_reason(&config, "admin").as_deref(),
            Some("需要 admin 账号: account `admin` is not configured (add [accounts.admin] to daodao-check.toml)")
        );
    }

    #[test]
    fn preset_credentials_make_the_staff_available() {
        let mut config = config();
        let staff = config.accounts.get_mut("staff").expect("staff");
        staff.preset = Some(PresetLogin {
            phone: "13912340000".into(),
            password: "p".into(),
        });
        assert_eq!(unavailable(&config, "staff"), None);
        let staff = &config.accounts["staff"];
        assert_eq!(
            credentials_of(staff),
            Ok(("13912340000".into(), Some("p".into())))
        );
    }

    #[test]
    fn each_missing_account_is_named_once_with_how_to_configure_it() {
        let missing =
            missing_accounts(&config(), ["staff", "primary", "staff", "admin", "regular"]);
        let names: Vec<&str> = missing.iter().map(|m| m.account.as_str()).collect();
        assert_eq!(names, ["admin", "staff"]);
        assert_eq!(
            missing[0].how,
            "在 daodao-check.toml 中添加 [accounts.admin]"
        );
        assert!(missing[1]
            .how
            .starts_with("设置环境变量 DAODAO_TEST_UNSET_A 和 DAODAO_TEST_UNSET_B"));
    }
}
