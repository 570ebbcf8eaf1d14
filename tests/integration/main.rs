//! The integration tests, as one binary (linked once instead of once per file), a module per area.

mod common;
mod report_support;

mod cli;
mod drifted;
mod engine;
mod exit_codes;
mod fault_matrix;
mod field_truth;
mod github;
mod help;
mod hostile;
mod hostile_server;
mod import;
mod journey;
mod levels;
mod negative;
mod openapi;
mod plan;
mod progress;
mod proxy;
mod proxy_browser;
mod proxy_forwarding;
mod proxy_report;
mod proxy_support;
mod report;
mod report_html_browser;
mod retries;
mod sandbox_limits;
mod sandbox_server;
mod schema;
mod secrets;
mod security;
mod selection;
mod sharding;
mod terminal;
