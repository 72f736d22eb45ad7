use std::process::ExitCode;

use clap::Args;

#[derive(Args)]
pub struct DumpArgs {
    /// The Dockerfile to read, or `-` for standard input.
    pub file: std::path::PathBuf,
}

pub fn run(_args: DumpArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("dump is not implemented yet")
}
