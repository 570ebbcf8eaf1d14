//! The one list of formats: every name and alias parses, and what fails says what exists.

use super::*;

#[test]
fn every_name_and_alias_parses_to_its_format() {
    for &format in FORMATS {
        for name in std::iter::once(format.name()).chain(format.aliases().iter().copied()) {
            for spelling in [name.to_string(), name.to_uppercase(), format!(" {name} ")] {
                let parsed: Format = spelling.parse().expect("a listed name parses");
                assert_eq!(parsed, format, "{spelling:?}");
            }
        }
    }
}

#[test]
fn no_two_formats_share_a_name() {
    let mut names: Vec<&str> = FORMATS
        .iter()
        .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()))
        .collect();
    let all = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all, "{names:?}");
}

#[test]
fn an_unknown_format_is_refused_with_the_list() {
    let e = "pdf".parse::<Format>().expect_err("pdf is no format");
    let msg = e.to_string();
    assert!(msg.contains("unknown report format `pdf`"), "{msg}");
    for &format in FORMATS {
        assert!(msg.contains(format.name()), "{msg} lacks {}", format.name());
    }
    assert_eq!(
        format_names(),
        "markdown, junit, html, json, terminal",
        "the order of the list is the order of --help"
    );
}

#[test]
fn report_specs_come_from_the_list() {
    for &format in FORMATS {
        let spec = format!("{}=out/r", format.name());
        let parsed = parse_specs(&[spec]).expect("parses");
        assert_eq!(parsed, [(format, PathBuf::from("out/r"))]);
    }
    let e = parse_specs(&["md=a.md".into(), "nope=x".into()]).expect_err("one bad spec");
    let msg = e.to_string();
    assert!(
        msg.contains("--report `nope=x`") && msg.contains("terminal"),
        "{msg}"
    );
    let e = parse_specs(&["junit".into()]).expect_err("no path");
    assert!(e.to_string().contains("(formats: markdown, "), "{e}");
}

#[test]
fn a_dash_is_standard_output_for_one_report_only() {
    let parsed = parse_specs(&["junit=-".into(), "markdown=out/r.md".into()]).expect("parses");
    assert!(is_stdout(&parsed[0].1));
    assert!(!is_stdout(&parsed[1].1));
    assert!(parse_specs(&["json= - ".into()]).is_ok_and(|p| is_stdout(&p[0].1)));
    let e = parse_specs(&["junit=-".into(), "json=-".into()]).expect_err("two to stdout");
    assert_eq!(
        e.to_string(),
        "--report `junit=-` and --report `json=-` both write to standard output (`-`); give one of them a file"
    );
}
