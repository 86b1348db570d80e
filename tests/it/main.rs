//! trendtap's integration tests, one binary with a module per boundary:
//! `api` (the client and the concurrent fetch against a fake YouTube on loopback),
//! `store` (every SQL statement against the real PostgreSQL), and `cli` (the built binary end
//! to end: exit codes, stdout, secrets), and `thumbnails` (the image downloader against a fake
//! image host).

mod api;
mod archive;
mod cli;
mod crash;
mod hostile;
mod lang_eval;
mod operator;
mod properties;
mod quota;
mod refresh;
mod report;
mod resilience;
mod soak;
mod stops;
mod store;
mod store_failure;
mod support;
mod thumbnails;
