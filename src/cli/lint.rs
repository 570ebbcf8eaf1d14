//! `lint`: every file loads, every schema compiles, every example validates, every plan endpoint is covered.

use super::{fail, ProjectArgs};
use daodao_check::catalog::{Catalog, CatalogError};
use daodao_check::error::{exit, Error};
use daodao_check::plan::{phase_label, FILE_NAME};
use daodao_check::source::{display_path, Problem};

pub fn lint(project: &ProjectArgs) -> i32 {
    let config = match project.load_config() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (catalog, mut problems) = Catalog::load(&config);
    for p in &problems {
        println!("error: {p}");
    }
    let Some(catalog) = catalog else {
        return invalid(problems);
    };
    let plan_file = display_path(&config.root, &config.contracts_dir.join(FILE_NAME));
    let gaps: Vec<Problem> = catalog
        .coverage_gaps()
        .into_iter()
        .map(|gap| Problem {
            file: plan_file.clone(),
            place: phase_label(gap.phase),
            message: format!("no contract for `{}` ({})", gap.endpoint, gap.name),
        })
        .collect();
    for gap in &gaps {
        println!("error: {gap}");
    }
    let planned = catalog.plan.endpoints().count();
    println!(
        "lint: {} contracts, {} scenarios, coverage {}/{} plan endpoints, {} problem(s)",
        catalog.contracts.len(),
        catalog.scenarios.len(),
        planned - gaps.len(),
        planned,
        problems.len() + gaps.len()
    );
    problems.extend(gaps);
    if problems.is_empty() {
        exit::OK
    } else {
        invalid(problems)
    }
}

/// A catalogue with problems, already printed: the exit code says so.
fn invalid(problems: Vec<Problem>) -> i32 {
    Error::from(CatalogError { problems }).exit_code()
}
