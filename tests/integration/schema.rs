//! The JSON Schemas `daodao-check schema` prints describe the shipped files: every contract, scenario and the
//! config validate against them, and a misspelt key does not.

use crate::common;

use daodao_check::catalog::{format_schema as schema_of, FileFormat as SchemaOf};
use serde_json::Value;

fn validator(of: SchemaOf) -> jsonschema::Validator {
    jsonschema::validator_for(&schema_of(of)).expect("the generated schema compiles")
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_contract_matches_the_contract_schema() {
    let v = validator(SchemaOf::Contract);
    let mut checked = 0;
    for dir in std::fs::read_dir(common::repo().join("contracts"))
        .unwrap()
        .flatten()
    {
        if !dir.path().is_dir()
            || dir.file_name().to_string_lossy().starts_with('_')
            || dir.file_name() == "notes"
        {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let c: Value =
                serde_json::from_str(&std::fs::read_to_string(f.path()).unwrap()).unwrap();
            let e = errors(&v, &c);
            assert!(e.is_empty(), "{}: {e:?}", f.path().display());
            checked += 1;
        }
    }
    assert_eq!(checked, 131);
}

#[test]
fn every_shipped_scenario_and_the_config_match_their_schemas() {
    let v = validator(SchemaOf::Scenario);
    for f in std::fs::read_dir(common::repo().join("scenarios"))
        .unwrap()
        .flatten()
    {
        if f.path().extension().is_some_and(|e| e == "toml") {
            let s: Value = toml::from_str(&std::fs::read_to_string(f.path()).unwrap()).unwrap();
            let e = errors(&v, &s);
            assert!(e.is_empty(), "{}: {e:?}", f.path().display());
        }
    }
    let config: Value =
        toml::from_str(&std::fs::read_to_string(common::repo().join("daodao-check.toml")).unwrap())
            .unwrap();
    assert!(errors(&validator(SchemaOf::Config), &config).is_empty());
}

#[test]
fn a_misspelt_key_does_not_match() {
    let mut c: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("contracts/auth/login.json")).unwrap(),
    )
    .unwrap();
    c["sandbox"]["acton"] = Value::String("get".into());
    let e = errors(&validator(SchemaOf::Contract), &c);
    assert!(e.iter().any(|m| m.contains("acton")), "{e:?}");
    let bad: Value = toml::from_str("name = \"x\"\ntitle = \"t\"\nphase = 1\n[[steps]]\nname = \"a\"\nendpoint = \"auth.login\"\nexpect_cod = 1\n").unwrap();
    assert!(!errors(&validator(SchemaOf::Scenario), &bad).is_empty());
}
