//! `schema`: the JSON Schema of a file format, for editors (`"$schema"` in JSON, `#:schema` in TOML).

use daodao_check::catalog::{format_schema, FileFormat};
use daodao_check::error::exit;

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    #[arg(value_enum)]
    of: SchemaOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SchemaOf {
    Config,
    Contract,
    Scenario,
}

pub fn schema(args: &SchemaArgs) -> i32 {
    let format = match args.of {
        SchemaOf::Config => FileFormat::Config,
        SchemaOf::Contract => FileFormat::Contract,
        SchemaOf::Scenario => FileFormat::Scenario,
    };
    // A JSON value always prints: `{:#}` is serde_json's pretty printer, without a failure path.
    println!("{:#}", format_schema(format));
    exit::OK
}
