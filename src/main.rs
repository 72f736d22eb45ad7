//! The `ballast` command line: lint Dockerfiles, analyze images, build and measure, and
//! serve the language server.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod output;

/// Lint Dockerfiles, measure image layers and tie every byte to a Dockerfile line.
#[derive(Parser)]
#[command(name = "ballast", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read a built image and account for every byte: size, waste and duplicates by layer.
    Analyze(commands::analyze::AnalyzeArgs),
    /// Build an image with docker, buildx, podman or buildah, then tie every layer and
    /// finding to its Dockerfile line.
    Build(commands::build::BuildArgs),
    /// Print the syntax tree of a Dockerfile (for debugging the parser).
    Dump(commands::dump::DumpArgs),
    /// Run the language server on standard input and output.
    Lsp(commands::lsp::LspArgs),
    /// Format Dockerfiles: keyword case, spacing and continuation indent.
    Fmt(commands::fmt::FmtArgs),
    /// Lint Dockerfiles: syntax traps, image size, hadolint's and BuildKit's checks.
    Lint(commands::lint::LintArgs),
    /// List the lint rules.
    Rules(commands::rules::RulesArgs),
    /// Print the documentation of one lint rule.
    Rule(commands::rules::RuleArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Build(args) => commands::build::run(args),
        Command::Dump(args) => commands::dump::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Lint(args) => commands::lint::run(args),
        Command::Rules(args) => commands::rules::run_list(args),
        Command::Rule(args) => commands::rules::run_one(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            // File names and image references from the command line reach the message.
            let message = format!("{error:#}");
            eprintln!("ballast: {}", output::escape_line(&message));
            ExitCode::from(2)
        }
    }
}
