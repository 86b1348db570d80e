//! The YouTube Data API v3 client: wire types mirroring the JSON (`wire`, which does not leave
//! this module, `normalize` and the archive reader), HTTP and paging (`client`), what a failure
//! means (`error`) and how it is retried (`retry`), the client's settings and their defaults
//! (`settings`), the quota's reset time (`quota`). Nothing here knows the store or the domain
//! model.

pub mod client;
pub mod error;
pub mod quota;
pub mod retry;
pub mod settings;
pub mod wire;

pub use client::{parse_page, Client, Fetched, Page, FIELDS, PAGE_SIZE, PARTS};
pub use error::{ApiError, Scope};
pub use retry::RetryPolicy;
pub use settings::ClientSettings;
