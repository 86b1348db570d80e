//! `--format ndjson`: one JSON object per chart entry and line, the record of
//! [`super::record`] with its keys in [`COLUMNS`] order: integers as numbers, times as RFC 3339
//! UTC strings with microseconds, lists as arrays, unknown values as `null`.

use chrono::{DateTime, Timelike, Utc};

use super::kaggle::{push_int, push_time};
use super::record::{Value, COLUMNS};

/// Appends the line of a record (its [`super::record::values`]) to `out`.
pub fn write_row(out: &mut Vec<u8>, values: &[Value<'_>]) {
    out.push(b'{');
    for (i, (column, value)) in COLUMNS.iter().zip(values).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(column.name.as_bytes());
        out.extend_from_slice(b"\":");
        match *value {
            Value::Int64(Some(n)) => push_int(out, n),
            Value::Int32(n) => push_int(out, i64::from(n)),
            Value::Bool(Some(b)) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Text(Some(s)) => string(out, s),
            Value::Time(Some(t)) => time(out, t),
            Value::List(Some(items)) => {
                out.push(b'[');
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    string(out, item);
                }
                out.push(b']');
            }
            Value::Int64(None)
            | Value::Bool(None)
            | Value::Text(None)
            | Value::Time(None)
            | Value::List(None) => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b"}\n");
}

fn string(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to memory");
}

/// `"2026-11-22T06:00:02.500000Z"`.
fn time(out: &mut Vec<u8>, t: DateTime<Utc>) {
    out.push(b'"');
    push_time(out, t, false);
    out.pop();
    let micros = format!(".{:06}Z\"", t.nanosecond() / 1_000 % 1_000_000);
    out.extend_from_slice(micros.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::categories::Titles;
    use crate::export::record::tests::{observation, Parts};
    use crate::export::record::values;

    #[test]
    fn a_line_has_every_column_in_order_with_nulls_for_the_unknown() {
        let o = observation();
        let titles = Titles::new([]);
        let mut out = Vec::new();
        write_row(&mut out, &values(Parts::of(&o).row(), &titles));
        let line = String::from_utf8(out).unwrap();
        assert!(line.ends_with("}\n") && line.matches('\n').count() == 1);
        let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line).unwrap();
        assert_eq!(json.len(), COLUMNS.len());
        // The keys come in the columns' order (serde_json's map would sort them).
        let positions: Vec<usize> = COLUMNS
            .iter()
            .map(|c| line.find(&format!("\"{}\":", c.name)).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert_eq!(json["like_count"], serde_json::Value::Null);
        assert_eq!(json["view_count"], 17_158_579);
        assert_eq!(json["fetched_at"], "2026-11-22T06:00:02.500000Z");
        assert_eq!(json["category_title"], "Music");
        assert_eq!(json["chart_category_title"], serde_json::Value::Null);
        assert_eq!(json["tags"], serde_json::json!(["Eminem", "Walk"]));
        assert_eq!(json["allowed_regions"], serde_json::json!([]));
        assert_eq!(json["description"], "line one\nline \"two\"");
    }
}
