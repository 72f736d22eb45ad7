//! The image cases of the shared corpus: each case folder is copied to a temporary folder
//! (the corpus is read-only in CI), prepared, built with both builders, saved, and analyzed.
//! The expected figures are the ones each case's EXPECTED.md gives for the image.

mod common;

use std::path::Path;
use std::process::Command;

use common::engine::{Builder, engine};
use common::{TempFile, analyze_json, ballast, shared_dir, temp_dir, u64_at};

/// Copies a case folder, runs its `prepare.sh`, builds `dockerfile` and saves the image.
fn build_case(case: &str, dockerfile: &str, builder: Builder) -> Option<TempFile> {
    let engine = engine()?;
    if builder == Builder::BuildKit && !engine.has_buildkit() {
        return None;
    }
    let source = shared_dir().join("cases").join(case);
    let folder = temp_dir(&format!("{case}-{}", builder.name()));
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let prepared = Command::new("sh")
        .arg(folder.join("prepare.sh"))
        .status()
        .unwrap();
    assert!(prepared.success(), "{case}/prepare.sh failed");
    let tag = format!("ballast-test/case-{}:{}", &case[..2], builder.name());
    engine.build(builder, &folder, dockerfile, &tag).unwrap();
    let saved = engine.save(&tag, &folder);
    let name = saved.file_name().unwrap().to_str().unwrap().to_owned();
    Some(TempFile::new(folder, &name))
}

/// The wasted files of a report as (path, bytes, instruction of the storing layer,
/// instruction of the hiding layer, reason).
fn wasted_files(report: &serde_json::Value) -> Vec<(String, u64, String, String, String)> {
    let instruction = |index: &serde_json::Value| -> String {
        let index = index.as_u64().unwrap() as usize;
        report["layers"][index]["history"]["instruction"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    report["wasted"]["top_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            (
                file["path"].as_str().unwrap().to_owned(),
                file["bytes"].as_u64().unwrap(),
                instruction(&file["stored_in"]),
                instruction(&file["hidden_by"]),
                file["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn analyze(saved: &Path) -> serde_json::Value {
    let (code, report, stderr) = analyze_json(&[saved.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    report
}

fn chmod_rewrites_file(builder: Builder) {
    let Some(saved) = build_case("15-chmod-rewrites-file", "Dockerfile", builder) else {
        return;
    };
    let report = analyze(&saved);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 1_048_576);
    assert_eq!(u64_at(&report, "/base/stored_bytes"), 2_097_152);
    assert_eq!(report["base"]["wasted_ratio"], 0.5);
    let files = wasted_files(&report);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "/srv/data/blob.bin");
    assert!(
        files[0].2.starts_with("RUN mkdir -p /srv/data"),
        "{}",
        files[0].2
    );
    assert_eq!(files[0].3, "RUN chmod 600 /srv/data/blob.bin");
    assert_eq!(files[0].4, "metadata-only");
    assert_eq!(report["wasted"]["top_files"][0]["changed"]["mode"], true);
}

#[test]
fn case_chmod_rewrites_file_classic() {
    chmod_rewrites_file(Builder::Classic);
}

#[test]
fn case_chmod_rewrites_file_buildkit() {
    chmod_rewrites_file(Builder::BuildKit);
}

fn waste_attribution_per_instruction(builder: Builder) {
    let Some(saved) = build_case(
        "16-waste-attribution-per-instruction",
        "Dockerfile",
        builder,
    ) else {
        return;
    };
    let report = analyze(&saved);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 1_572_864);
    let files = wasted_files(&report);
    assert_eq!(files.len(), 3);
    let hiders: Vec<&str> = files.iter().map(|file| file.3.as_str()).collect();
    let mut sorted = hiders.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            "RUN chmod 640 /srv/settings.db",
            "RUN chown 1000:1000 /srv/settings.db",
            "RUN touch -d \"2020-01-01 00:00:00\" /srv/settings.db",
        ]
    );
    for file in &files {
        assert_eq!(file.0, "/srv/settings.db");
        assert_eq!(file.1, 524_288);
        assert_eq!(file.4, "metadata-only");
    }
    // The path is stored by four layers: the COPY and the three rewrites.
    let layers_with_copy = report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|layer| {
            layer["largest_files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|file| file["path"] == "/srv/settings.db")
        })
        .count();
    assert_eq!(layers_with_copy, 4);

    let output = ballast()
        .args(["analyze", "--no-progress"])
        .arg(&*saved)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("`COPY --chmod=…`, `COPY --chown=…`"), "{table}");
}

#[test]
fn case_waste_attribution_classic() {
    waste_attribution_per_instruction(Builder::Classic);
}

#[test]
fn case_waste_attribution_buildkit() {
    waste_attribution_per_instruction(Builder::BuildKit);
}

fn copy_then_delete_later(builder: Builder) {
    let Some(saved) = build_case("17-copy-then-delete-later", "Dockerfile", builder) else {
        return;
    };
    let report = analyze(&saved);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 3_145_728);
    let files = wasted_files(&report);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "/tmp/vendor-bundle.tgz");
    assert!(files[0].2.starts_with("COPY "), "{}", files[0].2);
    assert!(
        files[0].2.ends_with("/tmp/vendor-bundle.tgz"),
        "{}",
        files[0].2
    );
    assert_eq!(files[0].3, "RUN rm -f /tmp/vendor-bundle.tgz");
    assert_eq!(files[0].4, "deleted");
}

#[test]
fn case_copy_then_delete_classic() {
    copy_then_delete_later(Builder::Classic);
}

#[test]
fn case_copy_then_delete_buildkit() {
    copy_then_delete_later(Builder::BuildKit);
}

fn chown_after_copy(builder: Builder) {
    let Some(saved) = build_case("18-chown-after-copy", "Dockerfile", builder) else {
        return;
    };
    let report = analyze(&saved);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 1_048_585);
    let files = wasted_files(&report);
    let paths: Vec<&str> = files.iter().map(|file| file.0.as_str()).collect();
    assert_eq!(paths, vec!["/srv/app/static/bundle.js", "/srv/app/main.py"]);
    for file in &files {
        assert_eq!(file.3, "RUN chown -R 1000:1000 /srv/app");
        assert_eq!(file.4, "metadata-only");
    }
    assert_eq!(report["wasted"]["top_files"][0]["changed"]["owner"], true);
}

#[test]
fn case_chown_after_copy_classic() {
    chown_after_copy(Builder::Classic);
}

#[test]
fn case_chown_after_copy_buildkit() {
    chown_after_copy(Builder::BuildKit);
}

#[test]
fn case_trailing_comment_workdir_path() {
    let Some(saved) = build_case(
        "09-trailing-comment-on-instruction",
        "image.Dockerfile",
        Builder::Classic,
    ) else {
        return;
    };
    let source = ballast_analyzer::image::ImageSource::parse(saved.as_str());
    let analysis = ballast_analyzer::image::analyze(
        &source,
        &Default::default(),
        &ballast_analyzer::image::NoProgress,
    )
    .unwrap();
    assert!(analysis.tree.get("srv/app # application root").is_some());
    // The folder's name is `app # application root`; no `srv/app` exists.
    assert!(analysis.tree.get("srv/app").is_none());
}

#[test]
fn case_scratch_images_final_paths() {
    for (case, present, absent) in [
        (
            "19-scratch-without-ca-bundle",
            "bin/busybox",
            "etc/ssl/certs/ca-certificates.crt",
        ),
        (
            "20-dynamic-binary-in-scratch",
            "app",
            "lib64/ld-linux-x86-64.so.2",
        ),
    ] {
        let Some(saved) = build_case(case, "Dockerfile", Builder::Classic) else {
            return;
        };
        let source = ballast_analyzer::image::ImageSource::parse(saved.as_str());
        let analysis = ballast_analyzer::image::analyze(
            &source,
            &Default::default(),
            &ballast_analyzer::image::NoProgress,
        )
        .unwrap();
        assert!(analysis.tree.get(present).is_some(), "{case}: {present}");
        assert!(analysis.tree.get(absent).is_none(), "{case}: {absent}");
        assert_eq!(analysis.report.totals.wasted_bytes, 0, "{case}");
    }
}
