//! DL3011: an `EXPOSE` port above 65535.

use crate::model::Typed;
use crate::rules::Context;

/// The largest TCP or UDP port number.
const MAX_PORT: u64 = 65535;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port, or the end of a port range, above 65535. Ports given by a
    /// variable are not checked.
    ///
    /// ## Why is this bad
    /// TCP and UDP ports are 16-bit numbers. A larger number is a typo, and the container
    /// cannot listen on it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80800
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 8080
    /// ```
    pub ExposePortOutOfRange {
        code: "DL3011",
        name: "expose-port-out-of-range",
        severity: Error,
        scope: Stage,
        check: check,
    }
}

fn check(cx: &mut Context<'_>) {
    let model = cx.model;
    for inst in cx.focus().instructions(model) {
        let Typed::Expose(words) = &inst.args else {
            continue;
        };
        for word in words.iter() {
            let text = word.value.trim_matches(|c| c == '"' || c == '\'');
            if text.contains('$') {
                continue;
            }
            let ports = text.split_once('/').map_or(text, |(ports, _)| ports);
            let too_large = ports.split('-').any(port_above_max);
            if too_large {
                cx.report(
                    word.span,
                    format!("port `{ports}` is out of range: ports go from 0 to {MAX_PORT}"),
                );
            }
        }
    }
}

/// Returns whether `port` is a decimal number above `MAX_PORT`. A number with too many
/// digits for `u64` is above it too, so it is reported instead of skipped.
fn port_above_max(port: &str) -> bool {
    match port.parse::<u64>() {
        Ok(number) => number > MAX_PORT,
        Err(_) => !port.is_empty() && port.bytes().all(|byte| byte.is_ascii_digit()),
    }
}
