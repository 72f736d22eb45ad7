use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use ballast_lsp::format::{FormatOptions, format};

use super::dump::read_input;
use crate::output::escape_line;

#[derive(Args)]
pub struct FmtArgs {
    /// The Dockerfiles to format in place, or `-` to format standard input to standard output.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// Change nothing; list the files that are not formatted and exit 1 when there is one.
    #[arg(long)]
    pub check: bool,

    /// Spaces per indent unit of continuation lines.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub indent: u32,

    /// Indent continuation lines with a tab instead of spaces.
    #[arg(long)]
    pub tabs: bool,
}

/// Formats each file. Exits 1 with `--check` when a file would change, 2 when a file could
/// not be read or written (the other files are still processed).
pub fn run(args: FmtArgs) -> anyhow::Result<ExitCode> {
    let options = FormatOptions::new(args.indent, !args.tabs);
    let mut unformatted = 0;
    let mut failed = 0;
    for path in &args.files {
        match format_file(path, &options, args.check) {
            Ok(true) => {}
            Ok(false) => {
                unformatted += 1;
                if args.check {
                    let name = path.display().to_string();
                    println!("{}: not formatted", escape_line(&name));
                }
            }
            Err(error) => {
                failed += 1;
                let message = format!("{error:#}");
                eprintln!("ballast: {}", escape_line(&message));
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else if args.check && unformatted > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Returns whether the file was already formatted; writes the formatted text unless
/// `check` is set. Standard input is written to standard output.
fn format_file(path: &PathBuf, options: &FormatOptions, check: bool) -> anyhow::Result<bool> {
    let text = read_input(path)?;
    let formatted = format(&text, options);
    let unchanged = formatted == text;
    if check {
        return Ok(unchanged);
    }
    if path.as_os_str() == "-" {
        print!("{formatted}");
    } else if !unchanged {
        std::fs::write(path, &formatted)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(unchanged)
}
