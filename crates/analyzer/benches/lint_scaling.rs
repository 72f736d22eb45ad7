//! Lint time for one-stage Dockerfiles of 100, 1,000 and 10,000 lines of ENV and RUN
//! pairs. Linear linting shows the same time per line at every size; criterion reports
//! the throughput in lines per second.

#[path = "../tests/scaling/input.rs"]
mod input;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use ballast_analyzer::config::Config;
use ballast_analyzer::lint;
use ballast_analyzer::rules::FileContext;

fn lint_scaling(criterion: &mut Criterion) {
    let config = Config::default();
    let file = FileContext::default();
    let generators: [(&str, fn(usize) -> String); 2] = [
        ("env_and_run_pairs", input::env_and_run_pairs),
        ("with_references", input::env_and_run_with_references),
    ];
    for (name, generate) in generators {
        let mut group = criterion.benchmark_group(name);
        group.sample_size(10);
        for lines in [100, 1_000, 10_000] {
            let text = generate(lines);
            group.throughput(Throughput::Elements(text.lines().count() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(lines), &text, |bench, text| {
                bench.iter(|| lint(text, &config, &file))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, lint_scaling);
criterion_main!(benches);
