//! `ballast rules` and `ballast rule CODE`: the rule documentation, printed from the code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use ballast_analyzer::rules::{self, RuleMeta};
use clap::{Args, ValueEnum};
use serde::Serialize;

#[derive(Args)]
pub struct RulesArgs {
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// One line a rule: code, name, default severity and summary.
    Table,
    /// A JSON array with each rule's full documentation.
    Json,
}

#[derive(Args)]
pub struct RuleArgs {
    /// The rule's code (`DL3020`, `JSONArgsRecommended`) or kebab-case name.
    pub code: String,
}

#[derive(Serialize)]
struct RuleJson {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    summary: String,
    documentation: String,
}

/// Lists every rule, sorted by code.
pub fn run_list(args: RulesArgs) -> anyhow::Result<ExitCode> {
    let rules = rules::sorted();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        ListFormat::Json => {
            let list: Vec<RuleJson> = rules.iter().map(|rule| to_json(rule.meta())).collect();
            serde_json::to_writer_pretty(&mut out, &list)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        ListFormat::Table => write_table(&rules, &mut out),
    };
    ignore_broken_pipe(written)?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(rules: &[&dyn rules::Rule], out: &mut dyn Write) -> std::io::Result<()> {
    let code_width = rules
        .iter()
        .map(|rule| rule.meta().code.len())
        .max()
        .unwrap_or(4);
    let name_width = rules
        .iter()
        .map(|rule| rule.meta().name.len())
        .max()
        .unwrap_or(4);
    writeln!(
        out,
        "{:code_width$}  {:name_width$}  {:8}  SUMMARY",
        "CODE", "NAME", "SEVERITY"
    )?;
    for rule in rules {
        let meta = rule.meta();
        writeln!(
            out,
            "{:code_width$}  {:name_width$}  {:8}  {}",
            meta.code,
            meta.name,
            meta.severity,
            meta.summary()
        )?;
    }
    Ok(())
}

fn to_json(meta: &'static RuleMeta) -> RuleJson {
    RuleJson {
        code: meta.code,
        name: meta.name,
        severity: meta.severity.as_str(),
        summary: meta.summary(),
        documentation: meta.documentation(),
    }
}

/// Prints one rule's documentation as Markdown.
pub fn run_one(args: RuleArgs) -> anyhow::Result<ExitCode> {
    let Some(rule) = rules::find(&args.code) else {
        bail!(
            "unknown rule `{}`: run `ballast rules` to list the rules",
            args.code
        );
    };
    let meta = rule.meta();
    let text = format!(
        "# {} ({})\n\nDefault severity: {}\n\n{}",
        meta.code,
        meta.name,
        meta.severity,
        meta.documentation()
    );
    ignore_broken_pipe(std::io::stdout().lock().write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

/// Treats a closed pipe (`ballast rules | head`) as success, because it is a normal way
/// to stop reading.
pub fn ignore_broken_pipe(result: std::io::Result<()>) -> std::io::Result<()> {
    match result {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
