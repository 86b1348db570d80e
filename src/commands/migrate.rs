//! `trendtap migrate`: applies the pending migrations of the configured store (fetch does it
//! by itself; this is for deployments that migrate before the first run).

use super::{fail, Context};
use crate::cli::DbArgs;
use crate::error::{Error, Exit};
use crate::secret::Redactor;
use crate::store::Store;

/// Runs `trendtap migrate`.
pub async fn run(args: &DbArgs, ctx: &Context) -> Exit {
    let url = match ctx.database_url(args) {
        Ok(url) => url,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let redactor = Redactor::new(url.password());
    let result = async {
        let mut store = Store::open(&url).await?;
        let applied = store.migrate().await?;
        eprintln!(
            "trendtap: {applied} migration(s) applied to {}",
            store.target()
        );
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Exit::Ok,
        Err(e) => fail(&Error::Store(e), &redactor),
    }
}
