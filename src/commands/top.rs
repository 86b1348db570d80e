//! `trendtap top`: the top of each chart stored by the latest run, as text on stdout.

use super::{fail, open_store, Context};
use crate::cli::TopArgs;
use crate::error::{Error, Exit};
use crate::regions;
use crate::secret::Redactor;
use crate::store::TopRow;

/// Runs `trendtap top`.
pub async fn run(args: &TopArgs, ctx: &Context) -> Exit {
    let region = match &args.region {
        Some(code) => match regions::canonical(code) {
            Some(r) => Some(r),
            None => {
                return fail(
                    &Error::Usage(format!("unknown region code `{code}`")),
                    &Redactor::default(),
                )
            }
        },
        None => None,
    };
    let url = match ctx.database_url(&args.db) {
        Ok(url) => url,
        Err(e) => return fail(&e, &Redactor::default()),
    };
    let redactor = Redactor::new(url.password());
    let rows = async { open_store(&url).await?.top(region, args.limit).await }.await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return fail(&Error::Store(e), &redactor),
    };
    if rows.is_empty() {
        eprintln!("trendtap: no chart stored yet in {url}");
        return Exit::Ok;
    }
    print!("{}", render(&rows));
    Exit::Ok
}

/// The text table: a heading per chart, then rank, views, language, title and channel.
fn render(rows: &[TopRow]) -> String {
    let mut text = String::new();
    let mut chart = None;
    for row in rows {
        if chart != Some((&row.region, &row.category_id)) {
            chart = Some((&row.region, &row.category_id));
            let name = regions::name(&row.region).unwrap_or("");
            text.push_str(&format!(
                "\n{} {name}, category {} (run {})\n",
                row.region, row.category_id, row.run_id
            ));
        }
        let views = row
            .view_count
            .map_or_else(|| "-".to_owned(), |v| v.to_string());
        let channel = row.channel_title.as_deref().unwrap_or("");
        text.push_str(&format!(
            "{:>4}  {views:>12}  [{}]  {}  ({channel})\n",
            row.rank, row.language, row.title
        ));
    }
    text.trim_start().to_owned()
}
