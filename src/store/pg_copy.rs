//! PostgreSQL's `COPY ... FROM STDIN` text format, written by hand: rows of tab-separated fields,
//! `\N` for NULL, backslash escapes for the four characters that would break a row. COPY is the
//! fastest way into a table (the server batches heap inserts and parses no query per row); this
//! module only encodes, [`super::pg_writer`] sends.
//!
//! Text arrays are array literals inside the COPY field: `{"a","b \"c\""}`, each element quoted
//! and its `"` and `\` escaped, then the whole literal escaped again as any COPY field.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};

/// Rows in COPY text format, built into one buffer.
#[derive(Debug, Default)]
pub struct CopyRows {
    buf: Vec<u8>,
    /// Whether the current row has a field yet (the next one needs a tab first).
    in_row: bool,
}

impl CopyRows {
    /// An empty buffer with room for about `bytes`.
    pub fn with_capacity(bytes: usize) -> Self {
        CopyRows {
            buf: Vec::with_capacity(bytes),
            ..CopyRows::default()
        }
    }

    /// The encoded rows.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes encoded so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether no row has been encoded.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Forgets the encoded rows, keeping the allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.in_row = false;
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.buf.push(b'\n');
        self.in_row = false;
    }

    fn sep(&mut self) {
        if self.in_row {
            self.buf.push(b'\t');
        }
        self.in_row = true;
    }

    fn null(&mut self) {
        self.buf.extend_from_slice(b"\\N");
    }

    /// A text field.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.sep();
        escape_into(&mut self.buf, value.as_bytes());
        self
    }

    /// A nullable text field.
    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => {
                self.sep();
                self.null();
                self
            }
        }
    }

    /// A nullable integer field.
    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        self.sep();
        match value {
            Some(v) => {
                // Writing to a Vec cannot fail.
                let _ = write!(self.buf, "{v}");
            }
            None => self.null(),
        }
        self
    }

    /// An integer field.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.opt_int(Some(value))
    }

    /// A nullable boolean field.
    pub fn opt_bool(&mut self, value: Option<bool>) -> &mut Self {
        self.sep();
        match value {
            Some(true) => self.buf.push(b't'),
            Some(false) => self.buf.push(b'f'),
            None => self.null(),
        }
        self
    }

    /// A nullable `timestamptz` field, as RFC 3339 with microseconds (what PostgreSQL keeps).
    pub fn opt_time(&mut self, value: Option<DateTime<Utc>>) -> &mut Self {
        self.sep();
        match value {
            Some(t) => self
                .buf
                .extend_from_slice(t.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes()),
            None => self.null(),
        }
        self
    }

    /// A `timestamptz` field.
    pub fn time(&mut self, value: DateTime<Utc>) -> &mut Self {
        self.opt_time(Some(value))
    }

    /// A nullable `text[]` field.
    pub fn opt_text_array<S: AsRef<str>>(&mut self, value: Option<&[S]>) -> &mut Self {
        self.sep();
        let Some(items) = value else {
            self.null();
            return self;
        };
        self.buf.push(b'{');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            self.buf.push(b'"');
            for &b in item.as_ref().as_bytes() {
                // Array-literal escape, then the COPY escape of the same byte.
                match b {
                    b'"' => self.buf.extend_from_slice(b"\\\\\""),
                    b'\\' => self.buf.extend_from_slice(b"\\\\\\\\"),
                    _ => escape_byte(&mut self.buf, b),
                }
            }
            self.buf.push(b'"');
        }
        self.buf.push(b'}');
        self
    }
}

/// Appends `bytes` with COPY's text escapes: backslash, tab, newline and carriage return.
fn escape_into(buf: &mut Vec<u8>, bytes: &[u8]) {
    // Most fields need no escape: copy them whole.
    if !bytes
        .iter()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        buf.extend_from_slice(bytes);
        return;
    }
    for &b in bytes {
        escape_byte(buf, b);
    }
}

fn escape_byte(buf: &mut Vec<u8>, b: u8) {
    match b {
        b'\\' => buf.extend_from_slice(b"\\\\"),
        b'\t' => buf.extend_from_slice(b"\\t"),
        b'\n' => buf.extend_from_slice(b"\\n"),
        b'\r' => buf.extend_from_slice(b"\\r"),
        _ => buf.push(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(build: impl FnOnce(&mut CopyRows)) -> String {
        let mut rows = CopyRows::default();
        build(&mut rows);
        rows.end_row();
        String::from_utf8(rows.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn fields_are_tab_separated_with_null_markers_and_escapes() {
        let line = encode(|r| {
            r.text("a\tb\\c\nd")
                .opt_text(None)
                .int(-5)
                .opt_int(None)
                .opt_bool(Some(true))
                .opt_bool(Some(false))
                .opt_bool(None);
        });
        assert_eq!(line, "a\\tb\\\\c\\nd\t\\N\t-5\t\\N\tt\tf\t\\N\n");
    }

    #[test]
    fn times_keep_microseconds() {
        let t: DateTime<Utc> = "2026-11-22T06:00:00.123456Z".parse().unwrap();
        assert_eq!(
            encode(|r| {
                r.time(t);
            }),
            "2026-11-22T06:00:00.123456Z\n"
        );
    }

    #[test]
    fn arrays_escape_twice() {
        let items = [
            "plain",
            "with \"quote\"",
            "back\\slash",
            "comma, brace}",
            "",
        ];
        assert_eq!(
            encode(|r| {
                r.opt_text_array(Some(&items[..]));
            }),
            "{\"plain\",\"with \\\\\"quote\\\\\"\",\"back\\\\\\\\slash\",\"comma, brace}\",\"\"}\n"
        );
        let none: Option<&[String]> = None;
        assert_eq!(
            encode(|r| {
                r.opt_text_array(none);
            }),
            "\\N\n"
        );
        let empty: [&str; 0] = [];
        assert_eq!(
            encode(|r| {
                r.opt_text_array(Some(&empty[..]));
            }),
            "{}\n"
        );
    }
}
