//! The progress bar shown on standard error while layers are read.

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use ballast_analyzer::image::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The widest text of `{binary_bytes}` (`1023.99 MiB`).
const BYTES_COLUMNS: usize = 11;
/// The narrowest bar worth drawing; below it the bar is left out.
const MIN_BAR: usize = 10;
const MAX_BAR: usize = 30;

/// The message of a pass, and a shorter one for narrow terminals.
const READING: [&str; 2] = ["reading layers", "reading"];
const HASHING: [&str; 2] = ["hashing files that may be duplicates", "hashing"];

/// Shows blob bytes read against their total when the source reports one, else a byte
/// counter, then the bytes hashed against the bytes to hash.
pub struct BarProgress {
    /// The terminal that bars draw on, or `None` when no bar is shown.
    screen: Option<Screen>,
    /// The bar of the current pass. Each pass gets a bar of its own, so nothing of the
    /// previous pass shows in a frame of the next.
    pass: RwLock<Option<Pass>>,
}

/// A draw target for each new bar and the width of the terminal it draws on.
struct Screen {
    target: Box<dyn Fn() -> ProgressDrawTarget + Send + Sync>,
    columns: Box<dyn Fn() -> Option<u16> + Send + Sync>,
}

struct Pass {
    bar: ProgressBar,
    /// The bytes reported so far and the pass's total; the bar stops at the total.
    done: AtomicU64,
    total: Option<u64>,
}

impl BarProgress {
    pub fn new(visible: bool) -> BarProgress {
        let screen = visible.then(|| Screen {
            target: Box::new(ProgressDrawTarget::stderr),
            columns: Box::new(|| {
                console::Term::stderr()
                    .size_checked()
                    .map(|(_, columns)| columns)
            }),
        });
        BarProgress::on(screen)
    }

    fn on(screen: Option<Screen>) -> BarProgress {
        BarProgress {
            screen,
            pass: RwLock::new(None),
        }
    }

    pub fn finish(&self) {
        let pass = self.pass.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(pass) = pass.as_ref() {
            pass.bar.finish_and_clear();
        }
    }

    /// Clears the bar of the previous pass and shows a new one at zero.
    fn begin(&self, messages: [&str; 2], total: Option<u64>) {
        let Some(screen) = &self.screen else { return };
        // A terminal that does not report its width gets the common 80 columns.
        let columns = (screen.columns)().map_or(80, usize::from);
        let (template, message) = layout(messages, total.is_some(), columns);
        let style = ProgressStyle::with_template(&template)
            .expect("the progress template is valid")
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(total, (screen.target)())
            .with_style(style)
            .with_message(message.to_owned());
        let mut pass = self.pass.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(previous) = pass.take() {
            previous.bar.finish_and_clear();
        }
        bar.tick();
        *pass = Some(Pass {
            bar,
            done: AtomicU64::new(0),
            total,
        });
    }
}

/// Returns the template of a bar and the message it shows, so that the line fits in
/// `columns - 1` columns whatever the byte counts. The first that fits of these is chosen: the
/// full message, bar and rate, then no rate, then the short message, then no bar. The last
/// column stays free, so a redraw does not wrap to a second line.
fn layout<'a>(messages: [&'a str; 2], total: bool, columns: usize) -> (String, &'a str) {
    let budget = columns.saturating_sub(1);
    let rate = " ({binary_bytes_per_sec})";
    let rate_columns = " (/s)".len() + BYTES_COLUMNS;
    let choices = [(messages[0], true), (messages[0], false), (messages[1], false)];
    if total {
        let bytes_columns = 2 * BYTES_COLUMNS + 1;
        for (message, with_rate) in choices {
            let fixed = message.len() + " [] ".len() + bytes_columns
                + if with_rate { rate_columns } else { 0 };
            if fixed + MIN_BAR <= budget {
                let bar = (budget - fixed).min(MAX_BAR);
                let rate = if with_rate { rate } else { "" };
                let counts = "{binary_bytes}/{binary_total_bytes}";
                let template = format!("{{msg}} [{{bar:{bar}}}] {counts}{rate}");
                return (template, message);
            }
        }
        if messages[1].len() + 1 + bytes_columns <= budget {
            return ("{msg} {binary_bytes}/{binary_total_bytes}".to_owned(), messages[1]);
        }
        return ("{binary_bytes}/{binary_total_bytes}".to_owned(), messages[1]);
    }
    for (message, with_rate) in choices {
        // The spinner and the spaces around the message.
        let fixed = 3 + message.len() + BYTES_COLUMNS + if with_rate { rate_columns } else { 0 };
        if fixed <= budget {
            let rate = if with_rate { rate } else { "" };
            return (format!("{{spinner}} {{msg}} {{binary_bytes}}{rate}"), message);
        }
    }
    ("{spinner} {binary_bytes}".to_owned(), messages[1])
}

impl Progress for BarProgress {
    fn start(&self, total_blob_bytes: Option<u64>) {
        self.begin(READING, total_blob_bytes);
    }

    fn advance(&self, blob_bytes: u64) {
        let pass = self.pass.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(pass) = pass.as_ref() else { return };
        let before = pass.done.fetch_add(blob_bytes, Ordering::Relaxed);
        let step = match pass.total {
            // Bytes counted past the total, as from a blob longer than its descriptor's
            // size, leave the bar full instead of showing more done than there is.
            Some(total) => before.saturating_add(blob_bytes).min(total) - before.min(total),
            None => blob_bytes,
        };
        if step > 0 {
            pass.bar.inc(step);
        }
    }

    fn hashing(&self, total_file_bytes: u64) {
        self.begin(HASHING, Some(total_file_bytes));
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use ballast_analyzer::image::Progress;
    use indicatif::{ProgressDrawTarget, TermLike};

    use super::{BarProgress, Screen};

    /// A terminal of a fixed width that keeps every line drawn on it.
    #[derive(Debug, Clone)]
    struct Recorder {
        columns: u16,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            self.columns
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, line: &str) -> io::Result<()> {
            self.write_str(line)
        }
        fn write_str(&self, text: &str) -> io::Result<()> {
            // Clearing a bar writes a line of spaces.
            if !text.trim().is_empty() {
                self.lines.lock().unwrap().push(text.to_owned());
            }
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    fn progress_on(recorder: &Recorder) -> BarProgress {
        let (target, columns) = (recorder.clone(), recorder.columns);
        BarProgress::on(Some(Screen {
            target: Box::new(move || ProgressDrawTarget::term_like(Box::new(target.clone()))),
            columns: Box::new(move || Some(columns)),
        }))
    }

    /// Reads `1.50 MiB` or `12 B` as bytes.
    fn bytes(number: &str, unit: &str) -> f64 {
        let power = ["B", "KiB", "MiB", "GiB", "TiB"].iter().position(|&known| known == unit);
        let power = power.unwrap_or_else(|| panic!("unit {unit}"));
        number.parse::<f64>().unwrap() * 1024f64.powi(power as i32)
    }

    /// Returns the `DONE/TOTAL` counts of a frame in bytes.
    fn counts(line: &str) -> Option<(f64, f64)> {
        let (before, after) = line.split_once('/')?;
        let done: Vec<&str> = before.split_whitespace().rev().take(2).collect();
        let total: Vec<&str> = after.split_whitespace().take(2).collect();
        Some((bytes(done[1], done[0]), bytes(total[0], total[1])))
    }

    /// Reads 12 MiB of layers, then hashes 6 MiB, as an image with two duplicate files does.
    fn run(progress: &BarProgress) {
        progress.start(Some(12 << 20));
        for _ in 0..12 {
            progress.advance(1 << 20);
        }
        progress.hashing(6 << 20);
        for _ in 0..6 {
            progress.advance(1 << 20);
        }
        progress.finish();
    }

    /// The hashing bar starts at zero, and no frame shows more done than its total.
    #[test]
    fn each_pass_starts_at_zero() {
        let recorder = Recorder {
            columns: 200,
            lines: Arc::default(),
        };
        run(&progress_on(&recorder));
        let lines = recorder.lines.lock().unwrap();
        let hashing: Vec<&String> = lines.iter().filter(|line| line.contains("hashing")).collect();
        assert!(hashing[0].contains(" 0 B/6.00 MiB"), "{lines:#?}");
        for line in lines.iter() {
            let (done, total) = counts(line).unwrap_or_else(|| panic!("no counts in {line}"));
            assert!(done <= total, "{line}");
            if line.contains("hashing") {
                assert_eq!(total, (6 << 20) as f64, "{line}");
            }
        }
    }

    /// Bytes counted past the total, such as a blob longer than its descriptor, leave the bar
    /// at its total.
    #[test]
    fn bar_stops_at_its_total() {
        let recorder = Recorder {
            columns: 120,
            lines: Arc::default(),
        };
        let progress = progress_on(&recorder);
        progress.start(Some(3 << 20));
        for _ in 0..5 {
            progress.advance(1 << 20);
        }
        let pass = progress.pass.read().unwrap();
        assert_eq!(pass.as_ref().unwrap().bar.position(), 3 << 20);
        drop(pass);
        progress.finish();
        for line in recorder.lines.lock().unwrap().iter() {
            let (done, total) = counts(line).unwrap();
            assert!(done <= total, "{line}");
        }
    }

    /// Every frame leaves the last column free with the widest byte counts, at widths from 36
    /// columns up. The spinner of a source without a total does too.
    #[test]
    fn frames_fit_the_terminal() {
        for columns in [36u16, 50, 80, 200] {
            let recorder = Recorder {
                columns,
                lines: Arc::default(),
            };
            let progress = progress_on(&recorder);
            run(&progress);
            let big = 1023 * (1 << 30) + 1000 * (1 << 20);
            progress.start(Some(big));
            progress.advance(big - 1);
            progress.hashing(big);
            progress.advance(big - 1);
            progress.start(None);
            progress.advance(big);
            progress.finish();
            let lines = recorder.lines.lock().unwrap();
            assert!(lines.iter().any(|line| line.contains("GiB/1023.98 GiB")), "{lines:#?}");
            for line in lines.iter() {
                let width = line.chars().count();
                assert!(width < usize::from(columns), "{columns} columns: {line:?}");
            }
            if columns >= 50 {
                assert!(lines.iter().any(|line| line.contains("[=")), "{lines:#?}");
            }
        }
    }
}
