//! `--format parquet`: the record of [`super::record`] as a Parquet file, written with the
//! parquet crate's column writers (no Arrow in between): typed columns (timestamps as UTC
//! microsecond `TIMESTAMP`s, counts as `INT64`, flags as `BOOLEAN`, lists as standard
//! three-level `LIST`s of strings, text as `STRING`), nulls for the unknown, dictionary
//! encoding, Snappy compression. Rows are buffered per column and written as a row group every
//! [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] bytes, which bounds memory. A text column's
//! values are copied into one buffer per row group and handed to the writer as slices of it,
//! not allocated one by one (a month is 100 million text values).

use std::io::Write;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;

use super::record::{Column, Kind, Value, COLUMNS};

/// Rows per row group at most.
pub const ROW_GROUP_ROWS: usize = 32 * 1024;
/// Buffered bytes (about: the strings' lengths and a fixed cost per value) that close a row
/// group early; the values' real footprint is about twice that.
pub const ROW_GROUP_BYTES: usize = 8 * 1024 * 1024;

/// Whether a column is written with min/max statistics: the numbers, times and flags are;
/// texts and lists are not. Rows are in time order, so a row group's statistics prune on time
/// (`fetched_at`, `run_id`) but never on a text: every row group holds every region, language
/// and channel. Skipping them saves comparing every value (a tenth of the writer's time) and
/// keeps no value alive after its row group: a text statistic would hold a slice of the row
/// group's text buffer until the file is closed.
fn statistics(c: &Column) -> bool {
    !matches!(c.kind, Kind::Text | Kind::List)
}

/// The schema of the record, in Parquet's message syntax.
pub fn schema() -> String {
    let mut fields = String::new();
    for c in &COLUMNS {
        let repetition = if c.nullable { "optional" } else { "required" };
        let name = c.name;
        let field = match c.kind {
            Kind::Int64 => format!("{repetition} int64 {name};"),
            Kind::Int32 => format!("{repetition} int32 {name};"),
            Kind::Bool => format!("{repetition} boolean {name};"),
            Kind::Text => format!("{repetition} binary {name} (STRING);"),
            Kind::Time => format!("{repetition} int64 {name} (TIMESTAMP(MICROS,true));"),
            Kind::List => format!(
                "{repetition} group {name} (LIST) {{ repeated group list {{ required binary element (STRING); }} }}"
            ),
        };
        fields.push_str(&field);
        fields.push('\n');
    }
    format!("message chart_entry {{\n{fields}}}")
}

/// The values of one column of the row group being built.
#[derive(Debug)]
enum Values {
    I64(Vec<i64>),
    I32(Vec<i32>),
    Bool(Vec<bool>),
    Bytes(Texts),
}

/// Text values: their bytes one after the other, and where each ends.
#[derive(Debug, Default)]
struct Texts {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Texts {
    fn push(&mut self, s: &str) {
        self.bytes.extend_from_slice(s.as_bytes());
        self.ends.push(self.bytes.len());
    }

    /// The values, as slices of one shared buffer; empties `self`, with room for as many
    /// bytes (growing the buffer again from nothing, doubling, cost a twentieth of the
    /// export's time in copies and page faults).
    fn take(&mut self) -> Vec<ByteArray> {
        let room = Vec::with_capacity(self.bytes.len());
        let bytes = bytes::Bytes::from(std::mem::replace(&mut self.bytes, room));
        let mut start = 0;
        let values = self
            .ends
            .iter()
            .map(|&end| {
                let value = ByteArray::from(bytes.slice(start..end));
                start = end;
                value
            })
            .collect();
        self.ends.clear();
        values
    }
}

/// One column's buffered values and levels.
#[derive(Debug)]
struct Buffer {
    values: Values,
    def: Vec<i16>,
    rep: Vec<i16>,
    /// The definition level of a present value: 0 required, 1 optional (or a required
    /// list's element), 2 an optional list's element.
    max_def: i16,
    list: bool,
}

impl Buffer {
    fn new(c: &Column) -> Self {
        let list = c.kind == Kind::List;
        Buffer {
            values: match c.kind {
                Kind::Int64 | Kind::Time => Values::I64(Vec::new()),
                Kind::Int32 => Values::I32(Vec::new()),
                Kind::Bool => Values::Bool(Vec::new()),
                Kind::Text | Kind::List => Values::Bytes(Texts::default()),
            },
            def: Vec::new(),
            rep: Vec::new(),
            max_def: i16::from(c.nullable) + i16::from(list),
            list,
        }
    }

    /// Adds one row's value; returns the bytes it adds (about).
    fn push(&mut self, value: &Value<'_>) -> usize {
        let present = match value {
            Value::Int64(v) => v.is_some(),
            Value::Time(t) => t.is_some(),
            Value::Int32(_) => true,
            Value::Bool(v) => v.is_some(),
            Value::Text(s) => s.is_some(),
            Value::List(items) => return self.push_list(*items),
        };
        if self.max_def > 0 {
            self.def.push(if present { self.max_def } else { 0 });
        }
        match (value, &mut self.values) {
            (Value::Int64(Some(v)), Values::I64(out)) => out.push(*v),
            (Value::Time(Some(t)), Values::I64(out)) => out.push(t.timestamp_micros()),
            (Value::Int32(v), Values::I32(out)) => out.push(*v),
            (Value::Bool(Some(v)), Values::Bool(out)) => out.push(*v),
            (Value::Text(Some(s)), Values::Bytes(out)) => {
                out.push(s);
                return s.len() + 16;
            }
            _ => {}
        }
        10
    }

    /// A list: a row of levels per element (none: one at level 0, empty: one at the list's
    /// level), the first element starting the row (repetition level 0).
    fn push_list(&mut self, items: Option<&[String]>) -> usize {
        let Values::Bytes(out) = &mut self.values else {
            unreachable!("a list's column holds strings")
        };
        match items {
            None => {
                self.def.push(0);
                self.rep.push(0);
                2
            }
            Some([]) => {
                self.def.push(self.max_def - 1);
                self.rep.push(0);
                2
            }
            Some(items) => {
                let mut n = 0;
                for (i, item) in items.iter().enumerate() {
                    self.def.push(self.max_def);
                    self.rep.push(i16::from(i > 0));
                    out.push(item);
                    n += item.len() + 16;
                }
                n
            }
        }
    }

    fn clear(&mut self) {
        match &mut self.values {
            Values::I64(v) => v.clear(),
            Values::I32(v) => v.clear(),
            Values::Bool(v) => v.clear(),
            // Emptied by `Texts::take`, its room kept.
            Values::Bytes(v) => v.ends.clear(),
        }
        self.def.clear();
        self.rep.clear();
    }
}

/// The writer's error as an I/O error: the output's own failure as it was (a full disk reads
/// "No space left on device", not "External: ..."), anything else wrapped.
pub fn io_error(e: ParquetError) -> std::io::Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => *io,
            Err(other) => std::io::Error::other(other),
        },
        other => std::io::Error::other(other),
    }
}

/// A Parquet file being written.
pub struct ParquetWriter<W: Write + Send> {
    writer: SerializedFileWriter<W>,
    buffers: Vec<Buffer>,
    rows: usize,
    bytes: usize,
}

impl<W: Write + Send> ParquetWriter<W> {
    /// Starts a file on `out`.
    pub fn new(out: W) -> Result<Self, ParquetError> {
        let schema = Arc::new(parse_message_type(&schema())?);
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(concat!("trendtap ", env!("CARGO_PKG_VERSION")).to_owned());
        for c in COLUMNS.iter().filter(|c| !statistics(c)) {
            let path = match c.kind {
                Kind::List => {
                    ColumnPath::from(vec![c.name.into(), "list".into(), "element".into()])
                }
                _ => ColumnPath::from(c.name),
            };
            properties = properties.set_column_statistics_enabled(path, EnabledStatistics::None);
        }
        let properties = properties.build();
        Ok(ParquetWriter {
            writer: SerializedFileWriter::new(out, schema, Arc::new(properties))?,
            buffers: COLUMNS.iter().map(Buffer::new).collect(),
            rows: 0,
            bytes: 0,
        })
    }

    /// Adds a record (its [`super::record::values`]).
    pub fn write(&mut self, values: &[Value<'_>]) -> Result<(), ParquetError> {
        for (buffer, value) in self.buffers.iter_mut().zip(values) {
            self.bytes += buffer.push(value);
        }
        self.rows += 1;
        if self.rows >= ROW_GROUP_ROWS || self.bytes >= ROW_GROUP_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), ParquetError> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group()?;
        for buffer in &mut self.buffers {
            let mut column = group
                .next_column()?
                .ok_or_else(|| ParquetError::General("fewer columns than the schema".into()))?;
            let def = (buffer.max_def > 0).then_some(&buffer.def[..]);
            let rep = buffer.list.then_some(&buffer.rep[..]);
            match &mut buffer.values {
                Values::I64(v) => column.typed::<Int64Type>().write_batch(v, def, rep)?,
                Values::I32(v) => column.typed::<Int32Type>().write_batch(v, def, rep)?,
                Values::Bool(v) => column.typed::<BoolType>().write_batch(v, def, rep)?,
                Values::Bytes(v) => {
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&v.take(), def, rep)?
                }
            };
            column.close()?;
            buffer.clear();
        }
        group.close()?;
        self.rows = 0;
        self.bytes = 0;
        crate::alloc::release();
        Ok(())
    }

    /// Writes the last row group and the footer; returns the output.
    pub fn finish(mut self) -> Result<W, ParquetError> {
        self.flush()?;
        self.writer.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::categories::Titles;
    use crate::export::record::tests::{observation, Parts};
    use crate::export::record::values;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn a_file_reads_back_with_its_types_and_nulls() {
        let titles = Titles::new([]);
        let mut o = observation();
        let mut writer = ParquetWriter::new(Vec::new()).unwrap();
        writer.write(&values(Parts::of(&o).row(), &titles)).unwrap();
        o.video.tags.clear();
        o.video.blocked_regions = Some(vec!["CN".into(), "KP".into()]);
        o.video.allowed_regions = None;
        o.video.view_count = None;
        writer.write(&values(Parts::of(&o).row(), &titles)).unwrap();
        let bytes = bytes::Bytes::from(writer.finish().unwrap());

        let reader = SerializedFileReader::new(bytes).unwrap();
        let schema = reader.metadata().file_metadata().schema_descr();
        let names: Vec<&str> = schema
            .root_schema()
            .get_fields()
            .iter()
            .map(|f| f.name())
            .collect();
        let expected: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names, expected);
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        let field = |row: usize, name: &str| {
            rows[row]
                .get_column_iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| f.clone())
                .unwrap()
        };
        assert_eq!(field(0, "view_count"), Field::Long(17_158_579));
        assert_eq!(field(1, "view_count"), Field::Null);
        assert_eq!(field(0, "like_count"), Field::Null);
        assert_eq!(field(0, "rank"), Field::Int(3));
        assert_eq!(field(0, "caption"), Field::Bool(true));
        assert_eq!(
            field(0, "fetched_at"),
            Field::TimestampMicros(o.fetched_at.timestamp_micros())
        );
        assert_eq!(field(0, "category_title"), Field::Str("Music".into()));
        let list = |f: Field| match f {
            Field::ListInternal(l) => l
                .elements()
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>(),
            Field::Null => vec!["null".into()],
            other => panic!("not a list: {other:?}"),
        };
        assert_eq!(list(field(0, "tags")), ["\"Eminem\"", "\"Walk\""]);
        assert!(list(field(1, "tags")).is_empty());
        assert!(list(field(0, "allowed_regions")).is_empty());
        assert_eq!(list(field(1, "allowed_regions")), ["null"]);
        assert_eq!(list(field(1, "blocked_regions")), ["\"CN\"", "\"KP\""]);
    }
}
