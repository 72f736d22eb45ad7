//! The `--ci` gate of `ballast build`: the thresholds of `ballast analyze` plus the image size.

use std::io::{self, Write};

use ballast_analyzer::image::Report;
use serde::Serialize;

use super::BuildArgs;

/// The thresholds in force.
pub struct Gate {
    max_image_size: Option<u64>,
    max_wasted_bytes: Option<u64>,
    max_wasted_percent: Option<f64>,
    min_efficiency: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub limit: f64,
    pub value: f64,
    pub passed: bool,
}

impl Gate {
    pub fn from_args(args: &BuildArgs) -> anyhow::Result<Gate> {
        if let Some(percent) = args.max_wasted_percent
            && !(0.0..=100.0).contains(&percent)
        {
            anyhow::bail!("--max-wasted-percent {percent} is out of range; give 0 to 100");
        }
        if let Some(ratio) = args.min_efficiency
            && !(0.0..=1.0).contains(&ratio)
        {
            anyhow::bail!("--min-efficiency {ratio} is out of range; give 0 to 1");
        }
        let any = args.max_image_size.is_some()
            || args.max_wasted_bytes.is_some()
            || args.max_wasted_percent.is_some()
            || args.min_efficiency.is_some();
        let defaults = args.ci && !any;
        Ok(Gate {
            max_image_size: args.max_image_size,
            max_wasted_bytes: args.max_wasted_bytes,
            max_wasted_percent: args.max_wasted_percent.or(defaults.then_some(10.0)),
            min_efficiency: args.min_efficiency.or(defaults.then_some(0.9)),
        })
    }

    /// Judges the image; `None` when no threshold is set.
    pub fn evaluate(&self, report: &Report) -> Option<Verdict> {
        let mut checks = Vec::new();
        if let Some(limit) = self.max_image_size {
            let value = report.totals.tar_bytes;
            checks.push(check(
                "max-image-size",
                limit as f64,
                value as f64,
                value <= limit,
            ));
        }
        if let Some(limit) = self.max_wasted_bytes {
            let value = report.base.wasted_bytes;
            checks.push(check(
                "max-wasted-bytes",
                limit as f64,
                value as f64,
                value <= limit,
            ));
        }
        if let Some(limit) = self.max_wasted_percent {
            let value = report.base.wasted_ratio * 100.0;
            checks.push(check("max-wasted-percent", limit, value, value <= limit));
        }
        if let Some(limit) = self.min_efficiency {
            let value = report.totals.efficiency;
            checks.push(check("min-efficiency", limit, value, value >= limit));
        }
        if checks.is_empty() {
            return None;
        }
        Some(Verdict {
            passed: checks.iter().all(|check| check.passed),
            checks,
        })
    }
}

fn check(name: &str, limit: f64, value: f64, passed: bool) -> Check {
    Check {
        name: name.to_owned(),
        limit,
        value,
        passed,
    }
}

pub fn write_verdict(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    writeln!(out)?;
    for check in &verdict.checks {
        let word = if check.passed { "PASS" } else { "FAIL" };
        writeln!(
            out,
            "{word}  {}: {} (limit {})",
            check.name, check.value, check.limit
        )?;
    }
    let word = if verdict.passed { "passed" } else { "failed" };
    writeln!(out, "gate {word}")
}

/// Parses a size: bytes, or a number with a decimal (kB, MB, GB) or binary (KiB, MiB, GiB)
/// unit.
pub fn parse_size(value: &str) -> Result<u64, String> {
    let text = value.trim();
    let split = text
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| {
        format!(
            "invalid size `{value}`: expected bytes or a number with a unit such as 20MB or 20MiB"
        )
    })?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "invalid size unit `{other}` in `{value}`: use B, kB, MB, GB, KiB, MiB or GiB"
            ));
        }
    };
    Ok((number * factor).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("20MB"), Ok(20_000_000));
        assert_eq!(parse_size("20MiB"), Ok(20_971_520));
        assert_eq!(parse_size("512"), Ok(512));
        assert!(parse_size("lots").is_err());
    }
}
