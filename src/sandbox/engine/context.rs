//! A request as the behaviours see it: who calls, the parts of the request, the template variables,
//! the example's answer shape. Auth produces the caller; the engine and the auth actions read it.

use super::super::fault::{FaultKind, Faults, Schema};
use super::super::json::flatten;
use super::super::reply::{refuse, Refusal};
use super::super::state::{Record, State, User};
use super::super::Sandbox;
use crate::contract::behaviour::Behaviour;
use crate::contract::Contract;
use crate::scenario::template::value_text;
use crate::scenario::template::{referenced_vars, render, Builtins, TemplateError, Vars};
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

/// The caller of a request, and the bearer token it came with.
pub(crate) struct Caller {
    pub user: Option<User>,
    pub token: Option<String>,
}

pub(crate) static BUILTINS: LazyLock<Builtins> = LazyLock::new(|| Builtins::new(20_260_101));

/// A request as the behaviours see it.
pub(crate) struct Ctx<'a> {
    pub sandbox: &'a Sandbox,
    pub contract: &'a Contract,
    pub behaviour: &'a Behaviour,
    pub caller: Caller,
    pub path: Map<String, Value>,
    pub query: Value,
    pub body: Value,
    /// What templates see: `body.*`, `query.*`, `path.*`, `user.*`, and what the action adds.
    pub vars: Vars,
    /// The contract example's answer data: the shape of every answer.
    pub example: Value,
    /// The `isolation-off` fault: every record is the caller's to see and change.
    pub ignores_owners: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(
        sandbox: &'a Sandbox,
        contract: &'a Contract,
        behaviour: &'a Behaviour,
        caller: Caller,
        path: Map<String, Value>,
        query: Value,
        body: Value,
    ) -> Ctx<'a> {
        let mut vars = Vars::new();
        flatten("body", &body, &mut vars);
        flatten("query", &query, &mut vars);
        flatten("path", &Value::Object(path.clone()), &mut vars);
        if let Some(u) = &caller.user {
            vars.insert("user.id".into(), json!(u.id));
            vars.insert("user.phone".into(), json!(u.phone));
            vars.insert("user.nickname".into(), json!(u.nickname));
        }
        let example = (contract.example.response)
            .get(&sandbox.options.envelope.data)
            .cloned()
            .unwrap_or(Value::Null);
        let ignores_owners = Faults::new(sandbox, contract).is_on(FaultKind::IsolationOff);
        Ctx {
            sandbox,
            contract,
            behaviour,
            caller,
            path,
            query,
            body,
            vars,
            example,
            ignores_owners,
        }
    }

    pub(crate) fn render(&self, v: &Value) -> Result<Value, Refusal> {
        render(v, &self.vars, &BUILTINS).map_err(|e| refuse(500, format!("sandbox template: {e}")))
    }

    pub(crate) fn render_text(&self, template: &str) -> Result<String, Refusal> {
        Ok(value_text(
            &self.render(&Value::String(template.to_string()))?,
        ))
    }

    /// A template's text, or `None` when a variable it names is not known (a seed record has no
    /// owner): what depends on it does not apply.
    pub(crate) fn render_known(&self, template: &str) -> Result<Option<String>, Refusal> {
        match render(&Value::String(template.to_string()), &self.vars, &BUILTINS) {
            Ok(v) => Ok(Some(value_text(&v))),
            Err(TemplateError::Missing(_)) => Ok(None),
            Err(e) => Err(refuse(500, format!("sandbox template: {e}"))),
        }
    }

    pub(crate) fn user_id(&self) -> Option<&str> {
        self.caller.user.as_ref().map(|u| u.id.as_str())
    }

    /// Whose new records are: the caller's, or nobody's for a global collection.
    pub(crate) fn owner(&self) -> Option<String> {
        if self.behaviour.global {
            None
        } else {
            self.user_id().map(str::to_string)
        }
    }

    /// Can the caller see this record: global collections, seeds and their own.
    pub(crate) fn can_see(&self, r: &Record) -> bool {
        self.ignores_owners
            || self.behaviour.global
            || r.owner.is_none()
            || r.owner.as_deref() == self.user_id()
    }

    /// The top-level fields the request's body schema declares: what a correct backend takes from a
    /// body (empty when the schema declares none, and then it takes every field).
    pub(crate) fn declared_body_fields(&self) -> Vec<String> {
        let Some(schema) = self.contract.request.body.as_ref() else {
            return vec![];
        };
        let docs = &self.sandbox.schemas;
        Schema { root: schema, docs }.declared_fields()
    }

    /// The `trust-client-price` fault: the client's values win over the server's own.
    pub(crate) fn trusts_client(&self) -> bool {
        Faults::new(self.sandbox, self.contract).is_on(FaultKind::TrustClientPrice)
    }

    /// The key of a counter of `user` (default the caller), or of everyone for a global one.
    pub(crate) fn counter_key(&self, name: &str, user: Option<&str>) -> String {
        if Behaviour::counter_is_global(name) {
            name.to_string()
        } else {
            let user = user.or(self.user_id()).unwrap_or("");
            format!("{user}|{name}")
        }
    }

    /// A counter's value for `user` (default the caller): set by effects, else the example's, else 0.
    pub(crate) fn counter(
        &self,
        state: &State,
        template: &str,
        user: Option<&str>,
    ) -> Result<f64, Refusal> {
        let name = self.render_text(template)?;
        let init = &self.sandbox.counter_init;
        Ok(
            (state.counters.get(&self.counter_key(&name, user)).copied())
                .or_else(|| init.get(&name).copied())
                .or_else(|| init.get(template).copied())
                .unwrap_or(0.0),
        )
    }

    /// The key of the record the request is about: a path parameter, or `body.x`, `user.id` ….
    pub(crate) fn key_param(&self) -> Option<String> {
        self.param(&self.behaviour.key_param(self.contract)?)
    }

    /// A template variable (`body.x`) or, without a dot, a path parameter, as text.
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        if name.contains('.') {
            self.vars.get(name).map(value_text)
        } else {
            self.path.get(name).map(value_text)
        }
    }

    /// The variables plus `counter.NAME` for every counter the templates name (before this request's
    /// effects), and every variable the templates name.
    pub(crate) fn vars_with_counters<'v>(
        &self,
        state: &State,
        templates: impl Iterator<Item = &'v Value>,
    ) -> Result<(Vars, Vec<String>), Refusal> {
        self.vars_with_counters_of(state, templates, None)
    }

    /// The same, with the counters of `user` (default the caller).
    pub(crate) fn vars_with_counters_of<'v>(
        &self,
        state: &State,
        templates: impl Iterator<Item = &'v Value>,
        user: Option<&str>,
    ) -> Result<(Vars, Vec<String>), Refusal> {
        let mut refs = vec![];
        templates.for_each(|t| referenced_vars(t, &mut refs));
        let mut vars = self.vars.clone();
        for name in refs.iter().filter_map(|r| r.strip_prefix("counter.")) {
            let value = self.counter(state, name, user)?;
            vars.insert(format!("counter.{name}"), json!(value));
        }
        Ok((vars, refs))
    }
}
