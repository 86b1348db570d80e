//! PostgreSQL's binary `COPY ... FROM STDIN WITH (FORMAT binary)` format, written by hand. COPY
//! is the fastest way into a table (the server batches heap inserts and parses no query per
//! row), and its binary form spares the server parsing text into timestamps, integers and
//! arrays (about 15% of a `videos` copy on this project's machine, BENCHMARKS.md). This module
//! only encodes; [`super::writer`] and [`super::upsert`] send.
//!
//! A stream is [`HEADER`], rows, [`TRAILER`]. A row is its field count, then each field as its
//! length and bytes (-1 for NULL) in the column type's binary form: text as UTF-8, `int4` and
//! `int8` big-endian, `bool` one byte, `timestamptz` microseconds since 2000-01-01 UTC, `text[]`
//! as an array header and its elements. Every field must match its column's type exactly.

use chrono::{DateTime, Utc};

/// The start of every binary COPY stream: signature, flags, header extension length.
pub const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The end of every binary COPY stream: a field count of -1.
pub const TRAILER: &[u8] = &[0xff, 0xff];

/// `text`'s type OID, named in the header of every text array.
const TEXT_OID: u32 = 25;

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 00:00:00 UTC).
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// Rows in binary COPY format, built into one buffer.
#[derive(Debug, Default)]
pub struct CopyRows {
    buf: Vec<u8>,
    /// Where the current row's field count goes.
    row_start: usize,
    /// Fields in the current row so far.
    fields: i16,
}

impl CopyRows {
    /// An empty buffer with room for about `bytes`.
    pub fn with_capacity(bytes: usize) -> Self {
        CopyRows {
            buf: Vec::with_capacity(bytes),
            ..CopyRows::default()
        }
    }

    /// The encoded rows (without [`HEADER`] and [`TRAILER`]).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Bytes encoded so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Forgets the encoded rows, keeping the allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.fields = 0;
    }

    /// Appends raw bytes (the [`TRAILER`], to send it with the last rows).
    pub fn extend_from(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Ends the current row: writes its field count.
    pub fn end_row(&mut self) {
        let count = self.fields.to_be_bytes();
        self.buf[self.row_start..self.row_start + 2].copy_from_slice(&count);
        self.fields = 0;
    }

    /// Starts a field of `len` bytes (-1: NULL), and the row if it is the row's first field.
    fn field(&mut self, len: i32) {
        if self.fields == 0 {
            self.row_start = self.buf.len();
            self.buf.extend_from_slice(&[0, 0]);
        }
        self.fields += 1;
        self.buf.extend_from_slice(&len.to_be_bytes());
    }

    fn null(&mut self) -> &mut Self {
        self.field(-1);
        self
    }

    /// A `text` field.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.field(len(value.len()));
        self.buf.extend_from_slice(value.as_bytes());
        self
    }

    /// A nullable `text` field.
    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    /// An `int8` field.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.field(8);
        self.buf.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// A nullable `int8` field.
    pub fn opt_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    /// An `int4` field.
    pub fn int4(&mut self, value: i32) -> &mut Self {
        self.field(4);
        self.buf.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// A nullable `bool` field.
    pub fn opt_bool(&mut self, value: Option<bool>) -> &mut Self {
        match value {
            Some(v) => {
                self.field(1);
                self.buf.push(u8::from(v));
                self
            }
            None => self.null(),
        }
    }

    /// A `timestamptz` field, to the microsecond (what PostgreSQL keeps).
    pub fn time(&mut self, value: DateTime<Utc>) -> &mut Self {
        self.int(value.timestamp_micros() - POSTGRES_EPOCH_MICROS)
    }

    /// A nullable `timestamptz` field.
    pub fn opt_time(&mut self, value: Option<DateTime<Utc>>) -> &mut Self {
        match value {
            Some(t) => self.time(t),
            None => self.null(),
        }
    }

    /// A nullable `text[]` field (one dimension, no NULL elements).
    pub fn opt_text_array<S: AsRef<str>>(&mut self, value: Option<&[S]>) -> &mut Self {
        let Some(items) = value else {
            return self.null();
        };
        // An empty array has no dimension; a list has one, from 1.
        let dimension = if items.is_empty() { 0 } else { 8 };
        let elements: usize = items.iter().map(|i| 4 + i.as_ref().len()).sum();
        self.field(len(12 + dimension + elements));
        let ndim: i32 = if items.is_empty() { 0 } else { 1 };
        self.buf.extend_from_slice(&ndim.to_be_bytes());
        self.buf.extend_from_slice(&0i32.to_be_bytes()); // no NULL element
        self.buf.extend_from_slice(&TEXT_OID.to_be_bytes());
        if !items.is_empty() {
            self.buf.extend_from_slice(&len(items.len()).to_be_bytes());
            self.buf.extend_from_slice(&1i32.to_be_bytes()); // lower bound
        }
        for item in items {
            let item = item.as_ref();
            self.buf.extend_from_slice(&len(item.len()).to_be_bytes());
            self.buf.extend_from_slice(item.as_bytes());
        }
        self
    }
}

/// A length as the format writes it. A field is at most 1 GB in PostgreSQL; titles and tags
/// are far below that.
fn len(n: usize) -> i32 {
    i32::try_from(n).expect("a COPY field under 2 GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(build: impl FnOnce(&mut CopyRows)) -> Vec<u8> {
        let mut rows = CopyRows::default();
        build(&mut rows);
        rows.end_row();
        rows.as_bytes().to_vec()
    }

    #[test]
    fn header_and_trailer_are_the_documented_bytes() {
        assert_eq!(HEADER.len(), 19);
        assert_eq!(&HEADER[..11], b"PGCOPY\n\xff\r\n\0");
        assert_eq!(TRAILER, (-1i16).to_be_bytes());
    }

    #[test]
    fn a_row_is_its_field_count_then_length_prefixed_fields() {
        let bytes = row(|r| {
            r.text("a\tb")
                .opt_text(None)
                .int(-5)
                .int4(7)
                .opt_bool(Some(true))
                .opt_bool(None);
        });
        let mut expected = vec![0, 6];
        expected.extend([0, 0, 0, 3, b'a', b'\t', b'b']);
        expected.extend([0xff; 4]);
        expected.extend([0, 0, 0, 8]);
        expected.extend((-5i64).to_be_bytes());
        expected.extend([0, 0, 0, 4, 0, 0, 0, 7]);
        expected.extend([0, 0, 0, 1, 1]);
        expected.extend([0xff; 4]);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn rows_follow_each_other() {
        let mut rows = CopyRows::default();
        rows.int4(1);
        rows.end_row();
        rows.int4(2).int4(3);
        rows.end_row();
        assert_eq!(&rows.as_bytes()[..2], [0, 1]);
        assert_eq!(&rows.as_bytes()[10..12], [0, 2]);
        assert_eq!(rows.len(), 10 + 2 + 16);
    }

    #[test]
    fn times_are_microseconds_since_2000() {
        let t: DateTime<Utc> = "2000-01-01T00:00:01.000002Z".parse().unwrap();
        assert_eq!(
            &row(|r| {
                r.time(t);
            })[6..],
            1_000_002i64.to_be_bytes()
        );
        let before: DateTime<Utc> = "1999-12-31T23:59:59Z".parse().unwrap();
        assert_eq!(
            &row(|r| {
                r.time(before);
            })[6..],
            (-1_000_000i64).to_be_bytes()
        );
    }

    #[test]
    fn arrays_have_a_header_a_dimension_and_length_prefixed_elements() {
        let bytes = row(|r| {
            r.opt_text_array(Some(&["ab", ""][..]));
        });
        let mut expected = vec![0, 1, 0, 0, 0, 30];
        expected.extend([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25]);
        expected.extend([0, 0, 0, 2, 0, 0, 0, 1]);
        expected.extend([0, 0, 0, 2, b'a', b'b', 0, 0, 0, 0]);
        assert_eq!(bytes, expected);

        let empty: [&str; 0] = [];
        let bytes = row(|r| {
            r.opt_text_array(Some(&empty[..]));
        });
        assert_eq!(
            bytes,
            [0, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25]
        );
        let none: Option<&[String]> = None;
        assert_eq!(
            row(|r| {
                r.opt_text_array(none);
            }),
            [0, 1, 0xff, 0xff, 0xff, 0xff]
        );
    }
}
