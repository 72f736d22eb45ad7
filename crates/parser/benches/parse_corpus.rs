//! Parser throughput: the whole real corpus, and synthetic files of 1,000, 10,000 and
//! 100,000 lines to show how the time grows with the input.
//!
//! Throughput is in decimal megabytes of input per second. On 64-bit Linux the benchmark
//! measures the CPU time of its own thread, so that other processes on a shared machine do
//! not inflate the numbers. Elsewhere it measures wall-clock time. `bench/parser.sh` runs it
//! on one core, and `docs/BENCHMARKS.md` records the results.

use std::fs;
use std::hint::black_box;
use std::path::PathBuf;

use ballast_parser::parse;
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
}

/// Reads every file named in the corpus's `MANIFEST.tsv`.
fn corpus_files() -> Vec<String> {
    let manifest_path = corpus().join("MANIFEST.tsv");
    let manifest = fs::read_to_string(&manifest_path)
        .unwrap_or_else(|error| panic!("{}: {error}", manifest_path.display()));
    manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .map(|name| {
            let bytes =
                fs::read(corpus().join(name)).unwrap_or_else(|error| panic!("{name}: {error}"));
            String::from_utf8_lossy(&bytes).into_owned()
        })
        .collect()
}

/// Lines of a typical multi-stage Dockerfile: comments, blank lines, continuations, a
/// heredoc, flags and ENV pairs. Ten lines a block.
const BLOCK: &[&str] = &[
    "# build stage",
    "FROM --platform=$BUILDPLATFORM golang:1.22 AS build",
    "ENV CGO_ENABLED=0 GOFLAGS=\"-trimpath -mod=readonly\"",
    "RUN --mount=type=cache,target=/root/.cache/go-build \\",
    "    go build -o /out/app ./cmd/app && \\",
    "    strip /out/app",
    "COPY <<EOF /etc/app.conf",
    "listen = \"0.0.0.0:8080\"",
    "EOF",
    "",
];

/// Builds a synthetic Dockerfile of `lines` lines from repeated blocks.
fn synthetic(lines: usize) -> String {
    let mut text = String::new();
    for line in BLOCK.iter().cycle().take(lines) {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Parses the whole corpus; the time includes dropping the trees, as a caller pays it.
fn corpus_throughput<M: Measurement>(c: &mut Criterion<M>) {
    let files = corpus_files();
    let bytes: usize = files.iter().map(String::len).sum();

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::BytesDecimal(bytes as u64));
    group.bench_function(format!("{} files", files.len()), |b| {
        b.iter(|| {
            for text in &files {
                black_box(parse(black_box(text)));
            }
        })
    });
    group.finish();
}

/// Parses synthetic files of growing size, without and with dropping the tree, because
/// freeing a large tree costs more per byte than freeing a small one.
fn linearity<M: Measurement>(c: &mut Criterion<M>) {
    let texts: Vec<(usize, String)> = [1_000, 10_000, 100_000]
        .into_iter()
        .map(|lines| (lines, synthetic(lines)))
        .collect();

    let mut group = c.benchmark_group("lines");
    group.sample_size(20);
    for (lines, text) in &texts {
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(lines), text, |b, text| {
            b.iter_with_large_drop(|| parse(black_box(text)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("lines and drop");
    group.sample_size(20);
    for (lines, text) in &texts {
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(lines), text, |b, text| {
            b.iter(|| black_box(parse(black_box(text))))
        });
    }
    group.finish();
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod cpu_time {
    use std::time::Duration;

    use criterion::measurement::{Measurement, ValueFormatter, WallTime};

    /// `CLOCK_THREAD_CPUTIME_ID` from Linux's `<time.h>`.
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

    /// `struct timespec` on 64-bit Linux.
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }

    unsafe extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }

    /// Durations are formatted like wall-clock ones: both are nanoseconds.
    static WALL_TIME: WallTime = WallTime;

    /// The CPU time consumed by the calling thread.
    pub struct ThreadCpuTime;

    fn now() -> Duration {
        let mut time = Timespec {
            seconds: 0,
            nanoseconds: 0,
        };
        // SAFETY: `time` is a valid, writable `struct timespec`, and this clock exists on
        // every Linux since 2.6.12.
        let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
        assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        Duration::new(time.seconds as u64, time.nanoseconds as u32)
    }

    impl Measurement for ThreadCpuTime {
        type Intermediate = Duration;
        type Value = Duration;

        fn start(&self) -> Duration {
            now()
        }

        fn end(&self, start: Duration) -> Duration {
            now().saturating_sub(start)
        }

        fn add(&self, a: &Duration, b: &Duration) -> Duration {
            *a + *b
        }

        fn zero(&self) -> Duration {
            Duration::ZERO
        }

        fn to_f64(&self, value: &Duration) -> f64 {
            value.as_nanos() as f64
        }

        fn formatter(&self) -> &dyn ValueFormatter {
            WALL_TIME.formatter()
        }
    }
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn config() -> Criterion<cpu_time::ThreadCpuTime> {
    Criterion::default().with_measurement(cpu_time::ThreadCpuTime)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn config() -> Criterion {
    Criterion::default()
}

criterion_group! {
    name = benches;
    config = config();
    targets = corpus_throughput, linearity
}
criterion_main!(benches);
