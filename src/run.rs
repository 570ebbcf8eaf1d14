//! One run, end to end: the embedded sandbox when asked for, the runner over a selection, the result.
//! The command line calls this; tests and other front ends can too.

use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::exec::{Observer, RunOptions, Runner};
use crate::plan::Selection;
use crate::result::RunResult;
use crate::sandbox::Embedded;
use std::sync::Arc;

/// Runs `selection` as `options` say. With `sandbox` an embedded sandbox (its profile and faults)
/// serves the contracts and `config.base_url` points at it for the run.
pub fn execute(
    config: &mut Config,
    catalog: Arc<Catalog>,
    selection: &Selection,
    sandbox: Option<&Embedded>,
    options: RunOptions,
    observer: &dyn Observer,
) -> Result<RunResult> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let (result, secrets) = runtime.block_on(async {
        let _sandbox = match sandbox {
            Some(embedded) => Some(crate::sandbox::embed(config, catalog.clone(), embedded).await?),
            None => None,
        };
        let mut runner = Runner::new(Arc::new(config.clone()), catalog)?;
        runner.options = options;
        let mut result = runner.run(selection, observer).await?;
        // Said in the result, so that nothing mistakes it for the backend's (`progress` refuses it).
        result.sandbox = sandbox.map(|e| e.profile.name().to_string());
        Ok::<_, Error>((result, runner.redactor.secrets()))
    })?;
    write_session_files(&config.reports_dir, &secrets)?;
    Ok(result)
}

/// `reports/session.env` and `reports/session.ps1`: the run's secrets as the variables its reproduction
/// lines use, readable by the owner only.
pub fn write_session_files(
    reports_dir: &std::path::Path,
    secrets: &[crate::redact::Secret],
) -> Result<()> {
    crate::atomic::write_private(
        &reports_dir.join("session.env"),
        crate::redact::session_env(secrets).as_bytes(),
    )?;
    crate::atomic::write_private(
        &reports_dir.join("session.ps1"),
        crate::redact::session_ps1(secrets).as_bytes(),
    )?;
    Ok(())
}
