//! A made-up exchange and everything a check reads beside it, so each check's tests are a few lines and
//! need no network: [`Case::new`] is a valid `GET /items/{id}` answered with a valid success.

use super::{Check, CheckInput, Expect, RouteFingerprint};
use crate::config::{self, Config, ConfigFile, Limits, NoEnv, Overrides};
use crate::contract::schema::{Compiled, SchemaSet};
use crate::contract::{parse_contract, Contract};
use crate::http::{Exchange, HttpRequest, HttpResponse, TransportError, TransportErrorKind};
use crate::result::{CaseKind, Finding};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

pub const BASE_URL: &str = "http://127.0.0.1:3001/api/v1";

/// `data` is `{id: string, price: number, createdAt?: date-time}`; the example is a success.
const CONTRACT: &str = r#"{
  "id": "demo.item", "method": "GET", "path": "/items/{id}", "phase": 1, "module": "demo",
  "name": "获取商品详情", "auth": "user",
  "response": {"data": {
    "type": "object", "required": ["id", "price"],
    "properties": {
      "id": {"type": "string"},
      "price": {"type": "number"},
      "createdAt": {"type": "string", "format": "date-time"}
    }
  }},
  "example": {
    "request": {"path_params": {"id": "i_1"}},
    "response": {"code": 0, "message": "ok", "data": {"id": "i_1", "price": 5}}
  }
}"#;

pub struct Case {
    pub contract: Contract,
    pub compiled: Compiled,
    pub config: Config,
    pub exchange: Exchange,
    pub expect: Expect,
    pub case: CaseKind,
    pub fingerprint: Option<RouteFingerprint>,
    /// The run's test accounts' phones, and the caller's (see [`super::People`]).
    pub people_accounts: Vec<String>,
    pub people_caller: Option<&'static str>,
}

/// An exchange: `method path` (under [`BASE_URL`]) answered with `status` and `body`.
pub fn exchange(method: &str, path: &str, status: u16, content_type: &str, body: &str) -> Exchange {
    Exchange {
        request: HttpRequest {
            method: method.into(),
            url: format!("{BASE_URL}{path}"),
            path: path.into(),
            headers: vec![],
            body: None,
            multipart_files: None,
            raw_body: None,
        },
        response: Ok(HttpResponse {
            content_type: Some(content_type.into()),
            ..HttpResponse::decoded(
                status,
                body.as_bytes().to_vec(),
                false,
                &Limits::default(),
                &Default::default(),
            )
        }),
        elapsed_ms: 20.0,
    }
}

impl Case {
    pub fn new() -> Case {
        let contract = parse_contract(CONTRACT).expect("the test contract parses");
        let (schemas, problems) = SchemaSet::load(Path::new("."), Path::new("no-shared-schemas"));
        assert!(problems.is_empty(), "{problems:?}");
        let (compiled, problems) = schemas.compile_contract(&contract);
        assert!(problems.is_empty(), "{problems:?}");
        let config = config::resolve(
            ConfigFile::default(),
            PathBuf::from("."),
            None,
            &Overrides::default(),
            &NoEnv,
        )
        .expect("the default config resolves");
        Case {
            contract,
            compiled,
            config,
            exchange: exchange("GET", "/items/i_1", 200, "application/json", ""),
            expect: Expect::Success,
            case: CaseKind::Happy,
            fingerprint: None,
            people_accounts: vec![],
            people_caller: None,
        }
        .answer(
            200,
            json!({"code": 0, "message": "ok", "data": {"id": "i_1", "price": 5}}),
        )
    }

    /// The backend answers `status` with this JSON.
    pub fn answer(self, status: u16, body: Value) -> Self {
        self.answer_text(status, "application/json; charset=utf-8", &body.to_string())
    }

    /// The backend answers `status` with this text, whatever it is.
    pub fn answer_text(mut self, status: u16, content_type: &str, body: &str) -> Self {
        let request = &self.exchange.request;
        self.exchange = Exchange {
            elapsed_ms: self.exchange.elapsed_ms,
            ..exchange(&request.method, &request.path, status, content_type, body)
        };
        self
    }

    /// Edits the response (its headers, how it was read).
    pub fn response(mut self, edit: impl FnOnce(&mut HttpResponse)) -> Self {
        if let Ok(r) = &mut self.exchange.response {
            edit(r);
        }
        self
    }

    /// The backend answers `status` with these bytes, decoded within `limits` as the client would.
    pub fn answer_bytes(
        self,
        status: u16,
        content_type: &str,
        bytes: &[u8],
        limits: Limits,
    ) -> Self {
        let content_type = content_type.to_string();
        self.response(|r| {
            *r = HttpResponse {
                content_type: Some(content_type),
                ..HttpResponse::decoded(status, bytes.to_vec(), false, &limits, &Default::default())
            }
        })
    }

    /// A success envelope around `data`.
    pub fn answer_data(self, data: Value) -> Self {
        self.answer(200, json!({"code": 0, "message": "ok", "data": data}))
    }

    /// No answer: the transport failed.
    pub fn transport_error(mut self, kind: TransportErrorKind, message: &str) -> Self {
        self.exchange.response = Err(TransportError {
            kind,
            message: message.into(),
        });
        self
    }

    pub fn expect(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }

    /// An error case expecting envelope `code` (no HTTP status pinned).
    pub fn expect_code(self, code: i64) -> Self {
        self.expect(Expect::Error {
            code,
            http_status: None,
        })
    }

    pub fn kind(mut self, case: CaseKind) -> Self {
        self.case = case;
        self
    }

    pub fn took(mut self, ms: f64) -> Self {
        self.exchange.elapsed_ms = ms;
        self
    }

    pub fn fingerprint(mut self, fingerprint: Option<RouteFingerprint>) -> Self {
        self.fingerprint = fingerprint;
        self
    }

    pub fn config(mut self, edit: impl FnOnce(&mut Config)) -> Self {
        edit(&mut self.config);
        self
    }

    /// `data` must match this schema instead.
    pub fn data_schema(mut self, schema: Value) -> Self {
        let (schemas, _) = SchemaSet::load(Path::new("."), Path::new("no-shared-schemas"));
        self.compiled.data = Some(
            schemas
                .compile("demo.item", &schema)
                .expect("the schema compiles"),
        );
        self
    }

    pub fn contract(mut self, edit: impl FnOnce(&mut Contract)) -> Self {
        edit(&mut self.contract);
        self
    }

    pub fn input(&self) -> CheckInput<'_> {
        CheckInput {
            exchange: &self.exchange,
            contract: &self.contract,
            compiled: Some(&self.compiled),
            expect: self.expect,
            case: self.case,
            config: &self.config,
            fingerprint: self.fingerprint.as_ref(),
            people: super::People {
                caller: self.people_caller,
                accounts: &self.people_accounts,
            },
        }
    }

    pub fn run(&self, check: &dyn Check) -> Vec<Finding> {
        check.run(&self.input())
    }
}

/// A finding's (path, expected, actual), for asserting all three at once.
pub fn place(f: &Finding) -> (Option<&str>, Option<&str>, Option<&str>) {
    (
        f.path.as_deref(),
        f.expected.as_deref(),
        f.actual.as_deref(),
    )
}
