//! The gate of `ballast build`: the thresholds and the dive CI file of `ballast analyze`.

use super::BuildArgs;
use crate::commands::analyze::gate::{Gate, Thresholds};

/// Returns the gate in force: with `--ci`, or when a threshold option or `--ci-config` is
/// given; `None` otherwise.
pub fn from_args(args: &BuildArgs) -> anyhow::Result<Option<Gate>> {
    Thresholds {
        max_image_size: args.max_image_size,
        max_wasted_bytes: args.max_wasted_bytes,
        max_wasted_percent: args.max_wasted_percent,
        min_efficiency: args.min_efficiency,
        ci_config: args.ci_config.clone(),
    }
    .gate(args.ci)
}
