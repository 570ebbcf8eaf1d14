//! `import openapi`: the round trip, documents of other shapes imported into contracts that lint, what
//! cannot be carried over, `--force`, a URL, and documents that are not OpenAPI 3.

use super::{cli, export, read_json, run, FIXTURES};
use crate::common;
use std::path::Path;

/// A project with the real config and fixtures (uploads need fixtures/images/upload.png) but no
/// contracts, for imports to land in.
fn empty_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(
        &common::repo().join("fixtures"),
        &dir.path().join("fixtures"),
    );
    std::fs::copy(
        common::repo().join("daodao-check.toml"),
        dir.path().join("daodao-check.toml"),
    )
    .expect("config");
    dir
}

fn import(dir: &Path, source: &Path, extra: &[&str]) -> (i32, String, String) {
    run(cli(dir)
        .args(["import", "openapi"])
        .arg(source)
        .args(["--out", "contracts"])
        .args(extra))
}

fn lint(dir: &Path) {
    let (code, out, err) = run(cli(dir).arg("lint"));
    assert_eq!(code, 0, "lint: {out}{err}");
}

#[test]
fn export_import_export_gives_the_same_document() {
    let project = common::real_project();
    let first = export(project.path(), "openapi.yaml");
    let copy = empty_project();
    let (code, out, err) = import(copy.path(), &first, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("131 operation(s)") && out.contains("0 warning(s)"),
        "{out}"
    );
    lint(copy.path());
    let second = export(copy.path(), "openapi.yaml");
    assert_eq!(
        std::fs::read_to_string(&first).expect("read"),
        std::fs::read_to_string(&second).expect("read")
    );
    let c = read_json(&copy.path().join("contracts/vehicles/detail.json"));
    assert_eq!(c["errors"][0]["name"], "不存在的房车");
    assert_eq!(
        c["errors"].as_array().map(Vec::len),
        Some(1),
        "derived cases are not listed"
    );
}

#[test]
fn public_documents_of_other_shapes_import_into_contracts_that_lint() {
    let dir = empty_project();
    let expected = [
        ("petstore-3.0.yaml", "8 operation(s)", 11),
        ("petstore-3.1.json", "3 operation(s)", 5),
        ("shapes-3.0.yaml", "3 operation(s)", 2),
        ("envelope-3.0.yaml", "4 operation(s)", 1),
    ];
    for (file, ops, warnings) in expected {
        let (code, out, err) = import(dir.path(), &Path::new(FIXTURES).join(file), &[]);
        assert_eq!(code, 0, "{file}: {out}{err}");
        assert!(out.contains(ops), "{file}: {out}");
        assert_eq!(
            out.matches("\nwarning: ").count(),
            warnings,
            "{file}: {out}"
        );
    }
    lint(dir.path());
    let out = |f: &str| read_json(&dir.path().join("contracts").join(f));

    // 3.0: nullable and boolean bounds are JSON Schema 2020-12; refs to another file are shared schemas.
    let shapes = read_json(&dir.path().join("contracts/_schemas/shapes-3-0.json"));
    let base = &shapes["$defs"]["VehicleBase"]["properties"];
    assert_eq!(base["note"]["type"], serde_json::json!(["string", "null"]));
    assert_eq!(base["price"]["$ref"], "#/$defs/Money");
    assert_eq!(shapes["$defs"]["Money"]["exclusiveMinimum"], 0);
    assert!(shapes["$defs"]["Vehicle"]["oneOf"].is_array());
    let list = out("vehicles/list-vehicles.json");
    assert_eq!(
        list["request"]["query"]["properties"]["page"]["pattern"],
        "^[1-9][0-9]*$"
    );

    // The envelope is unwrapped, through a shared component or written in place.
    let campsites = out("campsites/list.json");
    assert_eq!(
        campsites["response"]["data"]["required"],
        serde_json::json!(["list", "total"])
    );
    let detail = out("campsites/detail.json");
    assert_eq!(
        detail["response"]["data"]["$ref"],
        "envelope-3-0.json#/$defs/Campsite"
    );
    let envelope_schemas = read_json(&dir.path().join("contracts/_schemas/envelope-3-0.json"));
    assert!(
        envelope_schemas["$defs"].get("Result").is_none(),
        "the envelope itself is not written"
    );
    let upload = out("uploads/image.json");
    assert_eq!(upload["body_format"], "multipart");
    assert_eq!(upload["auth"], "user");
    assert_eq!(
        upload["example"]["request"]["body"]["file"],
        "images/upload.png"
    );

    // Petstore: operationIds name the files, tags the modules, examples come from the schema.
    let pet = out("pet/get-pet-by-id.json");
    assert_eq!(pet["auth"], "user");
    assert_eq!(pet["example"]["response"]["data"]["name"], "doggie");
    let listed = out("pets/list-pets.json");
    assert_eq!(
        listed["auth"], "none",
        "`security: []` overrides the document's"
    );
    assert_eq!(
        out("pets/create-pets.json")["example"]["request"]["body"]["name"],
        "Tom"
    );
}

#[test]
fn import_names_what_it_cannot_carry_over_and_overwrites_only_with_force() {
    let dir = empty_project();
    let doc = Path::new(FIXTURES).join("petstore-3.0.yaml");
    let (_, out, _) = import(dir.path(), &doc, &[]);
    for pointer in [
        "#/paths/~1pet~1{petId}/delete/parameters/0: header parameter `api_key`",
        "#/paths/~1pet~1{petId}~1uploadImage/post/requestBody/content: request body types",
        "#/paths/~1pet/put/requestBody/content/application~1xml",
        "#/components/securitySchemes/petstore_auth: security scheme",
        "#/paths/~1user~1login/get/responses/200/headers",
        "#/paths/~1pet~1{petId}/get/responses/404: the 404 answer gives no request",
    ] {
        assert!(out.contains(pointer), "{pointer} not in:\n{out}");
    }
    let file = dir.path().join("contracts/pet/add-pet.json");
    std::fs::write(&file, "{\"kept\": true}\n").expect("write");
    let (code, out, _) = import(dir.path(), &doc, &[]);
    assert_eq!(code, 0);
    assert!(out.contains("skipped (exists)"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "{\"kept\": true}\n"
    );
    let (code, _, _) = import(dir.path(), &doc, &["--force"]);
    assert_eq!(code, 0);
    assert_eq!(read_json(&file)["id"], "pet.add-pet");
    lint(dir.path());
}

#[test]
fn a_url_is_fetched_and_a_document_that_is_not_openapi_is_refused() {
    let dir = empty_project();
    let text =
        std::fs::read_to_string(Path::new(FIXTURES).join("petstore-3.1.json")).expect("read");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(async {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::path("/openapi.json"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_string(text))
            .mount(&server)
            .await;
        server
    });
    let url = format!("{}/openapi.json", server.uri());
    let (code, out, err) =
        run(cli(dir.path()).args(["import", "openapi", &url, "--out", "contracts"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 operation(s)"), "{out}");
    lint(dir.path());

    let swagger = dir.path().join("swagger.yaml");
    std::fs::write(
        &swagger,
        "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n",
    )
    .expect("write");
    let (code, _, err) = import(dir.path(), &swagger, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("swagger.yaml") && err.contains("not an OpenAPI 3.0 or 3.1"),
        "{err}"
    );
    let (code, _, err) = run(cli(dir.path()).args(["import", "openapi", "ftp://x/y.json"]));
    assert_eq!(code, 2);
    assert!(err.contains("http"), "{err}");
}
