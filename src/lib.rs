//! daodao-check: contract tests and 联调 (joint debugging) for the daodao API.
//!
//! The pipeline, one module per stage: load ([`config`], [`contract`], [`scenario`], [`catalog`]) →
//! plan ([`plan`]) → execute ([`exec`]) → check ([`check`]) → report ([`result`], [`report`]).
//! [`run`] is one whole run; the command line (`src/cli/`, in the binary) only parses and calls in.

pub mod atomic;
pub mod catalog;
pub mod check;
pub mod config;
pub mod contract;
pub mod controls;
pub mod docs;
pub mod error;
pub mod exec;
pub mod exit;
pub mod http;
pub mod import;
pub mod openapi;
pub mod plan;
pub mod progress;
pub mod proxy;
pub mod redact;
pub mod report;
pub mod result;
pub mod run;
pub mod sandbox;
pub mod scenario;
pub mod short;
pub mod source;
