use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use ballast_parser::dump::{buildkit_dump, outline};
use ballast_parser::{LineIndex, parse};

use crate::output::escape_line;

#[derive(Args)]
pub struct DumpArgs {
    /// The Dockerfile to read, or `-` for standard input.
    pub file: PathBuf,

    /// What to print.
    #[arg(long, value_enum, default_value_t = DumpFormat::Tree)]
    pub format: DumpFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DumpFormat {
    /// One line per node with its position and parts, then the syntax errors.
    Tree,
    /// BuildKit's AST dump, byte for byte as `parser.Node.Dump` prints it.
    Buildkit,
    /// The whole syntax tree as JSON.
    Json,
}

/// Prints the tree; exits 1 when the file has syntax errors, so scripts can tell.
pub fn run(args: DumpArgs) -> anyhow::Result<ExitCode> {
    let text = read_input(&args.file)?;
    let tree = parse(&text);
    match args.format {
        DumpFormat::Tree => print!("{}", outline(&tree, &text)),
        DumpFormat::Buildkit => print!("{}", buildkit_dump(&tree)),
        DumpFormat::Json => println!("{}", serde_json::to_string_pretty(&tree)?),
    }

    let index = LineIndex::skipping_bom(&text);
    let name = args.file.display().to_string();
    for error in &tree.errors {
        let at = index.utf8(error.span.start);
        let message = format!("{name}:{}:{}: {}", at.line + 1, at.col + 1, error.message);
        eprintln!("{}", escape_line(&message));
    }
    Ok(if tree.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Reads a file, or standard input for `-`. Invalid UTF-8 is replaced rather than rejected,
/// so a stray byte in a comment does not hide the rest of the file.
pub fn read_input(path: &PathBuf) -> anyhow::Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).context("failed to read standard input")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?
    };
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    })
}
