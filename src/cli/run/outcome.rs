//! A run from the command line: the selection checked, the run, then what is printed and written —
//! the terminal report at its level (on standard output, or standard error when a `--report` takes
//! standard output), `reports/last-run.json`, the reports asked for, and on GitHub Actions the step
//! summary and the annotations.

use super::super::load_catalog;
use super::RunCommon;
use daodao_check::catalog::Catalog;
use daodao_check::config::Config;
use daodao_check::error::{Error, Result};
use daodao_check::exec::{Excerpts, RunOptions};
use daodao_check::plan::Selection;
use daodao_check::report::{
    self, github, is_stdout, terminal, terminal_width, Format, Level, RenderOptions, Stream, Style,
    Subject, View,
};
use daodao_check::result::RunResult;
use daodao_check::source::display_path;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) fn execute(
    common: &RunCommon,
    mut request: Selection,
    only_failed: bool,
) -> Result<RunResult> {
    let mut config = common.flags.load_config(&common.project)?;
    config.allow_writes = common.allow_writes;
    let catalog = Arc::new(load_catalog(&config)?);
    let last = config.reports_dir.join("last-run.json");
    if only_failed {
        let previous = RunResult::read(&last)?;
        request = Selection::failures_of(&previous);
        if request.is_empty() {
            eprintln!(
                "nothing failed in {}: nothing to re-run",
                display_path(&config.root, &last)
            );
            return Ok(previous);
        }
    }
    request.partition = common.schedule.partition;
    let selection = catalog.select(&request)?;
    // A typo in --report fails before the run, not after it.
    let wanted = report::parse_specs(&common.output.reports)?;
    let gaps = catalog.coverage_gaps_in(&selection);
    if gaps > 0 {
        eprintln!(
            "warning: {gaps} plan endpoint(s) in this selection have no contract and are not checked (`daodao-check lint` lists them)"
        );
    }
    let out = Outputs::new(&common.output, wanted);
    let observer = report::bar::observer_for(&out.options.style);
    let run_options = RunOptions {
        max_fail: common.schedule.max_fail(),
        excerpts: if out.options.level == Level::VeryVerbose {
            Excerpts::All
        } else {
            Excerpts::Failures
        },
    };
    let embedded = common.sandbox.embedded();
    let mut result = daodao_check::run::execute(
        &mut config,
        catalog.clone(),
        &selection,
        embedded.as_ref(),
        run_options,
        observer.as_ref(),
    )?;
    let text = terminal::render_with(&View::new(&result, Some(&catalog.plan)), &out.options);
    emit(out.terminal, &text)?;
    // Passed cases' excerpts were kept for -vv's eyes only: the files stay as bounded as always.
    result.drop_passed_excerpts();
    out.write_all(&config, &catalog, &result)?;
    Ok(result)
}

/// A finished result that was not a run (a proxy session, a HAR file checked): printed at the level
/// asked for, then written like a run's (`reports/last-run.json`, the reports, GitHub's summary).
pub(in crate::cli) fn publish(
    config: &Config,
    catalog: &Catalog,
    result: &RunResult,
    output: &super::OutputArgs,
) -> Result<()> {
    let wanted = report::parse_specs(&output.reports)?;
    let out = Outputs::new(output, wanted);
    let text = terminal::render_with(&View::new(result, Some(&catalog.plan)), &out.options);
    emit(out.terminal, &text)?;
    out.write_all(config, catalog, result)
}

/// Where a run's output goes and how it looks: the terminal report's stream (standard error when a
/// `--report FORMAT=-` has standard output), its options, and the reports asked for.
struct Outputs {
    terminal: Stream,
    options: RenderOptions,
    reports: Vec<(Format, PathBuf)>,
}

impl Outputs {
    fn new(output: &super::OutputArgs, reports: Vec<(Format, PathBuf)>) -> Outputs {
        let terminal = if reports.iter().any(|(_, path)| is_stdout(path)) {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        let options = RenderOptions {
            style: Style::detect_on(output.color.choice(), terminal),
            level: output.level(),
            width: terminal_width(terminal),
        };
        Outputs {
            terminal,
            options,
            reports,
        }
    }

    /// `reports/last-run.json`, the reports asked for, and on GitHub Actions the summary and annotations.
    fn write_all(&self, config: &Config, catalog: &Catalog, result: &RunResult) -> Result<()> {
        let last = config.reports_dir.join("last-run.json");
        result.write(&last)?;
        self.said(format!("wrote {}", display_path(&config.root, &last)));
        self.write_reports(config, catalog, result)?;
        if github::active() {
            on_github(config, catalog, result, self.terminal == Stream::Stderr);
        }
        Ok(())
    }

    /// A line about what was written, unless `-q`.
    fn said(&self, what: String) {
        if self.options.level != Level::Quiet {
            eprintln!("{what}");
        }
    }

    fn write_reports(&self, config: &Config, catalog: &Catalog, result: &RunResult) -> Result<()> {
        let plan = Some(&catalog.plan);
        for (format, path) in &self.reports {
            if is_stdout(path) {
                emit(Stream::Stdout, &report::render(result, plan, *format)?)?;
            } else {
                report::write_one(result, plan, *format, path)?;
                self.said(format!(
                    "wrote {} ({})",
                    display_path(&config.root, path),
                    format.name()
                ));
            }
        }
        Ok(())
    }
}

/// Writes text to a stream, whole.
fn emit(stream: Stream, text: &str) -> Result<()> {
    let written = match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        }
        Stream::Stderr => {
            let mut out = std::io::stderr().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        }
    };
    written.map_err(|e| Error::io("writing the report", e))
}

/// The markdown report appended to `$GITHUB_STEP_SUMMARY`, and an `::error` annotation per failure
/// (on standard output, where the runner reads workflow commands; on standard error when a report
/// has standard output). Neither may change the run's verdict: a failure to write is a warning.
fn on_github(config: &Config, catalog: &Catalog, result: &RunResult, stdout_taken: bool) {
    let plan = Some(&catalog.plan);
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let written = report::render(result, plan, markdown())
            .and_then(|md| github::append_step_summary(Path::new(&path), &md));
        if let Err(e) = written {
            eprintln!("warning: the GitHub step summary was not written: {e}");
        }
    }
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
    let file_of = |subject: Subject| {
        let file = match subject {
            Subject::Endpoint(e) => catalog.contract(&e.id)?.file.clone(),
            Subject::Scenario(s) => PathBuf::from(&s.file),
        };
        Some(repository_path(
            &config.root.join(file),
            workspace.as_deref(),
        ))
    };
    let lines = github::annotations(&View::new(result, plan), &file_of);
    let stream = if stdout_taken {
        Stream::Stderr
    } else {
        Stream::Stdout
    };
    if let Err(e) = emit(stream, &lines) {
        eprintln!("warning: {e}");
    }
}

fn markdown() -> Format {
    report::FORMATS
        .iter()
        .copied()
        .find(|f| f.name() == "markdown")
        .unwrap_or(report::FORMATS[0])
}

/// A file as GitHub names it: relative to the workspace (the repository) when it is inside it.
fn repository_path(file: &Path, workspace: Option<&Path>) -> String {
    let relative = workspace.and_then(|w| file.strip_prefix(w).ok());
    relative.unwrap_or(file).to_string_lossy().into_owned()
}
