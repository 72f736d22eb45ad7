use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Args)]
pub struct LspArgs {
    /// Accepted for compatibility with editors that pass it; standard input and output are
    /// the default transport.
    #[arg(long)]
    pub stdio: bool,

    /// Serve one client on this loopback address (such as 127.0.0.1:9257) instead of
    /// standard input and output, for debugging.
    #[arg(long, value_name = "ADDRESS")]
    pub listen: Option<SocketAddr>,

    /// Append logs to this file as well as to standard error. `BALLAST_LOG` sets the level
    /// (`debug`, `info`, `warn`).
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

/// Runs the language server until the client sends `exit` or closes the connection. The
/// exit code is 1 when the client sent `exit` without `shutdown` first, as the protocol
/// specifies, and 0 otherwise.
pub fn run(args: LspArgs) -> anyhow::Result<ExitCode> {
    let options = ballast_lsp::Options {
        listen: args.listen,
        log_file: args.log_file,
    };
    let clean = ballast_lsp::run(options)?;
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
