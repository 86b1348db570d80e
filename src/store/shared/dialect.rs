//! What the statements generated from the shared column lists and rules need to know of each
//! SQL dialect, the two side by side. Everything else that differs (types, bulk formats) stays in
//! the backend's own folder.

/// One SQL dialect's words for the generated statements.
#[derive(Debug)]
pub(crate) struct Dialect {
    /// The n-th bind parameter, from 1.
    pub param: fn(usize) -> String,
    /// The n-th bind parameter when it holds JSON text for a JSON column.
    pub json_param: fn(usize) -> String,
    /// The name of the incoming row in an upsert's `SET`.
    pub incoming: &'static str,
    /// The smaller of two values (both non-NULL where the rule uses it).
    pub least: &'static str,
    /// The larger of two values.
    pub greatest: &'static str,
}

/// PostgreSQL: known rows are updated by `UPDATE table SET ... FROM (incoming rows) AS u`.
pub(crate) const POSTGRES: Dialect = Dialect {
    param: |n| format!("${n}"),
    json_param: |n| format!("${n}::jsonb"),
    incoming: "u",
    least: "LEAST",
    greatest: "GREATEST",
};

/// SQLite: rows are upserted by `INSERT ... ON CONFLICT DO UPDATE SET`, whose incoming row is
/// `excluded`; JSON columns hold JSON text.
pub(crate) const SQLITE: Dialect = Dialect {
    param: |n| format!("?{n}"),
    json_param: |n| format!("?{n}"),
    incoming: "excluded",
    least: "min",
    greatest: "max",
};
