//! `lint`: every file loads, every schema compiles, every example validates, every plan endpoint is covered.

use super::{fail, GlobalArgs};
use daodao_check::catalog::Catalog;
use daodao_check::error::exit;
use daodao_check::plan::{phase_label, FILE_NAME};
use daodao_check::source::display_path;

pub fn lint(g: &GlobalArgs) -> i32 {
    let config = match g.load_config() {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let (catalog, problems) = Catalog::load(&config);
    for p in &problems {
        println!("error: {p}");
    }
    let Some(catalog) = catalog else {
        return exit::USAGE;
    };
    let gaps = catalog.coverage_gaps();
    let plan_file = display_path(&config.root, &config.contracts_dir.join(FILE_NAME));
    for gap in &gaps {
        println!(
            "error: {plan_file}: {}: no contract for `{}` ({})",
            phase_label(gap.phase),
            gap.endpoint,
            gap.name
        );
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
    if problems.is_empty() && gaps.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    }
}
