//! `completions`: a shell completion script, generated from the same clap types that parse the
//! command line, so it never lists a command or an option that does not exist.

use clap::CommandFactory;
use clap_complete::Shell;
use daodao_check::error::exit;

#[derive(clap::Args, Debug)]
#[command(after_help = "Install:\n  \
    bash        daodao-check completions bash > ~/.local/share/bash-completion/completions/daodao-check\n  \
    zsh         daodao-check completions zsh > \"${fpath[1]}/_daodao-check\"\n  \
    fish        daodao-check completions fish > ~/.config/fish/completions/daodao-check.fish\n  \
    powershell  daodao-check completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn completions(args: &CompletionsArgs) -> i32 {
    let mut command = super::Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "daodao-check",
        &mut std::io::stdout(),
    );
    exit::OK
}
