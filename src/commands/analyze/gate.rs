//! The CI gate: thresholds from the command line, judged on the measured figures, and rules
//! from a dive `.dive-ci` file, judged on the dive-compatible figures so that existing dive
//! gates keep their meaning.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ballast_analyzer::image::Report;
use serde::Serialize;

use super::AnalyzeArgs;

/// One threshold and where it came from.
#[derive(Debug, Clone, PartialEq)]
enum Rule {
    MaxImageSize(u64),
    MaxWastedBytes(u64),
    MaxWastedPercent(f64),
    MinEfficiency(f64),
    DiveLowestEfficiency(f64),
    DiveHighestWastedBytes(u64),
    DiveHighestUserWastedPercent(f64),
}

#[derive(Debug)]
pub struct Gate {
    rules: Vec<(Rule, String)>,
}

/// The outcome of every rule.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub rules: Vec<RuleResult>,
}

#[derive(Debug, Serialize)]
pub struct RuleResult {
    pub rule: &'static str,
    /// Where the threshold came from: a command-line option, a .dive-ci file, or the default.
    pub origin: String,
    pub threshold: String,
    pub actual: String,
    pub passed: bool,
}

/// The thresholds given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Thresholds {
    /// The limit on the image's uncompressed size.
    pub max_image_size: Option<u64>,
    pub max_wasted_bytes: Option<u64>,
    pub max_wasted_percent: Option<f64>,
    pub min_efficiency: Option<f64>,
    /// A dive CI file; `./.dive-ci` is read when this is `None` and that file exists.
    pub ci_config: Option<PathBuf>,
}

impl Thresholds {
    /// Returns whether a threshold or a CI file is given, which turns the gate on without
    /// `--ci`.
    pub fn any(&self) -> bool {
        self.max_image_size.is_some()
            || self.max_wasted_bytes.is_some()
            || self.max_wasted_percent.is_some()
            || self.min_efficiency.is_some()
            || self.ci_config.is_some()
    }

    /// Returns the gate in force: with `ci`, or when a threshold is given; `None` otherwise.
    pub fn gate(&self, ci: bool) -> anyhow::Result<Option<Gate>> {
        if !ci && !self.any() {
            return Ok(None);
        }
        Gate::new(self).map(Some)
    }
}

impl Gate {
    /// Returns the gate of `ballast analyze`, or `None` when it is off.
    pub fn from_args(args: &AnalyzeArgs) -> anyhow::Result<Option<Gate>> {
        Thresholds {
            max_image_size: args.max_image_size,
            max_wasted_bytes: args.max_wasted_bytes,
            max_wasted_percent: args.max_wasted_percent,
            min_efficiency: args.min_efficiency,
            ci_config: args.ci_config.clone(),
        }
        .gate(args.ci)
    }

    /// Builds the gate from `args`, with the rules of the dive CI file. Without a threshold
    /// and without a CI file the gate is --min-efficiency 0.9 --max-wasted-percent 10.
    pub fn new(args: &Thresholds) -> anyhow::Result<Gate> {
        let mut rules = Vec::new();
        if let Some(bytes) = args.max_image_size {
            rules.push((Rule::MaxImageSize(bytes), "--max-image-size".to_owned()));
        }
        if let Some(bytes) = args.max_wasted_bytes {
            rules.push((Rule::MaxWastedBytes(bytes), "--max-wasted-bytes".to_owned()));
        }
        if let Some(percent) = args.max_wasted_percent {
            if !(0.0..=100.0).contains(&percent) {
                bail!("invalid --max-wasted-percent {percent}; expected a number from 0 to 100");
            }
            rules.push((
                Rule::MaxWastedPercent(percent),
                "--max-wasted-percent".to_owned(),
            ));
        }
        if let Some(ratio) = args.min_efficiency {
            if !(0.0..=1.0).contains(&ratio) {
                bail!("invalid --min-efficiency {ratio}; expected a ratio from 0 to 1");
            }
            rules.push((Rule::MinEfficiency(ratio), "--min-efficiency".to_owned()));
        }

        let config = match &args.ci_config {
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from(".dive-ci")).filter(|path| path.is_file()),
        };
        if let Some(path) = config {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the CI file {}", path.display()))?;
            let origin = path.display().to_string();
            for rule in parse_dive_ci(&text, &path)? {
                rules.push((rule, origin.clone()));
            }
        }

        if rules.is_empty() {
            rules.push((Rule::MinEfficiency(0.9), "default".to_owned()));
            rules.push((Rule::MaxWastedPercent(10.0), "default".to_owned()));
        }
        Ok(Gate { rules })
    }

    pub fn evaluate(&self, report: &Report) -> Verdict {
        let results: Vec<RuleResult> = self
            .rules
            .iter()
            .map(|(rule, origin)| judge(rule, origin, report))
            .collect();
        Verdict {
            passed: results.iter().all(|result| result.passed),
            rules: results,
        }
    }
}

fn judge(rule: &Rule, origin: &str, report: &Report) -> RuleResult {
    let percent = |ratio: f64| format!("{:.4} %", ratio * 100.0);
    let (name, threshold, actual, passed) = match *rule {
        Rule::MaxImageSize(limit) => (
            "max-image-size",
            format!("{limit} bytes"),
            format!("{} bytes uncompressed", report.totals.tar_bytes),
            report.totals.tar_bytes <= limit,
        ),
        Rule::MaxWastedBytes(limit) => (
            "max-wasted-bytes",
            format!("{limit} bytes"),
            format!("{} bytes wasted above the base", report.base.wasted_bytes),
            report.base.wasted_bytes <= limit,
        ),
        Rule::MaxWastedPercent(limit) => (
            "max-wasted-percent",
            format!("{limit} %"),
            format!(
                "{} of the bytes above the base",
                percent(report.base.wasted_ratio)
            ),
            report.base.wasted_ratio * 100.0 <= limit,
        ),
        Rule::MinEfficiency(limit) => (
            "min-efficiency",
            format!("{limit}"),
            format!("{:.4}", report.totals.efficiency),
            report.totals.efficiency >= limit,
        ),
        Rule::DiveLowestEfficiency(limit) => (
            "lowestEfficiency",
            format!("{limit}"),
            format!("{:.4} (dive formula)", report.dive.efficiency),
            report.dive.efficiency >= limit,
        ),
        Rule::DiveHighestWastedBytes(limit) => (
            "highestWastedBytes",
            format!("{limit} bytes"),
            format!("{} bytes (dive formula)", report.dive.wasted_bytes),
            report.dive.wasted_bytes <= limit,
        ),
        Rule::DiveHighestUserWastedPercent(limit) => (
            "highestUserWastedPercent",
            format!("{limit}"),
            format!("{:.4} (dive formula)", report.dive.user_wasted_ratio),
            report.dive.user_wasted_ratio <= limit,
        ),
    };
    RuleResult {
        rule: name,
        origin: origin.to_owned(),
        threshold,
        actual,
        passed,
    }
}

/// Reads the `rules:` map of a dive CI file. dive 0.13.1 applies its defaults to keys the file
/// leaves out (lowestEfficiency 0.9, highestUserWastedPercent 0.1, highestWastedBytes
/// disabled), and a rule is disabled with the value `disabled`.
fn parse_dive_ci(text: &str, path: &Path) -> anyhow::Result<Vec<Rule>> {
    let mut lowest_efficiency = Some(0.9);
    let mut highest_wasted_bytes = None;
    let mut highest_user_wasted = Some(0.1);
    let mut in_rules = false;

    for (number, raw_line) in text.lines().enumerate() {
        let line = strip_comment(raw_line);
        if line.trim().is_empty() {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if !indented {
            in_rules = line.trim_end() == "rules:";
            continue;
        }
        if !in_rules {
            continue;
        }
        let Some((key, value)) = line.trim().split_once(':') else {
            bail!(
                "{}:{}: expected `key: value` inside `rules:`",
                path.display(),
                number + 1
            );
        };
        let value = unquote(value.trim());
        let at = || format!("{}:{}", path.display(), number + 1);
        let disabled = value.eq_ignore_ascii_case("disabled");
        match key.trim() {
            "lowestEfficiency" => {
                lowest_efficiency = if disabled {
                    None
                } else {
                    Some(parse_ratio(value, &at())?)
                };
            }
            "highestWastedBytes" => {
                highest_wasted_bytes = if disabled {
                    None
                } else {
                    Some(parse_size(value).map_err(|error| anyhow::anyhow!("{}: {error}", at()))?)
                };
            }
            "highestUserWastedPercent" => {
                highest_user_wasted = if disabled {
                    None
                } else {
                    Some(parse_ratio(value, &at())?)
                };
            }
            _ => {}
        }
    }

    let mut rules = Vec::new();
    rules.extend(lowest_efficiency.map(Rule::DiveLowestEfficiency));
    rules.extend(highest_wasted_bytes.map(Rule::DiveHighestWastedBytes));
    rules.extend(highest_user_wasted.map(Rule::DiveHighestUserWastedPercent));
    Ok(rules)
}

fn strip_comment(line: &str) -> &str {
    let mut previous_blank = true;
    let mut quote: Option<char> = None;
    for (at, character) in line.char_indices() {
        match (quote, character) {
            (Some(open), _) if character == open => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(character),
            (None, '#') if previous_blank => return &line[..at],
            _ => {}
        }
        previous_blank = character.is_whitespace();
    }
    line
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

fn parse_ratio(value: &str, at: &str) -> anyhow::Result<f64> {
    match value.parse::<f64>() {
        Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
        _ => bail!("{at}: invalid ratio `{value}`; expected a number from 0 to 1 or `disabled`"),
    }
}

/// Parses a byte size the way dive reads `highestWastedBytes` (go-humanize's `ParseBytes`):
/// a number with an optional unit, where `kB`, `MB`, `GB`, `TB` are powers of 1000 and `KiB`,
/// `MiB`, `GiB`, `TiB` are powers of 1024. Units are case-insensitive; a space is allowed.
pub fn parse_size(value: &str) -> Result<u64, String> {
    let text = value.trim();
    let split = text
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let invalid = || {
        format!(
            "invalid size `{value}`; expected bytes or a number with a unit such as 20MB or 20MiB"
        )
    };
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let multiplier: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024.0_f64.powi(4),
        _ => return Err(invalid()),
    };
    let bytes = number * multiplier;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(invalid());
    }
    Ok(bytes.round() as u64)
}

pub fn write_verdict(out: &mut impl Write, verdict: &Verdict, colour: bool) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Gate")?;
    for rule in &verdict.rules {
        let label = if rule.passed { "PASS" } else { "FAIL" };
        let label = match (colour, rule.passed) {
            (true, true) => format!("\x1b[32m{label}\x1b[0m"),
            (true, false) => format!("\x1b[31m{label}\x1b[0m"),
            (false, _) => label.to_owned(),
        };
        writeln!(
            out,
            "  {label}  {}: {} (threshold {}, from {})",
            rule.rule, rule.actual, rule.threshold, rule.origin
        )?;
    }
    let failed = verdict.rules.iter().filter(|rule| !rule.passed).count();
    writeln!(
        out,
        "Result: {} ({} rules, {} failed)",
        if verdict.passed { "PASS" } else { "FAIL" },
        verdict.rules.len(),
        failed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_units_follow_humanize() {
        assert_eq!(parse_size("20MB"), Ok(20_000_000));
        assert_eq!(parse_size("20MiB"), Ok(20_971_520));
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("1.5 kb"), Ok(1500));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn dive_ci_rules_with_defaults() {
        let text = "# gate\nrules:\n  highestWastedBytes: \"20MB\" # absolute\n  highestUserWastedPercent: disabled\n";
        let rules = parse_dive_ci(text, Path::new(".dive-ci")).unwrap();
        assert_eq!(
            rules,
            vec![
                Rule::DiveLowestEfficiency(0.9),
                Rule::DiveHighestWastedBytes(20_000_000)
            ]
        );
    }

    #[test]
    fn dive_ci_rejects_out_of_range() {
        let error = parse_dive_ci("rules:\n  lowestEfficiency: 1.5\n", Path::new("x")).unwrap_err();
        assert!(error.to_string().contains("x:2"));
    }
}
