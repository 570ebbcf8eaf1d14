//! What every case of a run reads: the configuration, the catalogue, the client, the run's sessions.

use super::cache::SetupCache;
use super::route_probe::Fingerprints;
use super::session::{sms_code_from, AccountPhones, Login, Sessions};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::contract::walk::SchemaDocs;
use crate::contract::Contract;
use crate::http::Client;
use crate::redact::{Redactor, SecretKind};
use crate::scenario::template::{Builtins, Vars};
use serde_json::Value;

/// The shared state of one run, borrowed from the `Runner`. Only the redactor (which learns secrets) and
/// the sessions (which log in on first use) change while cases run.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    pub redactor: &'a Redactor,
    pub client: &'a Client,
    pub builtins: &'a Builtins,
    /// How the backend answers a route that does not exist, once the route probe learnt it.
    pub fingerprints: &'a Fingerprints,
    /// The run's sessions, shared by the endpoint checks; scenarios and fresh-session checks make their own.
    pub sessions: &'a Sessions,
    /// Setup steps shared by endpoint checks, each identical read sent once per run.
    pub setups: &'a SetupCache,
    /// Which cases keep their excerpts.
    pub excerpts: super::Excerpts,
    /// The phones of every account the run logged in.
    pub phones: &'a AccountPhones,
    /// What the run learnt and adapted to, said once by the verdict.
    pub notes: &'a super::notes::RunNotes,
    /// The shared schema documents, for a field's schema through `$ref` (the derived negative inputs).
    pub schema_docs: &'a SchemaDocs,
}

impl<'a> Context<'a> {
    pub fn login(&self) -> Login<'a> {
        Login {
            client: self.client,
            config: self.config,
            catalog: self.catalog,
            redactor: self.redactor,
            builtins: self.builtins,
            phones: self.phones,
            notes: self.notes,
        }
    }

    /// The plan's spelling of a contract: `POST /api/v1/auth/login`.
    pub fn spelling(&self, c: &Contract) -> String {
        c.plan_spelling(&self.catalog.plan.prefix)
    }

    /// Variables every context starts with: the SMS code when it is fixed or from the environment.
    pub fn base_vars(&self) -> Vars {
        let mut vars = Vars::new();
        if let Ok(code) = sms_code_from(&self.config.sms, &Value::Null) {
            self.redactor.add(&code, SecretKind::SmsCode);
            vars.insert("sms_code".into(), Value::String(code));
        }
        vars
    }
}
