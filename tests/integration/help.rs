//! What the command line says about itself: each command's help lists its own options only, `phase`
//! and `run` end with examples and the exit codes, completion scripts for every shell, and the CI
//! snippets of the README run commands that exist.

use crate::cli::{cli, output};
use std::process::Command;

fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, out, err) = output(cli(dir.path()).args(args).arg("--help"));
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// Does a help text list this option (`--jobs <N>`, `-j, --jobs <N>`), not just mention it?
fn lists_option(help: &str, flag: &str) -> bool {
    help.lines().map(str::trim_start).any(|l| {
        let named = |rest: &str| {
            rest.strip_prefix(flag)
                .is_some_and(|after| after.is_empty() || after.starts_with([' ', '.', '<', ',']))
        };
        named(l) || (l.starts_with('-') && l.get(4..).is_some_and(named))
    })
}

/// The options only a run takes.
const RUN_FLAGS: &[&str] = &[
    "--base-url",
    "--jobs",
    "--retries",
    "--timeout-ms",
    "--fail-fast",
    "--max-fail",
    "--partition",
    "--report",
];

#[test]
fn each_command_shows_only_its_own_options() {
    for (command, runs) in [
        (&["phase"][..], true),
        (&["run"], true),
        (&["schema"], false),
        (&["lint"], false),
        (&["list"], false),
        (&["import", "apidoc"], false),
        (&["import", "openapi"], false),
        (&["export", "openapi"], false),
        (&["progress"], false),
        (&["sandbox"], false),
        (&["report", "merge"], false),
        (&["completions"], false),
    ] {
        let text = help(command);
        for flag in RUN_FLAGS {
            assert_eq!(
                lists_option(&text, flag),
                runs,
                "{command:?} and {flag}:\n{text}"
            );
        }
    }
    assert!(!lists_option(&help(&["schema"]), "--config"));
    assert!(lists_option(&help(&["lint"]), "--config"));
    assert!(lists_option(&help(&["phase"]), "-q"), "-q, --quiet");
    assert!(
        lists_option(&help(&["report"]), "--quiet"),
        "report renders levels too"
    );
}

#[test]
fn phase_and_run_help_end_with_examples_and_the_exit_codes() {
    for command in ["phase", "run"] {
        let text = help(&[command]);
        let examples = text.find("Examples:").expect("examples");
        let codes = text.find("Exit codes:").expect("exit codes");
        assert!(examples < codes, "{text}");
        assert!(
            text[examples..codes]
                .matches(&format!("daodao-check {command} "))
                .count()
                >= 3,
            "{text}"
        );
        let listed: Vec<&str> = text[codes..]
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert_eq!(listed, ["0", "1", "2", "3"], "{text}");
    }
    // The short help stays short: no examples.
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, short, _) = output(cli(dir.path()).args(["phase", "-h"]));
    assert!(
        short.contains("Exit codes:") && !short.contains("  envelope-missing"),
        "{short}"
    );
}

/// A shell that can check a script's syntax without running it, when installed.
fn syntax_checker(shell: &str) -> Option<Command> {
    let (bin, flag) = match shell {
        "bash" => ("bash", "-n"),
        "zsh" => ("zsh", "-n"),
        "fish" => ("fish", "--no-execute"),
        _ => return None,
    };
    let found = Command::new(bin).arg("-c").arg("true").output().ok()?;
    if !found.status.success() {
        return None;
    }
    let mut c = Command::new(bin);
    c.arg(flag);
    Some(c)
}

#[test]
fn completions_for_every_shell_know_the_commands_and_options() {
    let dir = tempfile::tempdir().expect("temp dir");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, script, err) = output(cli(dir.path()).args(["completions", shell]));
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["phase", "merge", "fail-fast", "partition", "sandbox-fault"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
        match syntax_checker(shell) {
            Some(mut check) => {
                let path = dir.path().join(format!("completion.{shell}"));
                std::fs::write(&path, &script).expect("script");
                let checked = check.arg(&path).output().expect("runs");
                assert!(
                    checked.status.success(),
                    "{shell} rejects its script: {}",
                    String::from_utf8_lossy(&checked.stderr)
                );
            }
            None => {
                eprintln!("notice: {shell} is not installed; its script's syntax is not checked")
            }
        }
    }
    let (code, _, err) = output(cli(dir.path()).args(["completions", "tcsh"]));
    assert_eq!(code, 2);
    assert!(err.contains("possible values: bash"), "{err}");
}

/// The README's CI section: its YAML blocks.
fn ci_snippets() -> Vec<String> {
    let readme = std::fs::read_to_string(crate::common::repo().join("README.md")).expect("README");
    let start = readme.find("\n## CI").expect("a CI section");
    let section = &readme[start + 1..];
    let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
    section
        .split("```yaml\n")
        .skip(1)
        .map(|block| block[..block.find("```").expect("a closed block")].to_string())
        .collect()
}

/// Every string under the keys CI systems run (`script`, `run` …), line by line.
fn commands(value: &serde_norway::Value, out: &mut Vec<String>) {
    use serde_norway::Value;
    match value {
        Value::Mapping(m) => {
            for (k, v) in m {
                let runs = matches!(
                    k.as_str(),
                    Some("script" | "before_script" | "after_script" | "run")
                );
                match v {
                    Value::String(s) if runs => out.extend(s.lines().map(str::to_string)),
                    Value::Sequence(items) if runs => out.extend(
                        items
                            .iter()
                            .filter_map(Value::as_str)
                            .flat_map(str::lines)
                            .map(str::to_string),
                    ),
                    _ => commands(v, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| commands(v, out)),
        _ => {}
    }
}

/// `phase all --partition …` → (["phase"], ["--partition", …]); a nested command is kept with its
/// parent (`report merge`).
fn invocation(line: &str) -> Option<(Vec<String>, Vec<String>)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| w.ends_with("daodao-check"))?;
    let args = &words[at + 1..];
    let mut command = vec![args.first()?.to_string()];
    if let Some(next) = args.get(1) {
        if matches!(
            (command[0].as_str(), *next),
            ("report", "merge") | ("import" | "export", "openapi" | "apidoc")
        ) {
            command.push(next.to_string());
        }
    }
    let flags = args
        .iter()
        .take_while(|w| !matches!(**w, "|" | ">" | ">>" | "&&" | "||"))
        .filter(|w| w.starts_with("--") || (w.starts_with('-') && w.len() == 2))
        .map(|w| w.split('=').next().unwrap_or(w).to_string())
        .collect();
    Some((command, flags))
}

#[test]
fn the_readme_ci_snippets_are_yaml_and_run_commands_that_exist() {
    let snippets = ci_snippets();
    assert!(
        snippets.len() >= 3,
        "GitLab, GitLab sharded, GitHub Actions"
    );
    let top = help(&[]);
    let mut checked = 0;
    let mut sharded_gitlab = false;
    for text in &snippets {
        let yaml: serde_norway::Value =
            serde_norway::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let mut lines = vec![];
        commands(&yaml, &mut lines);
        for line in &lines {
            let Some((command, flags)) = invocation(line) else {
                continue;
            };
            assert!(
                top.contains(&format!("\n  {} ", command[0])),
                "`{}` is not a command: {line}",
                command[0]
            );
            let own = help(&command.iter().map(String::as_str).collect::<Vec<_>>());
            for flag in flags {
                assert!(
                    lists_option(&own, &flag),
                    "{command:?} has no {flag}: {line}"
                );
            }
            checked += 1;
        }
        if text.contains("parallel: 4") {
            let jobs = yaml.as_mapping().expect("jobs");
            let merge = jobs.values().find(|job| {
                let mut lines = vec![];
                commands(job, &mut lines);
                lines
                    .iter()
                    .any(|l| l.contains("daodao-check report merge"))
            });
            let merge = merge.expect("a job merges the shards");
            assert!(
                merge.get("needs").is_some(),
                "the merge job waits for the shards"
            );
            sharded_gitlab = true;
        }
    }
    assert!(sharded_gitlab, "the sharded GitLab form is there");
    assert!(checked >= 6, "{checked} commands checked");
}
