//! `schema`: the JSON Schema of a file format, for editors (`"$schema"` in JSON, `#:schema` in TOML).

use super::fail;
use daodao_check::catalog::{format_schema, FileFormat};
use daodao_check::error::{exit, Error};

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
    match serde_json::to_string_pretty(&format_schema(format)) {
        Ok(text) => {
            println!("{text}");
            exit::OK
        }
        Err(e) => fail(&Error::Usage(e.to_string())),
    }
}
