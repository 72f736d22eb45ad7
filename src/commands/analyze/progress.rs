//! The progress bar shown on standard error while layers are read.

use ballast_analyzer::image::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shows blob bytes read against the total when the source knows it, else a byte counter.
pub struct BarProgress {
    bar: Option<ProgressBar>,
}

impl BarProgress {
    pub fn new(visible: bool) -> BarProgress {
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_message("reading layers");
            bar
        });
        BarProgress { bar }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for BarProgress {
    fn start(&self, total_blob_bytes: Option<u64>) {
        let Some(bar) = &self.bar else { return };
        match total_blob_bytes {
            Some(total) => {
                bar.set_length(total);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec})",
                    )
                    .expect("the progress template is valid")
                    .progress_chars("=> "),
                );
            }
            None => bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg} {binary_bytes} ({binary_bytes_per_sec})",
                )
                .expect("the progress template is valid"),
            ),
        }
    }

    fn advance(&self, blob_bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(blob_bytes);
        }
    }

    fn hashing(&self, total_file_bytes: u64) {
        let Some(bar) = &self.bar else { return };
        // The same bar starts again for the second pass, so it is not full while files
        // are still hashed.
        bar.set_message("hashing files that may be duplicates");
        bar.set_length(total_file_bytes);
        bar.set_position(0);
        bar.reset_eta();
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec})",
            )
            .expect("the progress template is valid")
            .progress_chars("=> "),
        );
    }
}
