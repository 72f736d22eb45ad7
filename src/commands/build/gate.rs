//! The gate of `ballast build`: the thresholds and the dive CI file of `ballast analyze`, plus
//! the image size.

use super::BuildArgs;
use crate::commands::analyze::gate::{Gate, Thresholds};

/// Returns the gate in force: with `--ci`, or when a threshold option or `--ci-config` is
/// given; `None` otherwise.
pub fn from_args(args: &BuildArgs) -> anyhow::Result<Option<Gate>> {
    let thresholds = Thresholds {
        max_image_size: args.max_image_size,
        max_wasted_bytes: args.max_wasted_bytes,
        max_wasted_percent: args.max_wasted_percent,
        min_efficiency: args.min_efficiency,
        ci_config: args.ci_config.clone(),
    };
    let any = thresholds.max_image_size.is_some()
        || thresholds.max_wasted_bytes.is_some()
        || thresholds.max_wasted_percent.is_some()
        || thresholds.min_efficiency.is_some()
        || thresholds.ci_config.is_some();
    if !args.ci && !any {
        return Ok(None);
    }
    Gate::new(&thresholds).map(Some)
}
