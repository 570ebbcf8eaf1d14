//! The `daodao-check` command line: parses arguments and calls into the library (see `cli/`).

mod cli;

fn main() {
    std::process::exit(cli::main());
}
