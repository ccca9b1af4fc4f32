//! Finding `field[index]` in a config's source text, for `FILE:LINE:COL` diagnostics.
//!
//! TOML uses the `toml` crate's spans; JSON a small span scanner; YAML a line scanner for
//! the block and flow forms configs use. When an index cannot be found, the field's key is
//! the location; when the field is absent (a default value), there is none.

use crate::Format;

/// A location in the source: 1-based line and column (in characters), and how many
/// characters to underline on that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Characters to underline (at least 1).
    pub len: usize,
}

/// A byte range in the source.
type Span = std::ops::Range<usize>;

/// Where each field and list item of one file is, computed once per file: locating every
/// diagnostic of a large config then costs one lookup each, not a parse each.
pub struct SourceIndex<'t> {
    text: &'t str,
    /// Byte offset of each line's start.
    line_starts: Vec<usize>,
    /// Whether each line is ASCII (its columns are then byte distances).
    ascii: Vec<bool>,
    /// Per top-level field found: the key, the value, and list items (TOML and JSON are
    /// indexed at once; YAML fields when first asked for).
    fields: std::cell::RefCell<std::collections::HashMap<String, Option<FieldSpans>>>,
    /// TOML and JSON: every field, parsed once.
    parsed: Option<std::collections::HashMap<String, FieldSpans>>,
}

/// The spans of one top-level field.
#[derive(Debug)]
struct FieldSpans {
    key: Span,
    value: Span,
    /// The list's items, when the value is a list.
    items: Option<Vec<Span>>,
}

impl<'t> SourceIndex<'t> {
    /// Indexes `text` (one pass for lines, one parse for TOML and JSON).
    pub fn new(text: &'t str, format: Format) -> SourceIndex<'t> {
        let mut line_starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            } else if !b.is_ascii() {
                line_ascii = false;
            }
        }
        ascii.push(line_ascii);
        let parsed = match format {
            Format::Toml => Some(toml_fields(text)),
            Format::Json => Some(json_fields(text)),
            Format::Yaml => None,
        };
        SourceIndex {
            text,
            line_starts,
            ascii,
            fields: Default::default(),
            parsed,
        }
    }

    /// Locates `field` (its `index`-th element when given).
    pub fn locate(&self, field: &str, index: Option<usize>) -> Option<Location> {
        let pick = |spans: &FieldSpans| match index {
            None => spans.value.clone(),
            Some(i) => spans
                .items
                .as_ref()
                .and_then(|items| items.get(i).cloned())
                .unwrap_or_else(|| spans.key.clone()),
        };
        let span = match &self.parsed {
            Some(fields) => fields.get(field).map(pick),
            None => self
                .fields
                .borrow_mut()
                .entry(field.to_owned())
                .or_insert_with(|| yaml_field(self.text, field))
                .as_ref()
                .map(pick),
        }?;
        Some(self.location(span))
    }

    /// The location of a byte span: line, column (characters), and characters to underline.
    pub fn location(&self, span: Span) -> Location {
        let text = self.text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_index = self
            .line_starts
            .partition_point(|&s| s <= start)
            .saturating_sub(1);
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = if self.ascii.get(line_index).copied().unwrap_or(false) {
            start - line_start + 1
        } else {
            text.get(line_start..start).map_or(0, |s| s.chars().count()) + 1
        };
        let line_end = self
            .line_starts
            .get(line_index + 1)
            .map_or(text.len(), |next| next - 1);
        let line_rest = text.get(start..line_end.max(start)).unwrap_or_default();
        let end = span.end.saturating_sub(start).min(line_rest.len());
        let len = line_rest
            .get(..floor_char_boundary(line_rest, end))
            .map_or(1, |s| s.trim_end_matches('\r').chars().count())
            .max(1);
        Location {
            line: line_index + 1,
            column,
            len,
        }
    }

    /// Whether a 1-based line is ASCII (columns are then byte offsets).
    pub fn line_is_ascii(&self, line: usize) -> bool {
        line.checked_sub(1)
            .and_then(|i| self.ascii.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> Option<&'t str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        self.text
            .get(start..end.max(start))
            .map(|l| l.trim_end_matches('\r'))
    }
}

/// Locates `field` (its `index`-th element when given) in `text`.
pub fn locate(text: &str, format: Format, field: &str, index: Option<usize>) -> Option<Location> {
    SourceIndex::new(text, format).locate(field, index)
}

/// The location of a byte offset (for syntax errors that carry only line and column).
pub fn location(text: &str, span: Span) -> Location {
    SourceIndex::new(text, Format::Yaml).location(span)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text of a 1-based line, without its line break.
pub fn line_text(text: &str, line: usize) -> Option<&str> {
    text.split('\n')
        .nth(line.checked_sub(1)?)
        .map(|l| l.trim_end_matches('\r'))
}

// ------------------------------------------------------------------------------------
// TOML
// ------------------------------------------------------------------------------------

#[cfg(not(feature = "toml"))]
fn toml_fields(_: &str) -> std::collections::HashMap<String, FieldSpans> {
    Default::default()
}

#[cfg(feature = "toml")]
fn toml_fields(text: &str) -> std::collections::HashMap<String, FieldSpans> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else {
        return Default::default();
    };
    doc.get_ref()
        .iter()
        .map(|(k, v)| {
            let items = match v.get_ref() {
                DeValue::Array(items) => Some(items.iter().map(|i| i.span()).collect()),
                _ => None,
            };
            let spans = FieldSpans {
                key: k.span(),
                value: v.span(),
                items: Some(items.unwrap_or_default()),
            };
            (k.get_ref().to_string(), spans)
        })
        .collect()
}

// ------------------------------------------------------------------------------------
// JSON
// ------------------------------------------------------------------------------------

/// A JSON value's span and, for containers, its children.
struct JValue {
    span: Span,
    node: JNode,
}

enum JNode {
    Object(Vec<(String, Span, JValue)>),
    Array(Vec<JValue>),
    Scalar,
}

/// Deep enough for any config; deeper input gives up instead of recursing further.
const MAX_DEPTH: usize = 64;

fn json_fields(text: &str) -> std::collections::HashMap<String, FieldSpans> {
    let mut p = JsonScanner {
        s: text.as_bytes(),
        pos: 0,
    };
    let Some(JValue {
        node: JNode::Object(members),
        ..
    }) = p.value(0)
    else {
        return Default::default();
    };
    let mut out = std::collections::HashMap::new();
    for (name, key, value) in members {
        let items = match value.node {
            JNode::Array(items) => items.into_iter().map(|v| v.span).collect(),
            _ => Vec::new(),
        };
        // The first occurrence of a key, as the old lookup found it.
        out.entry(name).or_insert(FieldSpans {
            key,
            value: value.span,
            items: Some(items),
        });
    }
    out
}

struct JsonScanner<'a> {
    s: &'a [u8],
    pos: usize,
}

impl JsonScanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<JValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let start = self.pos;
        let node = match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.ws();
                        let key_start = self.pos;
                        let key = self.string()?;
                        let key_span = key_start..self.pos;
                        self.ws();
                        if self.peek()? != b':' {
                            return None;
                        }
                        self.pos += 1;
                        let v = self.value(depth + 1)?;
                        members.push((key, key_span, v));
                        self.ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                JNode::Object(members)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                JNode::Array(items)
            }
            b'"' => {
                self.string()?;
                JNode::Scalar
            }
            _ => {
                // Numbers, true, false, null: up to the next delimiter.
                while self.peek().is_some_and(|b| {
                    !matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
                JNode::Scalar
            }
        };
        Some(JValue {
            span: start..self.pos,
            node,
        })
    }

    /// A string token; returns its decoded text (simple escapes only: keys are ASCII).
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'u' => {
                            let hex = self.s.get(self.pos..self.pos + 4)?;
                            self.pos += 4;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            out.extend_from_slice(c.to_string().as_bytes());
                        }
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        Some(String::from_utf8_lossy(&out).into_owned())
    }
}

// ------------------------------------------------------------------------------------
// YAML
// ------------------------------------------------------------------------------------

/// The forms configs use: `key: value`, `key: [a, b]` (possibly over several lines), and
/// a block sequence of `- item` lines under the key. Every item is found in one scan.
fn yaml_field(text: &str, field: &str) -> Option<FieldSpans> {
    let lines = line_spans(text);
    let (key_line, key_span, after) = lines.iter().enumerate().find_map(|(n, (start, line))| {
        yaml_key(line, field)
            .map(|(k, after)| (n, start + k..start + k + field.len(), start + after))
    })?;
    let rest_of_line = text.get(after..lines.get(key_line).map_or(after, |(s, l)| s + l.len()))?;
    let value_offset = after + (rest_of_line.len() - rest_of_line.trim_start().len());
    let inline = strip_yaml_comment(rest_of_line).trim();
    let value = if inline.is_empty() {
        key_span.clone()
    } else {
        value_offset..value_offset + inline.len()
    };
    let items = if inline.starts_with('[') {
        // An empty slot (`[a, , b]`) has no span of its own: the key stands for it.
        flow_items(text, value_offset)
            .into_iter()
            .map(|s| s.unwrap_or_else(|| key_span.clone()))
            .collect()
    } else if !inline.is_empty() {
        Vec::new()
    } else {
        block_items(&lines, key_line)
    };
    Some(FieldSpans {
        key: key_span,
        value,
        items: Some(items),
    })
}

/// The `- item` lines after the key's line, at one indentation.
fn block_items(lines: &[(usize, &str)], key_line: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut item_indent = None;
    for (start, line) in lines.iter().skip(key_line + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ");
        if !is_item {
            break;
        }
        match item_indent {
            None => item_indent = Some(indent),
            Some(n) if n != indent => break,
            Some(_) => {}
        }
        let item = strip_yaml_comment(trimmed.get(1..).unwrap_or_default());
        let value = item.trim();
        let lead = item.len() - item.trim_start().len();
        let dash = start + indent;
        if value.is_empty() {
            // An empty item: the dash stands for it.
            out.push(dash..dash + 1);
            continue;
        }
        let s = dash + 1 + lead;
        out.push(s..s + value.len());
    }
    out
}

/// Each line's byte offset and text (without `\n`).
fn line_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        out.push((start, line.trim_end_matches('\r')));
        start += line.len() + 1;
    }
    out
}

/// If `line` is the top-level key `field:` (plain or quoted), the key's offset and the
/// offset just after the colon.
fn yaml_key(line: &str, field: &str) -> Option<(usize, usize)> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    for quote in ["", "\"", "'"] {
        let Some(rest) = line.strip_prefix(quote) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(field) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(quote) else {
            continue;
        };
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = trimmed.strip_prefix(':')
            && (after.is_empty() || after.starts_with([' ', '\t']))
        {
            return Some((quote.len(), line.len() - after.len()));
        }
    }
    None
}

/// Drops a ` # comment` outside quotes.
fn strip_yaml_comment(s: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if prev == ' ' || prev == '\t' => return s.get(..i).unwrap_or(s),
            _ => {}
        }
        prev = c;
    }
    s
}

/// The items of the flow sequence starting at `open` (a `[`), in order; `None` for an
/// empty slot. Stops at the end of the text when the sequence is not closed.
fn flow_items(text: &str, open: usize) -> Vec<Option<Span>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = open + 1;
    loop {
        while matches!(bytes.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            pos += 1;
        }
        let start = pos;
        let mut quote = None;
        loop {
            let Some(&b) = bytes.get(pos) else {
                return out;
            };
            match (quote, b) {
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(b'"'), b'\\') => pos += 1,
                (Some(q), b) if b == q => quote = None,
                (None, b',' | b']') => break,
                _ => {}
            }
            pos += 1;
        }
        let end = start + text.get(start..pos).map_or(0, |t| t.trim_end().len());
        out.push((end > start).then_some(start..end));
        if bytes.get(pos) == Some(&b']') {
            return out;
        }
        pos += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, format: Format, field: &str, index: Option<usize>) -> Option<(usize, usize)> {
        locate(text, format, field, index).map(|l| (l.line, l.column))
    }

    #[test]
    fn toml_items_and_keys() {
        let t =
            "# c\nallow_origins = [\n  \"https://a.com\",\n  \"https://b.com/\",\n]\nmax_age = 1\n";
        assert_eq!(at(t, Format::Toml, "allow_origins", Some(1)), Some((4, 3)));
        assert_eq!(at(t, Format::Toml, "allow_origins", Some(9)), Some((2, 1)));
        assert_eq!(at(t, Format::Toml, "max_age", None), Some((6, 11)));
        assert_eq!(at(t, Format::Toml, "allow_headers", None), None);
        let l = locate(t, Format::Toml, "allow_origins", Some(1)).unwrap();
        assert_eq!(l.len, "\"https://b.com/\"".len());
    }

    #[test]
    fn json_items() {
        let t =
            "{\n  \"allow_origins\": [\"https://a.com\", \"https://b.com/\"],\n  \"max_age\": 5\n}";
        assert_eq!(at(t, Format::Json, "allow_origins", Some(1)), Some((2, 38)));
        assert_eq!(at(t, Format::Json, "max_age", None), Some((3, 14)));
        assert_eq!(at(t, Format::Json, "allow_origins", Some(5)), Some((2, 3)));
        assert_eq!(at("[1, 2]", Format::Json, "x", None), None);
        assert_eq!(at("{\"a\": [", Format::Json, "a", None), None);
        let deep = "[".repeat(10_000);
        assert_eq!(at(&deep, Format::Json, "a", None), None);
    }

    /// Every top-level field of a JSON text: its name, and the texts of its key, value and
    /// items.
    fn json_texts(t: &str) -> Vec<(String, String, String, Vec<String>)> {
        let mut out: Vec<_> = json_fields(t)
            .into_iter()
            .map(|(name, f)| {
                let items = f.items.unwrap_or_default();
                (
                    name,
                    t[f.key].to_owned(),
                    t[f.value].to_owned(),
                    items.into_iter().map(|s| t[s].to_owned()).collect(),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn json_scanner_spans() {
        let t = "{\t\"b\" :\r\n[ 1 ,true,null , \"x\\\"]\" ,{\"k\": [2]}, [] ] , \"a\": -1.5e3,\n\"c\":{},\"d\":\"\"}";
        assert_eq!(
            json_texts(t),
            vec![
                ("a".into(), "\"a\"".into(), "-1.5e3".into(), vec![]),
                (
                    "b".into(),
                    "\"b\"".into(),
                    "[ 1 ,true,null , \"x\\\"]\" ,{\"k\": [2]}, [] ]".into(),
                    vec![
                        "1".into(),
                        "true".into(),
                        "null".into(),
                        "\"x\\\"]\"".into(),
                        "{\"k\": [2]}".into(),
                        "[]".into()
                    ]
                ),
                ("c".into(), "\"c\"".into(), "{}".into(), vec![]),
                ("d".into(), "\"d\"".into(), "\"\"".into(), vec![]),
            ]
        );
        // The first of two equal keys is the one located.
        assert_eq!(
            json_texts("{\"a\": 1, \"a\": 22}"),
            vec![("a".into(), "\"a\"".into(), "1".into(), vec![])]
        );
        assert_eq!(json_texts("{}"), vec![]);
    }

    #[test]
    fn json_scanner_decodes_key_escapes() {
        let t = r#"{"a\nb\tc\rd\be\ff\"g\\h\/i\u0041\u00e9\ud800": 1}"#;
        let names: Vec<String> = json_fields(t).into_keys().collect();
        assert_eq!(names, ["a\nb\tc\rd\u{8}e\u{c}f\"g\\h/iAé\u{fffd}"]);
        // Bad `\u` escapes and unterminated keys end the scan with nothing found.
        for bad in [r#"{"\u00g1": 1}"#, r#"{"\u00"#, "{\"a", "{\"a\\"] {
            assert!(json_fields(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn json_scanner_refuses_what_is_no_json() {
        for bad in [
            "",
            "{\"a\" 1}",
            "{\"a\": 1 \"b\": 2}",
            "{\"a\": [1 2]}",
            "{\"a\": }",
            "{\"a\": ,}",
            "{a: 1}",
            "{\"a\": [1,",
            "{\"a\": 1",
            "{\"a\": 1,",
            "{\"a\":",
            "[{\"a\": 1}]",
            "\"a\"",
        ] {
            assert!(json_fields(bad).is_empty(), "{bad:?}");
        }
        // Nesting: up to 64 levels below the top object are read, deeper is refused.
        let nested = |n: usize| format!("{{\"a\": {}{}}}", "[".repeat(n), "]".repeat(n));
        assert_eq!(json_fields(&nested(64)).len(), 1);
        assert!(json_fields(&nested(65)).is_empty());
    }

    #[test]
    fn yaml_block_and_flow() {
        let t = "allow_origins:\n  - https://a.com   # ok\n  - \"https://b.com/\"\nallow_methods: [GET, 'TRACE']\nmax_age: 5\n";
        assert_eq!(at(t, Format::Yaml, "allow_origins", Some(1)), Some((3, 5)));
        assert_eq!(at(t, Format::Yaml, "allow_methods", Some(1)), Some((4, 22)));
        assert_eq!(at(t, Format::Yaml, "max_age", None), Some((5, 10)));
        assert_eq!(at(t, Format::Yaml, "allow_origins", Some(7)), Some((1, 1)));
        let l = locate(t, Format::Yaml, "allow_origins", Some(0)).unwrap();
        assert_eq!(l.len, "https://a.com".len());
        let same_indent = "allow_origins:\n- a\n- b\n";
        assert_eq!(
            at(same_indent, Format::Yaml, "allow_origins", Some(1)),
            Some((3, 3))
        );
    }

    /// The texts of a YAML field's key, value and items.
    fn yaml_texts(t: &str, field: &str) -> Option<(String, String, Vec<String>)> {
        let f = yaml_field(t, field)?;
        Some((
            t[f.key].to_owned(),
            t[f.value].to_owned(),
            f.items
                .unwrap_or_default()
                .into_iter()
                .map(|s| t[s].to_owned())
                .collect(),
        ))
    }

    #[test]
    fn yaml_keys() {
        let value = |t: &str| yaml_texts(t, "max_age").map(|(k, v, _)| (k, v));
        let kv = |k: &str, v: &str| Some((k.to_owned(), v.to_owned()));
        assert_eq!(value("max_age: 5"), kv("max_age", "5"));
        assert_eq!(value("\"max_age\": 5"), kv("max_age", "5"));
        assert_eq!(value("'max_age' :\t5 # s"), kv("max_age", "5"));
        assert_eq!(value("max_age:\n  5"), kv("max_age", "max_age"));
        assert_eq!(value("x: 1\r\nmax_age: 5\r\n"), kv("max_age", "5"));
        for not_it in [
            "  max_age: 5",
            "\tmax_age: 5",
            "max_age_x: 5",
            "max_age:5",
            "\"max_age': 5",
            "max_ag: 5",
            "x: max_age: 5",
        ] {
            assert_eq!(value(not_it), None, "{not_it:?}");
        }
    }

    #[test]
    fn yaml_comments() {
        assert_eq!(strip_yaml_comment("a # b"), "a ");
        assert_eq!(strip_yaml_comment("a\t# b"), "a\t");
        assert_eq!(strip_yaml_comment("# b"), "");
        assert_eq!(strip_yaml_comment("a#b"), "a#b");
        assert_eq!(strip_yaml_comment("\"a # b\" # c"), "\"a # b\" ");
        assert_eq!(strip_yaml_comment("'a # \"b' # c"), "'a # \"b' ");
        assert_eq!(strip_yaml_comment("\"a 'b\" # c"), "\"a 'b\" ");
    }

    /// The item texts of the field `l`.
    fn items(t: &str) -> Option<Vec<String>> {
        yaml_texts(t, "l").map(|(_, _, items)| items)
    }

    fn v(texts: &[&str]) -> Option<Vec<String>> {
        Some(texts.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn yaml_block_items() {
        assert_eq!(
            items("l:\n  - a\n\n  # c\n  -   b  # d\n  -\n  - 'c d'\nm: 1\n  - e"),
            v(&["a", "b", "-", "'c d'"])
        );
        // A deeper or shallower item, or any other line, ends the list.
        assert_eq!(items("l:\n  - a\n    - b\n  - c"), v(&["a"]));
        assert_eq!(items("l:\n  - a\n - b"), v(&["a"]));
        assert_eq!(items("l:\n  - a\n  -b\n  - c"), v(&["a"]));
        assert_eq!(items("l:\n  - a\n  x: 1\n  - c"), v(&["a"]));
        assert_eq!(items("l:\n- a\n-\tb"), v(&["a"]));
        assert_eq!(items("l: [a]\n  - b"), v(&["a"]));
        assert_eq!(items("l: a\n  - b"), v(&[]));
    }

    #[test]
    fn yaml_flow_items() {
        assert_eq!(
            items("l: [ a ,\"b, ]\\\"c\",\n  'd ]'\t,\r\n e]"),
            v(&["a", "\"b, ]\\\"c\"", "'d ]'", "e"])
        );
        // An empty slot is found at the key; an unclosed list keeps what it found.
        assert_eq!(items("l: [a, , b]"), v(&["a", "l", "b"]));
        assert_eq!(items("l: []"), v(&["l"]));
        assert_eq!(items("l: [a, b"), v(&["a"]));
        assert_eq!(items("l: [a, 'b"), v(&["a"]));
        assert_eq!(items("l: ['a\\', b]"), v(&["'a\\'", "b"]));
        let (_, value, _) = yaml_texts("l: [a, b] # c", "l").unwrap_or_default();
        assert_eq!(value, "[a, b]");
    }

    /// Arbitrary text never panics, whatever the format.
    #[test]
    fn odd_input_never_panics() {
        const ALPHABET: &[char] = &[
            '{', '}', '[', ']', '"', '\'', ',', ':', '-', '#', ' ', '\n', '\t', '\\', 'a', 'é',
            '=', '_', 'x',
        ];
        let mut seed = 0x2545_f491_u64;
        for _ in 0..3000 {
            let len = (seed % 40) as usize;
            let mut text = String::from("allow_origins");
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push(ALPHABET[(seed >> 33) as usize % ALPHABET.len()]);
            }
            for format in [Format::Toml, Format::Json, Format::Yaml] {
                for index in [None, Some(0), Some(3)] {
                    let _ = locate(&text, format, "allow_origins", index);
                }
            }
        }
    }

    #[test]
    fn location_is_char_based() {
        let t = "x = \"é\"\ny = 1";
        assert_eq!(
            location(t, 9..10),
            Location {
                line: 2,
                column: 1,
                len: 1
            }
        );
        assert_eq!(location(t, 7..100).len, 1);
        // On a non-ASCII line the column counts characters: `é` is one.
        assert_eq!(
            location(t, 7..8),
            Location {
                line: 1,
                column: 7,
                len: 1
            }
        );
        // A span starting inside `é` starts at the character, and the underline ends on a
        // character boundary too.
        assert_eq!(
            location(t, 6..7),
            Location {
                line: 1,
                column: 6,
                len: 1
            }
        );
        assert_eq!(location(t, 4..6).len, 1);
        assert_eq!(location(t, 4..7).len, 2);
    }

    #[test]
    fn lines_of_an_index() {
        let t = "x = \"é\"\r\ny = 1\n";
        let index = SourceIndex::new(t, Format::Toml);
        assert_eq!(index.line_text(1), Some("x = \"é\""));
        assert_eq!(index.line_text(2), Some("y = 1"));
        assert_eq!(index.line_text(3), Some(""));
        assert_eq!(index.line_text(4), None);
        assert_eq!(index.line_text(0), None);
        let ascii: Vec<bool> = (0..5).map(|l| index.line_is_ascii(l)).collect();
        assert_eq!(ascii, [false, false, true, true, false]);
        assert_eq!(line_text(t, 1), index.line_text(1));
        assert_eq!(line_text(t, 4), None);
    }
}
