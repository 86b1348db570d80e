//! trendtap's integration tests, one binary with a module per boundary:
//! `api` (the client and the concurrent fetch against a fake YouTube on loopback),
//! `store` (every SQL statement against the real PostgreSQL), and `cli` (the built binary end
//! to end: exit codes, stdout, secrets).

mod api;
mod archive;
mod cli;
mod export;
mod operator;
mod resilience;
mod store;
mod support;
