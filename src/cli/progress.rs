//! `progress`: writes the latest results into the plan and the API doc, in place.

use super::{fail, ProjectArgs};
use daodao_check::progress::{self, Change, Report, Request};
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ProgressArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The plan document to update (API对接联调计划.md).
    #[arg(long, value_name = "PATH")]
    doc: Option<PathBuf>,
    /// The requirement doc whose per-endpoint **联调结果** fields to update (小程序端API.md).
    #[arg(long, value_name = "PATH")]
    api_doc: Option<PathBuf>,
    /// The results to write (default: last-run.json in the configured reports directory).
    #[arg(long, value_name = "PATH")]
    results: Option<PathBuf>,
    /// 负责人 for the 联调进度表 rows of the phases that ran (default: DAODAO_OWNER; without
    /// either the column is left as it is).
    #[arg(long, env = "DAODAO_OWNER")]
    owner: Option<String>,
    /// Print a unified diff of the changes; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write nothing; exit 1 when a document is out of date with the results (for CI).
    #[arg(long)]
    check: bool,
    /// Accept results from the embedded sandbox (refused by default: they say nothing about the
    /// backend).
    #[arg(long)]
    allow_sandbox: bool,
}

pub fn progress(args: &ProgressArgs) -> i32 {
    let request = Request {
        doc: args.doc.clone(),
        api_doc: args.api_doc.clone(),
        results: args.results.clone(),
        owner: args.owner.clone(),
        dry_run: args.dry_run,
        check: args.check,
        allow_sandbox: args.allow_sandbox,
    };
    // The config is optional here: with --results given, progress works outside a project.
    match progress::run(args.project.load_config(), &request) {
        Ok(report) => print(report),
        Err(e) => fail(e),
    }
}

/// Warnings and notes first (stderr), then the diffs of `--dry-run` (stdout), then a line per
/// document (stderr); returns the exit code.
fn print(report: Report) -> i32 {
    for d in &report.documents {
        for w in &d.warnings {
            eprintln!("warning: {}: {w}", d.path.display());
        }
    }
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    for d in &report.documents {
        if let Change::WouldChange {
            diff: Some(diff), ..
        } = &d.change
        {
            print!("{diff}");
        }
    }
    for d in &report.documents {
        let path = d.path.display();
        match &d.change {
            Change::UpToDate => eprintln!("{path}: up to date"),
            Change::WouldChange { lines, diff } => eprintln!(
                "{path}: {lines} line(s) would change{}",
                if diff.is_none() {
                    " (--dry-run shows the diff)"
                } else {
                    ""
                }
            ),
            Change::Updated { lines } => eprintln!("{path}: updated {lines} line(s)"),
            Change::NotWritten => {}
        }
    }
    match report.error {
        Some(e) => fail(e),
        None => report.exit_code,
    }
}
