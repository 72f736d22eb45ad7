//! The CI gate: thresholds from the command line, judged on the measured figures, and rules
//! from a dive `.dive-ci` file, judged on the dive-compatible figures so that existing dive
//! gates keep their meaning.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ballast_analyzer::image::Report;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::AnalyzeArgs;
use crate::output::escape_line;

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
    /// The source of the threshold: a command-line option, a .dive-ci file, ballast's
    /// default gate, or dive's default for a rule the .dive-ci file leaves out.
    pub origin: String,
    /// The threshold as text for people; `threshold_value` is the number.
    pub threshold: String,
    pub threshold_value: Figure,
    /// The measured figure as text for people; `actual_value` is the number.
    pub actual: String,
    pub actual_value: Figure,
    /// The unit of both numbers: `bytes`, `percent` (0 to 100) or `ratio` (0 to 1).
    pub unit: &'static str,
    pub passed: bool,
}

/// A threshold or a measured figure, written as a plain JSON number; a byte count is an
/// integer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    Bytes(u64),
    Number(f64),
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
    /// and without a CI file the gate is --min-efficiency 0.9 --max-wasted-percent 10. An
    /// invalid CI file is an error; a key in it that dive does not know gets a warning.
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
        let has_file = config.is_some();
        if let Some(path) = config {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the CI file {}", path.display()))?;
            let file = parse_dive_ci(&text, &path)?;
            for key in &file.unknown {
                let warning = format!(
                    "{}: unknown key `{key}` is ignored; the keys of a dive CI file are {}",
                    path.display(),
                    known_keys("rules.")
                );
                // The key and the path are text from the user; control characters are escaped.
                eprintln!("ballast: warning: {}", escape_line(&warning));
            }
            let origin = path.display().to_string();
            for (rule, set) in file.rules() {
                let origin = if set { origin.clone() } else { "dive default".to_owned() };
                rules.push((rule, origin));
            }
        }

        // A file that disables every rule leaves the gate empty, as it does in dive.
        if rules.is_empty() && !has_file {
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
    let bytes = |limit: u64, actual: u64| (Figure::Bytes(limit), Figure::Bytes(actual), "bytes");
    let ratio = |limit: f64, actual: f64| (Figure::Number(limit), Figure::Number(actual), "ratio");
    let (name, threshold, actual, (threshold_value, actual_value, unit), passed) = match *rule {
        Rule::MaxImageSize(limit) => (
            "max-image-size",
            format!("{limit} bytes"),
            format!("{} bytes uncompressed", report.totals.tar_bytes),
            bytes(limit, report.totals.tar_bytes),
            report.totals.tar_bytes <= limit,
        ),
        Rule::MaxWastedBytes(limit) => (
            "max-wasted-bytes",
            format!("{limit} bytes"),
            format!("{} bytes wasted above the base", report.base.wasted_bytes),
            bytes(limit, report.base.wasted_bytes),
            report.base.wasted_bytes <= limit,
        ),
        Rule::MaxWastedPercent(limit) => (
            "max-wasted-percent",
            format!("{limit} %"),
            format!(
                "{} of the bytes above the base",
                percent(report.base.wasted_ratio)
            ),
            (
                Figure::Number(limit),
                Figure::Number(report.base.wasted_ratio * 100.0),
                "percent",
            ),
            report.base.wasted_ratio * 100.0 <= limit,
        ),
        Rule::MinEfficiency(limit) => (
            "min-efficiency",
            format!("{limit}"),
            format!("{:.4}", report.totals.efficiency),
            ratio(limit, report.totals.efficiency),
            report.totals.efficiency >= limit,
        ),
        Rule::DiveLowestEfficiency(limit) => (
            "lowestEfficiency",
            format!("{limit}"),
            format!("{:.4} (dive formula)", report.dive.efficiency),
            ratio(limit, report.dive.efficiency),
            report.dive.efficiency >= limit,
        ),
        Rule::DiveHighestWastedBytes(limit) => (
            "highestWastedBytes",
            format!("{limit} bytes"),
            format!("{} bytes (dive formula)", report.dive.wasted_bytes),
            bytes(limit, report.dive.wasted_bytes),
            report.dive.wasted_bytes <= limit,
        ),
        Rule::DiveHighestUserWastedPercent(limit) => (
            "highestUserWastedPercent",
            format!("{limit}"),
            format!("{:.4} (dive formula)", report.dive.user_wasted_ratio),
            ratio(limit, report.dive.user_wasted_ratio),
            report.dive.user_wasted_ratio <= limit,
        ),
    };
    RuleResult {
        rule: name,
        origin: origin.to_owned(),
        threshold,
        threshold_value,
        actual,
        actual_value,
        unit,
        passed,
    }
}

/// The rule keys of a dive CI file, in the order the gate lists their rules.
const DIVE_KEYS: [&str; 3] = [
    "lowestEfficiency",
    "highestWastedBytes",
    "highestUserWastedPercent",
];

/// A dive CI file as read. For each key of [`DIVE_KEYS`], `set` is `None` when the file leaves
/// it out and `Some(None)` when the file sets it to `disabled`. `unknown` lists other keys.
#[derive(Debug, Default, PartialEq)]
struct DiveCi {
    set: [Option<Option<Rule>>; 3],
    unknown: Vec<String>,
}

impl DiveCi {
    /// Returns the rules in force, each with whether the file sets it. dive 0.13.1 applies its
    /// defaults to keys the file leaves out: lowestEfficiency 0.9, highestWastedBytes
    /// disabled, highestUserWastedPercent 0.1.
    fn rules(&self) -> Vec<(Rule, bool)> {
        let defaults = [
            Some(Rule::DiveLowestEfficiency(0.9)),
            None,
            Some(Rule::DiveHighestUserWastedPercent(0.1)),
        ];
        self.set
            .iter()
            .zip(defaults)
            .filter_map(|(set, default)| match set {
                Some(rule) => rule.clone().map(|rule| (rule, true)),
                None => default.map(|rule| (rule, false)),
            })
            .collect()
    }
}

/// Reads a dive CI file: YAML with a `rules:` mapping of [`DIVE_KEYS`] to thresholds. Keys
/// match in any case, because viper, dive 0.13.1's configuration library, lowercases them.
/// An empty file sets nothing.
fn parse_dive_ci(text: &str, path: &Path) -> anyhow::Result<DiveCi> {
    // Reading the whole file as YAML first reports a syntax error before a wrong type that
    // the typed read meets earlier in the file.
    serde_norway::from_str::<IgnoredAny>(text)
        .and_then(|_| serde_norway::from_str(text))
        .map_err(|error| invalid_dive_ci(path, &error))
}

/// Returns the error of an invalid dive CI file, with the line and column in front, where
/// serde_norway ends its message with ` at line L column C`.
fn invalid_dive_ci(path: &Path, error: &serde_norway::Error) -> anyhow::Error {
    let mut message = error.to_string();
    let mut at = path.display().to_string();
    if let Some(location) = error.location() {
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        message = message.replacen(&suffix, "", 1);
        at = format!("{at}:{}:{}", location.line(), location.column());
    }
    anyhow::anyhow!("{at}: invalid dive CI file: {message}")
}

impl<'de> Deserialize<'de> for DiveCi {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DiveCiVisitor)
    }
}

struct DiveCiVisitor;

impl<'de> Visitor<'de> for DiveCiVisitor {
    type Value = DiveCi;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(
            "a mapping with the key `rules`, such as `rules: {lowestEfficiency: 0.9}`",
        )
    }

    /// Returns the defaults for a file that contains nothing, or only comments.
    fn visit_none<E: de::Error>(self) -> Result<DiveCi, E> {
        Ok(DiveCi::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<DiveCi, E> {
        Ok(DiveCi::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DiveCi, A::Error> {
        let mut file = DiveCi::default();
        while let Some(key) = map.next_key::<String>()? {
            if key.eq_ignore_ascii_case("rules") {
                let rules: DiveRules = map.next_value()?;
                for (set, rule) in file.set.iter_mut().zip(rules.set) {
                    if rule.is_some() {
                        *set = rule;
                    }
                }
                file.unknown.extend(rules.unknown);
            } else {
                map.next_value::<IgnoredAny>()?;
                file.unknown.push(key);
            }
        }
        Ok(file)
    }
}

/// The value of `rules:`; its unknown keys are named `rules.KEY`.
#[derive(Default)]
struct DiveRules {
    set: [Option<Option<Rule>>; 3],
    unknown: Vec<String>,
}

impl<'de> Deserialize<'de> for DiveRules {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DiveRulesVisitor)
    }
}

struct DiveRulesVisitor;

impl<'de> Visitor<'de> for DiveRulesVisitor {
    type Value = DiveRules;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "a mapping of the keys {}", known_keys(""))
    }

    /// `rules:` with nothing after it leaves every rule at its default.
    fn visit_unit<E: de::Error>(self) -> Result<DiveRules, E> {
        Ok(DiveRules::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<DiveRules, A::Error> {
        Err(de::Error::custom(format!(
            "a list, where a mapping of the keys {} is expected; write each rule as \
             `KEY: VALUE` without a leading `- `",
            known_keys("")
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DiveRules, A::Error> {
        let mut rules = DiveRules::default();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let Some(index) = DIVE_KEYS
                .iter()
                .position(|known| known.eq_ignore_ascii_case(&key))
            else {
                map.next_value::<IgnoredAny>()?;
                rules.unknown.push(format!("rules.{key}"));
                continue;
            };
            // dive's YAML reader rejects a key given twice, so a file that dive stops on does
            // not pass here with the last value. Keys that differ in case are different YAML
            // keys: dive takes the later one, and so does the loop.
            if seen.contains(&key) {
                return Err(de::Error::custom(format!(
                    "`{key}` appears twice in `rules`; keep one of them"
                )));
            }
            seen.push(key.clone());
            // An empty value leaves the rule at dive's default, as dive does.
            let rule = match index {
                0 => map
                    .next_value::<Option<Ratio>>()?
                    .map(|ratio| ratio.0.map(Rule::DiveLowestEfficiency)),
                1 => map
                    .next_value::<Option<Size>>()?
                    .map(|size| size.0.map(Rule::DiveHighestWastedBytes)),
                _ => map
                    .next_value::<Option<Ratio>>()?
                    .map(|ratio| ratio.0.map(Rule::DiveHighestUserWastedPercent)),
            };
            rules.set[index] = rule;
        }
        Ok(rules)
    }
}

/// Lists [`DIVE_KEYS`] with `prefix`, for messages.
fn known_keys(prefix: &str) -> String {
    let keys: Vec<String> = DIVE_KEYS
        .iter()
        .map(|key| format!("`{prefix}{key}`"))
        .collect();
    format!("{}, {} and {}", keys[0], keys[1], keys[2])
}

/// Returns whether `text` is `disabled`, the value that turns a dive 0.13.1 rule off.
fn is_disabled(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("disabled")
}

/// A ratio rule's value: a number from 0 to 1, or `None` for `disabled`. dive reads the value
/// as text, so a quoted number is a number too. An error comes from this visitor so that
/// serde_norway gives it the value's line and column.
struct Ratio(Option<f64>);

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RatioVisitor)
    }
}

struct RatioVisitor;

impl RatioVisitor {
    fn check<E: de::Error>(value: f64, text: &str) -> Result<Ratio, E> {
        if (0.0..=1.0).contains(&value) {
            return Ok(Ratio(Some(value)));
        }
        Err(E::custom(format!(
            "invalid ratio `{text}`; expected a number from 0 to 1 (0.1 for 10 %) or `disabled`"
        )))
    }
}

impl Visitor<'_> for RatioVisitor {
    type Value = Ratio;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a number from 0 to 1 or `disabled`")
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Ratio, E> {
        Self::check(value, &value.to_string())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Ratio, E> {
        Self::check(value as f64, &value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Ratio, E> {
        Self::check(value as f64, &value.to_string())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Ratio, E> {
        if is_disabled(text) {
            return Ok(Ratio(None));
        }
        Self::check(text.trim().parse().unwrap_or(f64::NAN), text)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Ratio, E> {
        Err(E::custom(
            "the value is empty; expected a number from 0 to 1 or `disabled`",
        ))
    }
}

/// A byte-size rule's value: bytes, a size with a unit such as `20MB`, or `None` for
/// `disabled`.
struct Size(Option<u64>);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SizeVisitor)
    }
}

struct SizeVisitor;

impl Visitor<'_> for SizeVisitor {
    type Value = Size;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("bytes, a size such as 20MB or 20MiB, or `disabled`")
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Size, E> {
        Ok(Size(Some(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Size, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Size, E> {
        self.visit_str(&value.to_string())
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Size, E> {
        if is_disabled(text) {
            return Ok(Size(None));
        }
        parse_size(text).map(|bytes| Size(Some(bytes))).map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Size, E> {
        Err(E::custom(
            "the value is empty; expected bytes, a size such as 20MB or 20MiB, or `disabled`",
        ))
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
    // go-humanize truncates a fractional byte count, so `39999.5` is 39,999 bytes in dive.
    Ok(bytes.trunc() as u64)
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
    let count = verdict.rules.len();
    writeln!(
        out,
        "Result: {} ({count} {}, {failed} failed)",
        if verdict.passed { "PASS" } else { "FAIL" },
        if count == 1 { "rule" } else { "rules" }
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
        assert_eq!(parse_size("39999.5"), Ok(39_999));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn dive_ci_rules_with_defaults() {
        let text = "# gate\nrules:\n  highestWastedBytes: \"20MB\" # absolute\n  highestUserWastedPercent: disabled\n";
        let rules = parse_dive_ci(text, Path::new(".dive-ci")).unwrap().rules();
        assert_eq!(
            rules,
            vec![
                (Rule::DiveLowestEfficiency(0.9), false),
                (Rule::DiveHighestWastedBytes(20_000_000), true)
            ]
        );
    }

    #[test]
    fn dive_ci_rejects_out_of_range() {
        let error = parse_dive_ci("rules:\n  lowestEfficiency: 1.5\n", Path::new("x")).unwrap_err();
        assert!(error.to_string().contains("x:2"));
    }

    /// Parses `text` as `.dive-ci` and returns the error message.
    fn dive_ci_error(text: &str) -> String {
        parse_dive_ci(text, Path::new(".dive-ci")).unwrap_err().to_string()
    }

    #[test]
    fn dive_ci_forms_dive_accepts() {
        let rules = |text: &str| parse_dive_ci(text, Path::new(".dive-ci")).unwrap().rules();
        let defaults = vec![
            (Rule::DiveLowestEfficiency(0.9), false),
            (Rule::DiveHighestUserWastedPercent(0.1), false),
        ];
        assert_eq!(rules(""), defaults);
        assert_eq!(rules("# nothing yet\n"), defaults);
        assert_eq!(rules("rules:\n"), defaults);

        // Keys that differ only in case are two keys, and the later one wins, as in dive.
        assert_eq!(
            rules("rules:\n  lowestEfficiency: 0.5\n  LowestEfficiency: 0.7\n")[0],
            (Rule::DiveLowestEfficiency(0.7), true)
        );

        // An empty value leaves the rule at dive's default.
        assert_eq!(rules("rules:\n  highestUserWastedPercent:\n"), defaults);

        assert_eq!(
            rules("rules:\n  lowestEfficiency: '0.5'\n  highestWastedBytes: 20 MiB\n"),
            vec![
                (Rule::DiveLowestEfficiency(0.5), true),
                (Rule::DiveHighestWastedBytes(20_971_520), true),
                (Rule::DiveHighestUserWastedPercent(0.1), false),
            ]
        );

        // Keys in any case, a flow mapping, and a size in exponent notation.
        let flow = "rules: {LowestEfficiency: 1, highestWastedBytes: 1e3, \
                    HIGHESTUSERWASTEDPERCENT: 0}";
        assert_eq!(
            rules(flow),
            vec![
                (Rule::DiveLowestEfficiency(1.0), true),
                (Rule::DiveHighestWastedBytes(1000), true),
                (Rule::DiveHighestUserWastedPercent(0.0), true),
            ]
        );
    }

    #[test]
    fn dive_ci_errors_name_line_and_expectation() {
        let error = dive_ci_error("rules: [this is: not valid\n");
        assert!(error.starts_with(".dive-ci:2:1: invalid dive CI file: did not find"), "{error}");
        let error = dive_ci_error("rules:\n  - lowestEfficiency: 0.99\n");
        assert!(error.starts_with(".dive-ci:2:3: invalid dive CI file: rules: a list"), "{error}");
        assert!(error.contains("without a leading `- `"), "{error}");
        let error = dive_ci_error("rules:\n  lowestEfficiency: true\n");
        assert!(error.starts_with(".dive-ci:2:21: "), "{error}");
        assert!(error.contains("expected a number from 0 to 1 or `disabled`"), "{error}");
        let error = dive_ci_error("rules:\n  highestWastedBytes: [20MB]\n");
        assert!(error.contains("expected bytes, a size such as 20MB"), "{error}");
        let error = dive_ci_error("rules:\n  lowestEfficiency: 0.9\n  lowestEfficiency: 0.5\n");
        assert!(error.contains("`lowestEfficiency` appears twice"), "{error}");
        let error = dive_ci_error("- rules\n");
        assert!(error.contains("expected a mapping with the key `rules`"), "{error}");
    }

    #[test]
    fn dive_ci_collects_unknown_keys() {
        let file = parse_dive_ci("rules:\n  lowestEfficency: 0.99\nci: true\n", Path::new("x"));
        assert_eq!(file.unwrap().unknown, ["rules.lowestEfficency", "ci"]);
    }

    #[test]
    fn verdict_counts_rules_in_words() {
        let rule = |passed| RuleResult {
            rule: "max-image-size",
            origin: "--max-image-size".to_owned(),
            threshold: "1 bytes".to_owned(),
            threshold_value: Figure::Bytes(1),
            actual: "2 bytes uncompressed".to_owned(),
            actual_value: Figure::Bytes(2),
            unit: "bytes",
            passed,
        };
        let text = |rules: Vec<RuleResult>| {
            let verdict = Verdict {
                passed: rules.iter().all(|rule| rule.passed),
                rules,
            };
            let mut out = Vec::new();
            write_verdict(&mut out, &verdict, false).unwrap();
            String::from_utf8(out).unwrap()
        };
        let one = text(vec![rule(true)]);
        assert!(one.ends_with("Result: PASS (1 rule, 0 failed)\n"), "{one}");
        let two = text(vec![rule(true), rule(false)]);
        assert!(two.ends_with("Result: FAIL (2 rules, 1 failed)\n"), "{two}");
    }
}
