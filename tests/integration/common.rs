//! Helpers shared by the integration tests.
#![allow(dead_code)]

use daodao_check::catalog::Catalog;
use daodao_check::config::{self, Config, EnvSource, Overrides};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a directory tree (a test project) into a fresh temp dir, so tests never write into the repo.
pub fn copy_project(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(from, dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "target" || name == ".git" || name == "reports" {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else {
            std::fs::copy(&p, to.join(&name)).expect("copy");
        }
    }
}

/// The mini project used by engine tests (tests/fixtures/mini).
/// A runtime of two workers for a test that serves on loopback while the CLI runs as a process.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

pub fn mini() -> tempfile::TempDir {
    copy_project(&repo().join("tests/fixtures/mini"))
}

/// The real project (contracts, scenarios, fixtures, config) in a temp dir.
pub fn real_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for part in ["contracts", "scenarios", "fixtures"] {
        copy_dir(&repo().join(part), &dir.path().join(part));
    }
    std::fs::copy(
        repo().join("daodao-check.toml"),
        dir.path().join("daodao-check.toml"),
    )
    .expect("copy config");
    dir
}

pub struct NoEnv;
impl EnvSource for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
}

/// Loads a project's configuration with a base URL, ignoring the process environment.
pub fn config_for(root: &Path, base_url: &str, extra_toml: &str) -> Config {
    let path = root.join("daodao-check.toml");
    let mut text = std::fs::read_to_string(&path).expect("config");
    text.push('\n');
    text.push_str(extra_toml);
    let file = config::parse(&path, &text).expect("config parses");
    let cli = Overrides {
        base_url: Some(base_url.to_string()),
        ..Default::default()
    };
    config::resolve(file, root.to_path_buf(), Some(path), &cli, &NoEnv).expect("config resolves")
}

pub fn catalog(config: &Config) -> Arc<Catalog> {
    let (catalog, problems) = Catalog::load(config);
    assert!(problems.is_empty(), "catalogue problems: {problems:#?}");
    Arc::new(catalog.expect("catalogue"))
}
