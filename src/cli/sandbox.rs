//! `sandbox`: serve the contracts until Ctrl-C.

use super::{fail, load_catalog, ProjectArgs};
use daodao_check::error::{exit, Error, Result};
use daodao_check::sandbox;
use daodao_check::sandbox::profile::Profile;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args, Debug)]
pub struct SandboxArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Named environment from the config ([env.NAME]) whose base URL's path the sandbox serves under;
    /// also DAODAO_ENV.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3001")]
    addr: std::net::SocketAddr,
    /// Seed for generated tokens and the drifted profile's picks, for reproducible runs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Break the contract on purpose: KIND or KIND=ID,ID; repeatable (`--help` lists the kinds).
    #[arg(long = "fault", value_name = "KIND[=ID,…]", long_help = super::run::fault_help())]
    faults: Vec<String>,
    /// Do not log requests.
    #[arg(long)]
    quiet: bool,
    /// Append every request to this file as JSON lines.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// The backend to play: clean (default) or drifted.
    #[arg(long, value_name = "PROFILE", default_value = "clean", value_parser = super::run::parse_profile,
          long_help = super::run::profile_help(""))]
    profile: Profile,
    /// Write the answer key to FILE: JSON saying which endpoint got which drift, at which JSON path,
    /// and which check should report it (the same seed writes the same key).
    #[arg(long = "answer-key", value_name = "FILE")]
    answer_key: Option<PathBuf>,
}

pub fn sandbox(args: &SandboxArgs) -> i32 {
    match serve(args) {
        Ok(()) => exit::OK,
        Err(e) => fail(e),
    }
}

fn serve(args: &SandboxArgs) -> Result<()> {
    let config = super::RunFlags {
        env: args.env.clone(),
        ..Default::default()
    }
    .load_config(&args.project)?;
    let catalog = Arc::new(load_catalog(&config)?);
    let mut options = sandbox::options_for(&config, args.seed, &args.faults, !args.quiet)?;
    options.record = args.record.clone();
    options.profile = args.profile;
    let base_path = options.base_path.clone();
    let count = catalog.contracts.len();
    let server = sandbox::Sandbox::new(catalog, &config.contracts_dir, options)?;
    let key = server.answer_key();
    if args.profile != Profile::Clean {
        let endpoints: BTreeSet<&str> = key.drifts.iter().map(|d| d.endpoint.as_str()).collect();
        eprintln!(
            "profile {}: {} drift(s) on {} endpoint(s), seed {}",
            args.profile.name(),
            key.drifts.len(),
            endpoints.len(),
            args.seed
        );
    }
    if let Some(path) = &args.answer_key {
        key.write(path)?;
        eprintln!("wrote the answer key to {}", path.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    runtime.block_on(async {
        let running = sandbox::start(Arc::new(server), args.addr)
            .await
            .map_err(|e| Error::io(format!("listening on {}", args.addr), e))?;
        eprintln!(
            "daodao-check sandbox: {count} contracts at {} (SMS code {}, WeChat test codes {}…); Ctrl-C stops",
            running.base_url(&base_path),
            sandbox::DEV_SMS_CODE,
            sandbox::WECHAT_TEST_PREFIX
        );
        let _ = tokio::signal::ctrl_c().await;
        running.stop();
        Ok(())
    })
}
