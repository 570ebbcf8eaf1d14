//! `list`: the plan as the tool knows it.

use super::{fail, ProjectArgs};
use daodao_check::catalog::{Catalog, CatalogError};
use daodao_check::error::{exit, Error};
use daodao_check::report::listing::{render_list, Listing};
use daodao_check::report::{terminal_width, Stream};

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    #[arg(value_enum, default_value_t = ListWhat::Phases)]
    what: ListWhat,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ListWhat {
    Phases,
    Endpoints,
    Scenarios,
}

pub fn list(args: &ListArgs) -> i32 {
    let config = match args.project.load_config() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (catalog, problems) = Catalog::load(&config);
    let Some(catalog) = catalog else {
        for p in &problems {
            eprintln!("error: {p}");
        }
        return Error::from(CatalogError { problems }).exit_code();
    };
    if !problems.is_empty() {
        eprintln!(
            "warning: {} problem(s) in contracts or scenarios; `daodao-check lint` lists them",
            problems.len()
        );
    }
    let what = match args.what {
        ListWhat::Phases => Listing::Phases,
        ListWhat::Endpoints => Listing::Endpoints,
        ListWhat::Scenarios => Listing::Scenarios,
    };
    print!(
        "{}",
        render_list(&catalog, what, terminal_width(Stream::Stdout))
    );
    exit::OK
}
