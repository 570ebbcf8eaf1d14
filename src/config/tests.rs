//! Loading and resolving the configuration: each failure is its own [`ConfigError`] variant.

use super::*;
use std::collections::HashMap;

/// Environment variables from a table, so tests never read the process environment.
struct Vars(HashMap<&'static str, &'static str>);

impl Vars {
    fn none() -> Self {
        Vars(HashMap::new())
    }
    fn with(pairs: &[(&'static str, &'static str)]) -> Self {
        Vars(pairs.iter().copied().collect())
    }
}

impl EnvSource for Vars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|v| v.to_string())
    }
}

fn resolve_text(text: &str, cli: &Overrides, env: &Vars) -> Result<Config, ConfigError> {
    let path = Path::new("daodao-check.toml");
    let file = parse(path, text)?;
    resolve(file, PathBuf::from("/project"), Some(path.into()), cli, env)
}

#[test]
fn defaults_need_no_file() {
    let config = resolve_text("", &Overrides::default(), &Vars::none()).expect("resolves");
    assert_eq!(config.env_name, "local");
    assert_eq!(config.base_url, DEFAULT_BASE_URL);
    assert_eq!(config.base_path(), "/api/v1");
    assert_eq!(config.contracts_dir, Path::new("/project/contracts"));
    assert!(config.accounts.contains_key("primary") && config.accounts.contains_key("secondary"));
}

#[test]
fn the_command_line_wins_over_the_environment_and_the_environment_over_the_file() {
    let text = "[run]\njobs = 2\ntimeout_ms = 100\n";
    let env = Vars::with(&[("DAODAO_JOBS", "3"), ("DAODAO_TIMEOUT_MS", "200")]);
    let cli = Overrides {
        jobs: Some(4),
        ..Default::default()
    };
    let config = resolve_text(text, &cli, &env).expect("resolves");
    assert_eq!((config.jobs, config.timeout_ms), (4, 200));
}

#[test]
fn a_toml_error_keeps_its_line_and_column() {
    let err = resolve_text(
        "[run]\njobs = \"four\"\n",
        &Overrides::default(),
        &Vars::none(),
    )
    .expect_err("a string is not a number");
    let ConfigError::Toml { path, error } = &err else {
        panic!("expected a TOML error, got {err:?}");
    };
    assert_eq!(path, Path::new("daodao-check.toml"));
    assert_eq!(error.line_col, Some((2, 8)));
    assert!(
        error.message.starts_with("invalid type: string \"four\""),
        "{error}"
    );
}

#[test]
fn an_unknown_key_is_a_toml_error_at_its_line() {
    let err = resolve_text(
        "[envelope]\ncodee = \"code\"\n",
        &Overrides::default(),
        &Vars::none(),
    )
    .expect_err("unknown key");
    let ConfigError::Toml { error, .. } = &err else {
        panic!("expected a TOML error, got {err:?}");
    };
    assert_eq!(error.line_col, Some((2, 1)));
    assert!(
        error.message.starts_with("unknown field `codee`"),
        "{error}"
    );
}

#[test]
fn a_non_numeric_environment_variable_names_itself() {
    let err = resolve_text(
        "",
        &Overrides::default(),
        &Vars::with(&[("DAODAO_RETRIES", "many")]),
    )
    .expect_err("not a number");
    assert!(
        matches!(&err, ConfigError::EnvNotANumber { name, value } if name == "DAODAO_RETRIES" && value == "many"),
        "{err:?}"
    );
}

#[test]
fn an_unknown_status_policy_in_the_environment_is_refused() {
    let err = resolve_text(
        "",
        &Overrides::default(),
        &Vars::with(&[("DAODAO_STATUS_POLICY", "strict")]),
    )
    .expect_err("unknown policy");
    assert!(
        matches!(&err, ConfigError::EnvStatusPolicy { value } if value == "strict"),
        "{err:?}"
    );
}

#[test]
fn an_unknown_environment_lists_the_configured_ones() {
    let cli = Overrides {
        env: Some("prod".into()),
        ..Default::default()
    };
    let text = "[env.staging]\nbase_url = \"http://staging.test/api/v1\"\n[env.dev]\n";
    let err = resolve_text(text, &cli, &Vars::none()).expect_err("no prod");
    let ConfigError::UnknownEnv { name, configured } = &err else {
        panic!("expected an unknown environment, got {err:?}");
    };
    assert_eq!(name, "prod");
    assert_eq!(configured, &["dev", "staging"]);
    // `local` needs no section; any other name does.
    let err = resolve_text("", &cli, &Vars::none()).expect_err("no sections at all");
    assert_eq!(
        err.to_string(),
        "unknown environment `prod` (configured: none)"
    );
}

#[test]
fn a_base_url_must_be_an_http_url() {
    let with_url = |url: &'static str| Overrides {
        base_url: Some(url.into()),
        ..Default::default()
    };
    let err = resolve_text("", &with_url("localhost:3001"), &Vars::none()).expect_err("no scheme");
    assert!(
        matches!(&err, ConfigError::BaseUrlScheme { url } if url == "localhost:3001"),
        "{err:?}"
    );
    let err = resolve_text("", &with_url("not a url"), &Vars::none()).expect_err("not a URL");
    assert!(
        matches!(&err, ConfigError::BaseUrlNotAUrl { url, .. } if url == "not a url"),
        "{err:?}"
    );
    let config = resolve_text("", &with_url("http://127.0.0.1:9/api/v1/"), &Vars::none())
        .expect("a trailing slash is fine");
    assert_eq!(config.base_url, "http://127.0.0.1:9/api/v1");
}

#[test]
fn an_explicit_config_that_does_not_exist_is_not_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nope.toml");
    let err = load(
        dir.path(),
        Some(&missing),
        &Overrides::default(),
        &Vars::none(),
    )
    .expect_err("missing");
    assert!(
        matches!(&err, ConfigError::NotFound { path } if path == &missing),
        "{err:?}"
    );
}

#[test]
fn the_config_is_found_in_a_parent_and_its_directory_is_the_root() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(FILE_NAME), "[run]\njobs = 3\n").expect("config");
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).expect("nested dir");
    let config = load(&nested, None, &Overrides::default(), &Vars::none()).expect("loads");
    assert_eq!(config.jobs, 3);
    assert_eq!(config.root, dir.path());
}

#[test]
fn the_latency_budget_of_a_contract_prefers_the_configured_override() {
    let text =
        "[run]\nlatency_budget_ms = 2000\n[run.latency_overrides]\n\"orders.create\" = 3000\n";
    let config = resolve_text(text, &Overrides::default(), &Vars::none()).expect("resolves");
    assert_eq!(config.budget_for("orders.create", Some(500)), 3000);
    assert_eq!(config.budget_for("orders.list", Some(500)), 500);
    assert_eq!(config.budget_for("orders.list", None), 2000);
}

#[test]
fn the_bounds_have_defaults_and_an_environment_section_wins_over_run() {
    let config = resolve_text("", &Overrides::default(), &Vars::none()).expect("resolves");
    assert_eq!(config.limits, Limits::default());
    assert_eq!(config.limits.max_findings_per_case, 20);
    assert_eq!(config.limits.max_body_bytes, 8 * 1024 * 1024);
    assert_eq!(config.limits.max_validated_body_bytes, 2 * 1024 * 1024);
    let text = "default_env = \"ci\"\n[run]\nmax_findings_per_case = 5\nmax_body_bytes = 1000\n\
                max_validated_body_bytes = 0\n[env.ci.run]\nmax_body_bytes = 2000\n";
    let config = resolve_text(text, &Overrides::default(), &Vars::none()).expect("resolves");
    assert_eq!(
        config.limits,
        Limits {
            max_findings_per_case: 5,
            max_body_bytes: 2000,
            // Zero would validate nothing and read nothing: the smallest bound is one byte.
            max_validated_body_bytes: 1,
        }
    );
}

#[test]
fn production_is_per_environment_and_refuses_writes_until_allowed() {
    let text = "default_env = \"prod\"\n[env.prod]\nproduction = true\n[env.dev]\n";
    let mut config = resolve_text(text, &Overrides::default(), &Vars::none()).expect("resolves");
    assert!(config.production && !config.allow_writes);
    let why = config.refuses_writes().expect("writes refused");
    assert!(
        why.contains("prod: production = true") && why.contains("--allow-writes"),
        "{why}"
    );
    assert!(config.refuses_security_checks().is_some());
    config.allow_writes = true;
    assert_eq!(config.refuses_writes(), None);
    assert!(
        config.refuses_security_checks().is_some(),
        "the security checks never run on production"
    );
    let dev = Overrides {
        env: Some("dev".into()),
        ..Default::default()
    };
    let config = resolve_text(text, &dev, &Vars::none()).expect("resolves");
    assert!(!config.production && config.refuses_writes().is_none());
}

#[test]
fn each_security_check_is_switched_off_by_its_key() {
    let text = "[checks]\nisolation = false\nclient_controlled = false\n\
                [checks.leakage]\nenabled = false\nfields = [\"apiKey\"]\n";
    let config = resolve_text(text, &Overrides::default(), &Vars::none()).expect("resolves");
    let c = &config.checks;
    assert!(!c.isolation && !c.client_controlled && !c.leakage.enabled);
    assert!(c.malformed_input && c.session_security);
    assert_eq!(c.leakage.fields, ["apikey"]);
    let err = resolve_text(
        "[checks]\nleaks = true\n",
        &Overrides::default(),
        &Vars::none(),
    )
    .expect_err("an unknown key");
    assert!(err.to_string().contains("leaks"), "{err}");
}

#[test]
fn a_leakage_pattern_that_is_no_regex_names_the_file_and_the_pattern() {
    let text = "[checks.leakage]\npatterns = [{ name = \"ours\", regex = \"(open\" }]\n";
    let err = resolve_text(text, &Overrides::default(), &Vars::none()).expect_err("bad regex");
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "daodao-check.toml: [checks.leakage] pattern `ours` is not a regular expression"
        ),
        "{shown}"
    );
}

#[test]
fn the_negative_inputs_resolve_command_line_then_variable_then_environment_then_run() {
    let resolved = |text: &str, cli: Option<NegativeMode>, var: &[(&'static str, &'static str)]| {
        let cli = Overrides {
            negative: cli,
            ..Default::default()
        };
        resolve_text(text, &cli, &Vars::with(var))
            .expect("resolves")
            .negative
    };
    assert_eq!(resolved("", None, &[]), NegativeMode::Basic);
    let file = "[run]\nnegative = \"all\"\n[env.local.run]\nnegative = \"off\"\n";
    assert_eq!(
        resolved("[run]\nnegative = \"all\"\n", None, &[]),
        NegativeMode::All
    );
    assert_eq!(resolved(file, None, &[]), NegativeMode::Off);
    let var = [("DAODAO_NEGATIVE", "basic")];
    assert_eq!(resolved(file, None, &var), NegativeMode::Basic);
    assert_eq!(
        resolved(file, Some(NegativeMode::All), &var),
        NegativeMode::All
    );
}

#[test]
fn an_unknown_negative_level_names_what_is_known() {
    let err = resolve_text(
        "",
        &Overrides::default(),
        &Vars::with(&[("DAODAO_NEGATIVE", "some")]),
    )
    .expect_err("unknown level");
    assert_eq!(
        err.to_string(),
        "DAODAO_NEGATIVE=\"some\": expected `all`, `basic` or `off`"
    );
    let err = resolve_text(
        "[run]\nnegative = \"most\"\n",
        &Overrides::default(),
        &Vars::none(),
    )
    .expect_err("unknown level in the file");
    let ConfigError::Toml { error, .. } = &err else {
        panic!("expected a TOML error, got {err:?}");
    };
    assert_eq!(error.line_col.map(|(line, _)| line), Some(2));
    assert!(error.message.contains("unknown variant `most`"), "{error}");
}
