//! The YouTube Data API v3 client: wire types mirroring the JSON, paging, error classification
//! and the retry policy. Nothing here knows about the database or the domain model.

pub mod client;
pub mod quota;
pub mod retry;
pub mod wire;

pub use client::{ApiError, Client, Fetched, Page, FIELDS, PAGE_SIZE, PARTS};
pub use retry::RetryPolicy;
