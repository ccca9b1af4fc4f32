//! `cors check`: validate config files and report every finding like a compiler.

use std::fmt::Write as _;
use std::path::Path;

use cors_core::{Config, Format, LoadError, Policy};
use serde::Serialize;

use crate::locate::{Location, SourceIndex};
use crate::style::Style;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The config is refused.
    Error,
    /// Accepted, but probably not what was meant.
    Warning,
}

/// One finding in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable code (`E...`, `W...`, `L...`).
    pub code: &'static str,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The field, for validation findings.
    pub field: Option<&'static str>,
    /// The index in the field's list.
    pub index: Option<usize>,
    /// `field[index]`.
    pub path: Option<String>,
    /// The offending value as written.
    pub value: Option<String>,
    /// What is wrong and the fix.
    pub message: String,
    /// Characters to underline at the location.
    #[serde(skip)]
    pub len: usize,
}

/// The findings for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as given on the command line.
    pub file: String,
    /// Whether the config is valid (warnings allowed).
    pub valid: bool,
    /// How many errors.
    pub errors: usize,
    /// How many warnings.
    pub warnings: usize,
    /// Every finding, in source order per kind.
    pub diagnostics: Vec<Diagnostic>,
    /// The source text, for showing lines.
    #[serde(skip)]
    pub source: Option<String>,
}

impl Diagnostic {
    fn located(
        severity: Severity,
        code: &'static str,
        message: String,
        at: Option<Location>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            line: at.map(|l| l.line),
            column: at.map(|l| l.column),
            field: None,
            index: None,
            path: None,
            value: None,
            message,
            len: at.map_or(1, |l| l.len),
        }
    }
}

/// Checks one file.
pub fn check_file(file: &str) -> FileReport {
    let path = Path::new(file);
    let mut report = FileReport {
        file: file.to_owned(),
        valid: false,
        errors: 0,
        warnings: 0,
        diagnostics: Vec::new(),
        source: None,
    };
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension);
    let Some(format) = format else {
        let e = LoadError::UnknownFormat {
            path: path.to_path_buf(),
        };
        report.push(Diagnostic::located(
            Severity::Error,
            e.code(),
            "unknown config format; name the file *.toml, *.json, *.yaml or *.yml".to_owned(),
            None,
        ));
        return report;
    };
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                report.push(Diagnostic::located(
                    Severity::Error,
                    "L001",
                    "cannot read the config: it is not UTF-8 text".to_owned(),
                    None,
                ));
                return report;
            }
        },
        Err(e) => {
            report.push(Diagnostic::located(
                Severity::Error,
                "L001",
                format!("cannot read the config: {e}"),
                None,
            ));
            return report;
        }
    };
    check_text(&mut report, &text, format);
    report.source = Some(text);
    report
}

fn check_text(report: &mut FileReport, text: &str, format: Format) {
    let config = match Config::from_str_format(text, format) {
        Ok(c) => c,
        Err(e) => {
            let (code, message, at) = match &e {
                LoadError::Syntax {
                    format,
                    line,
                    column,
                    message,
                    ..
                } => {
                    let at = line.map(|line| Location {
                        line,
                        column: column.unwrap_or(1),
                        len: 1,
                    });
                    (e.code(), format!("invalid {format} config: {message}"), at)
                }
                other => (other.code(), other.to_string(), None),
            };
            report.push(Diagnostic::located(Severity::Error, code, message, at));
            return;
        }
    };
    // One index for every finding of this file: linear in the file's size.
    let index = SourceIndex::new(text, format);
    match Policy::compile(&config) {
        Ok(compiled) => {
            for w in &compiled.warnings {
                let at = w.locate_in(&index);
                let mut d =
                    Diagnostic::located(Severity::Warning, w.code(), w.message().to_string(), at);
                d.field = Some(w.field().as_str());
                d.index = w.index();
                d.path = Some(w.path().to_string());
                d.value = w.value().map(str::to_owned);
                report.push(d);
            }
        }
        Err(errors) => {
            for e in &errors {
                let at = e.locate_in(&index);
                let mut d =
                    Diagnostic::located(Severity::Error, e.code(), e.message().to_string(), at);
                d.field = Some(e.field().as_str());
                d.index = e.index();
                d.path = Some(e.path().to_string());
                d.value = e.value().map(str::to_owned);
                report.push(d);
            }
        }
    }
    report.valid = report.errors == 0;
}

impl FileReport {
    fn push(&mut self, d: Diagnostic) {
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        self.diagnostics.push(d);
    }

    /// The human-readable report: one `FILE:LINE:COL: error[CODE]: ...` line per finding
    /// (at most `limit`; 0 shows all), an excerpt of the source line with a marker, and a
    /// summary line. Long lines and values are shortened, so the report stays small
    /// whatever the file.
    pub fn render(&self, style: Style, limit: usize) -> String {
        let mut out = String::new();
        let index = self.source.as_deref().map(|src| {
            let format = Path::new(&self.file)
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension)
                .unwrap_or(Format::Yaml);
            SourceIndex::new(src, format)
        });
        let shown = if limit == 0 {
            self.diagnostics.len()
        } else {
            limit.min(self.diagnostics.len())
        };
        for d in self.diagnostics.iter().take(shown) {
            let mut loc = self.file.clone();
            if let Some(line) = d.line {
                let _ = write!(loc, ":{line}");
                if let Some(col) = d.column {
                    let _ = write!(loc, ":{col}");
                }
            }
            let label = match d.severity {
                Severity::Error => style.red(&format!("error[{}]", d.code)),
                Severity::Warning => style.yellow(&format!("warning[{}]", d.code)),
            };
            let numeric = matches!(d.field, Some("max_age" | "preflight_status"));
            let subject = match (&d.path, &d.value) {
                (Some(p), Some(v)) if numeric => format!("{p} = {v}: "),
                (Some(p), Some(v)) => format!("{p} = {}: ", cors_core::quoted(v)),
                (Some(p), None) => format!("{p}: "),
                _ => String::new(),
            };
            let _ = writeln!(out, "{}: {label}: {subject}{}", style.bold(&loc), d.message);
            if let (Some(line), Some(index)) = (d.line, &index)
                && let Some(text) = index.line_text(line)
            {
                let num = line.to_string();
                let pad = " ".repeat(num.len());
                let col = d.column.unwrap_or(1).max(1);
                let (text, col, len) = excerpt(text, index.line_is_ascii(line), col, d.len.max(1));
                // Tabs keep their width so the marker lines up.
                let lead: String = text
                    .chars()
                    .take(col - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{pad} {}", style.blue("|"));
                let _ = writeln!(out, "{} {text}", style.blue(&format!("{num} |")));
                let _ = writeln!(
                    out,
                    "{pad} {} {lead}{}",
                    style.blue("|"),
                    style.blue(&"^".repeat(len))
                );
            }
        }
        let hidden = self.diagnostics.len() - shown;
        if hidden > 0 {
            let _ = writeln!(
                out,
                "{}: {hidden} more finding{} not shown (--max-diagnostics 0 shows all; \
                 --format json lists every one)",
                style.bold(&self.file),
                if hidden == 1 { "" } else { "s" }
            );
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let summary = match (self.errors, self.warnings) {
            (0, 0) => style.green("valid"),
            (0, w) => format!("{} ({})", style.green("valid"), plural(w, "warning")),
            (e, 0) => format!("{} ({})", style.red("invalid"), plural(e, "error")),
            (e, w) => format!(
                "{} ({}, {})",
                style.red("invalid"),
                plural(e, "error"),
                plural(w, "warning")
            ),
        };
        let _ = writeln!(out, "{}: {summary}", style.bold(&self.file));
        out
    }
}

/// The characters of a source line shown around a finding.
const EXCERPT: usize = 100;

/// A window of at most [`EXCERPT`] characters of `line` around 1-based column `col`, with
/// `…` where it was cut; the column and marker length within the window. On an ASCII line
/// the window is cut by byte offsets, so showing many findings of one long line stays
/// linear.
fn excerpt(line: &str, ascii: bool, col: usize, len: usize) -> (String, usize, usize) {
    let chars = if ascii {
        line.len()
    } else {
        line.chars().count()
    };
    if chars <= EXCERPT {
        return (line.to_owned(), col, len);
    }
    let len = len.min(EXCERPT / 2);
    let start = col
        .saturating_sub(1)
        .saturating_sub(EXCERPT / 4)
        .min(chars - EXCERPT);
    let window = if ascii {
        line.get(start..start + EXCERPT)
            .unwrap_or_default()
            .to_owned()
    } else {
        line.chars().skip(start).take(EXCERPT).collect()
    };
    let mut text = String::with_capacity(window.len() + 6);
    let mut col = col - start;
    if start > 0 {
        text.push('…');
        col += 1;
    }
    text.push_str(&window);
    if start + EXCERPT < chars {
        text.push('…');
    }
    (text, col, len)
}

/// The JSON document `--format json` prints.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Every file's report.
    pub files: &'a [FileReport],
    /// Errors in all files.
    pub errors: usize,
    /// Warnings in all files.
    pub warnings: usize,
}
