//! SARIF 2.1.0: one run with the rules that were reported (id, name, descriptions, help
//! and default level), and results with their regions, related locations and fixes.
//! Columns are counted in UTF-16 code units, SARIF's default `columnKind`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use ballast_analyzer::rules::{self, RuleMeta};
use ballast_analyzer::{Diagnostic, Severity};
use ballast_parser::Span;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use serde_json::{Value, json};

use super::{FileReport, Position};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules_json = Vec::new();
    for report in reports {
        for diagnostic in &report.diagnostics {
            rule_index.entry(&diagnostic.code).or_insert_with(|| {
                rules_json.push(rule(diagnostic));
                rules_json.len() - 1
            });
        }
    }

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": "ballast",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules_json,
                }
            }),
            column_kind: "utf16CodeUnits",
            default_source_language: "dockerfile",
            results: Results {
                reports,
                rule_index: &rule_index,
            },
        }],
    };
    serde_json::to_writer(&mut *out, &log)?;
    writeln!(out)
}

/// The SARIF log: one run of ballast.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    column_kind: &'static str,
    default_source_language: &'static str,
    results: Results<'a>,
}

/// The results of every finding, each built and written in turn, so that memory does not
/// grow with the number of findings.
struct Results<'a> {
    reports: &'a [FileReport],
    rule_index: &'a BTreeMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut results = serializer.serialize_seq(None)?;
        for report in self.reports {
            for diagnostic in &report.diagnostics {
                let index = self.rule_index[&*diagnostic.code];
                results.serialize_element(&result(report, diagnostic, index))?;
            }
        }
        results.end()
    }
}

/// Returns the `reportingDescriptor` of the rule that reported `diagnostic`.
fn rule(diagnostic: &Diagnostic) -> Value {
    let meta: Option<&RuleMeta> = rules::find(&diagnostic.code).map(|rule| rule.meta());
    let Some(meta) = meta else {
        return json!({ "id": diagnostic.code, "name": diagnostic.name });
    };
    let documentation = meta.documentation();
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": { "text": meta.summary() },
        "fullDescription": { "text": meta.summary() },
        "help": { "text": documentation, "markdown": documentation },
        "defaultConfiguration": { "level": level(meta.severity) },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

fn result(report: &FileReport, diagnostic: &Diagnostic, rule_index: usize) -> Value {
    let uri = uri(&report.path);
    let mut result = json!({
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": level(diagnostic.severity),
        "message": { "text": diagnostic.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": region(report, diagnostic.span),
            }
        }],
    });

    if !diagnostic.labels.is_empty() {
        let related: Vec<Value> = diagnostic
            .labels
            .iter()
            .enumerate()
            .map(|(id, label)| {
                json!({
                    "id": id,
                    "message": { "text": label.message },
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region_aside(report, label.span),
                    }
                })
            })
            .collect();
        result["relatedLocations"] = Value::Array(related);
    }

    if let Some(fix) = &diagnostic.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region_aside(report, edit.span),
                    "insertedContent": { "text": edit.replacement },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.title },
            "artifactChanges": [{ "artifactLocation": { "uri": uri }, "replacements": replacements }],
        }]);
    }
    result
}

/// Returns a region with 1-based lines and columns. `endColumn` is the column after the
/// last character, so an empty region marks an insertion point.
fn region(report: &FileReport, span: Span) -> Value {
    let start = report.position_utf16(span.start);
    let end = report.position_utf16(span.end);
    region_json(start, end)
}

/// Returns the region of a span that is not a finding's own: a related location or a fix.
fn region_aside(report: &FileReport, span: Span) -> Value {
    let range = report.range_aside(span);
    region_json(range.start_utf16, range.end_utf16)
}

fn region_json(start: Position, end: Position) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// Percent-encodes the characters that cannot appear in a relative URI reference.
fn uri(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(byte as char)
            }
            b'\\' => encoded.push('/'),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}
