//! `ballast analyze` on images built by a real engine with both builders, read from every kind
//! of source: the engine itself, `docker save` (legacy layout), the Docker 25+ layout, skopeo's
//! `oci:` folders and `oci-archive:` tars (gzip and zstd), and standard input.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::engine::{BASE_IMAGE, Builder, engine, skopeo_copy};
use common::{TempFile, analyze_json, shared_dir, temp_dir, u64_at};

const MIB: u64 = 1024 * 1024;

/// Each kind of waste once, with random content so no two files share bytes. Layers 0 and 1
/// are the base image.
const WASTE_DOCKERFILE: &str = "\
FROM ballast-test/busybox
RUN mkdir -p /d/sub && head -c 1048576 /dev/urandom > /d/f2 && head -c 2097152 /dev/urandom > /d/sub/f1
RUN rm -rf /d
RUN head -c 3145728 /dev/urandom > /f
RUN head -c 1048576 /dev/urandom > /f
RUN chmod 600 /f
RUN mkdir /o && head -c 1048576 /dev/urandom > /o/a
RUN rm -rf /o && mkdir /o && echo hi > /o/b
";

fn build_waste_image(builder: Builder) -> Option<(String, TempFile)> {
    let engine = engine()?;
    if builder == Builder::BuildKit && !engine.has_buildkit() {
        return None;
    }
    let context = temp_dir(&format!("waste-{}", builder.name()));
    std::fs::write(context.join("Dockerfile"), WASTE_DOCKERFILE).unwrap();
    let tag = format!("ballast-test/waste:{}", builder.name());
    engine.build(builder, &context, "Dockerfile", &tag).unwrap();
    let saved = engine.save(&tag, &context);
    let name = saved.file_name().unwrap().to_str().unwrap().to_owned();
    Some((tag, TempFile::new(context, &name)))
}

/// Layer-pair waste as (stored in, hidden by, bytes), sorted.
fn waste_pairs(report: &serde_json::Value) -> Vec<(u64, u64, u64)> {
    let mut pairs: Vec<(u64, u64, u64)> = report["wasted"]["by_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair["stored_in"].as_u64().unwrap(),
                pair["hidden_by"].as_u64().unwrap(),
                pair["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

fn layer_stored_bytes(report: &serde_json::Value) -> Vec<u64> {
    report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| layer["stored_bytes"].as_u64().unwrap())
        .collect()
}

fn check_waste_figures(report: &serde_json::Value, source: &str) {
    assert_eq!(report["complete"], true, "{source}: {}", report["errors"]);
    assert_eq!(u64_at(report, "/totals/layers"), 9, "{source}");
    assert_eq!(u64_at(report, "/totals/wasted_bytes"), 8 * MIB, "{source}");
    assert_eq!(u64_at(report, "/base/layers"), 2, "{source}");
    assert_eq!(u64_at(report, "/base/wasted_bytes"), 8 * MIB, "{source}");
    assert_eq!(
        waste_pairs(report),
        vec![(2, 3, 3 * MIB), (4, 5, 3 * MIB), (5, 6, MIB), (7, 8, MIB)],
        "{source}"
    );
    assert_eq!(
        u64_at(report, "/totals/stored_bytes"),
        u64_at(report, "/totals/final_bytes") + 8 * MIB,
        "{source}"
    );
    let final_chmod = &report["wasted"]["by_reason"]["metadata-only"];
    assert_eq!(final_chmod["bytes"], MIB, "{source}");
    assert_eq!(
        report["wasted"]["by_reason"]["overwritten"]["bytes"],
        3 * MIB,
        "{source}"
    );
}

fn waste_image_all_sources(builder: Builder) {
    let Some((tag, saved)) = build_waste_image(builder) else {
        return;
    };
    let folder = saved.parent().unwrap().to_owned();
    let saved_text = saved.to_str().unwrap().to_owned();
    let base = ["--base-layers", "2"];

    let (code, legacy, stderr) = analyze_json(&[&saved_text, base[0], base[1]]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(legacy["source"]["format"], "docker-legacy");
    check_waste_figures(&legacy, "docker save");
    assert_eq!(
        legacy["wasted"]["by_reason"]["deleted"]["bytes"]
            .as_u64()
            .unwrap()
            + legacy["wasted"]["by_reason"]["opaque-folder"]["bytes"]
                .as_u64()
                .unwrap_or(0),
        4 * MIB
    );

    let (code, from_engine, stderr) = analyze_json(&[&tag, base[0], base[1]]);
    assert_eq!(code, 0, "{stderr}");
    check_waste_figures(&from_engine, "engine");

    let stdin = std::fs::File::open(&saved).unwrap();
    let output = common::ballast()
        .args(["analyze", "-", "--format", "json", "--base-layers", "2"])
        .stdin(Stdio::from(stdin))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let from_stdin: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    check_waste_figures(&from_stdin, "standard input");

    let layout = folder.join("layout");
    if !skopeo_copy(
        &format!("docker-archive:{saved_text}"),
        &format!("oci:{}", layout.display()),
        &[],
    ) {
        return;
    }
    let (code, oci_dir, stderr) =
        analyze_json(&[&format!("oci:{}", layout.display()), base[0], base[1]]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(oci_dir["source"]["format"], "oci-layout");
    check_waste_figures(&oci_dir, "oci folder");

    let gzip_archive = folder.join("gzip.oci.tar");
    skopeo_copy(
        &format!("docker-archive:{saved_text}"),
        &format!("oci-archive:{}", gzip_archive.display()),
        &[],
    );
    let (code, oci_gzip, stderr) = analyze_json(&[
        &format!("oci-archive:{}", gzip_archive.display()),
        base[0],
        base[1],
    ]);
    assert_eq!(code, 0, "{stderr}");
    check_waste_figures(&oci_gzip, "oci-archive gzip");
    assert_eq!(oci_gzip["layers"][2]["compression"], "gzip");

    let zstd_archive = folder.join("zstd.oci.tar");
    skopeo_copy(
        &format!("docker-archive:{saved_text}"),
        &format!("oci-archive:{}", zstd_archive.display()),
        &["--dest-compress-format", "zstd"],
    );
    let (code, oci_zstd, stderr) = analyze_json(&[
        &format!("oci-archive:{}", zstd_archive.display()),
        base[0],
        base[1],
    ]);
    assert_eq!(code, 0, "{stderr}");
    check_waste_figures(&oci_zstd, "oci-archive zstd");
    assert_eq!(oci_zstd["layers"][2]["compression"], "zstd");

    let docker25 = convert_docker25(&saved, &folder, false);
    let docker25_gzip = convert_docker25(&saved, &folder, true);
    for (path, name) in [
        (docker25, "docker 25 layout"),
        (docker25_gzip, "docker 25 layout, gzip"),
    ] {
        let (code, report, stderr) = analyze_json(&[path.to_str().unwrap(), base[0], base[1]]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(report["source"]["format"], "docker-oci");
        check_waste_figures(&report, name);
    }

    // Every source reports the same layers with the same history.
    for other in [&from_engine, &from_stdin, &oci_dir, &oci_gzip, &oci_zstd] {
        assert_eq!(layer_stored_bytes(other), layer_stored_bytes(&legacy));
        assert_eq!(other["history"], legacy["history"]);
        assert_eq!(other["dive"], legacy["dive"]);
    }

    check_against_oracle(&saved, &legacy);
}

fn convert_docker25(saved: &Path, folder: &Path, gzip: bool) -> PathBuf {
    let out = folder.join(if gzip { "d25-gzip.tar" } else { "d25.tar" });
    let script = shared_dir().join("tools/image/to_docker25.py");
    let mut command = Command::new("python3");
    command.arg(script).arg(saved).arg(&out);
    if gzip {
        command.arg("--gzip");
    }
    let status = command.status().expect("python3 runs");
    assert!(status.success(), "to_docker25.py failed");
    out
}

/// Compares wasted bytes and dive's figures with the independent Python analyzer.
fn check_against_oracle(saved: &Path, report: &serde_json::Value) {
    let output = Command::new("python3")
        .arg(shared_dir().join("tools/image/ref_analyze.py"))
        .arg(saved)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let oracle: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["totals"]["wasted_bytes"],
        oracle["overlay"]["wasted_bytes"]
    );
    assert_eq!(
        report["totals"]["stored_bytes"],
        oracle["overlay"]["total_layer_file_bytes"]
    );
    assert_eq!(
        report["totals"]["final_bytes"],
        oracle["overlay"]["final_visible_bytes"]
    );
    assert_eq!(
        report["dive"]["wasted_bytes"],
        oracle["dive_emulation"]["wasted_bytes"]
    );
    let efficiency = report["dive"]["efficiency"].as_f64().unwrap();
    let expected = oracle["dive_emulation"]["efficiency"].as_f64().unwrap();
    assert!(
        (efficiency - expected).abs() < 1e-12,
        "{efficiency} vs {expected}"
    );
}

#[test]
fn waste_image_classic_builder() {
    waste_image_all_sources(Builder::Classic);
}

#[test]
fn waste_image_buildkit() {
    waste_image_all_sources(Builder::BuildKit);
}

#[test]
fn engine_reports_missing_image() {
    if engine().is_none() {
        return;
    }
    let output = common::ballast()
        .args([
            "analyze",
            "ballast-test/does-not-exist:never",
            "--no-progress",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not found"), "{stderr}");
    assert!(
        stderr.contains("ballast-test/does-not-exist:never"),
        "{stderr}"
    );
}

#[test]
fn docker_host_tcp_is_rejected() {
    let output = common::ballast()
        .args(["analyze", "some/image", "--no-progress"])
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DOCKER_HOST=tcp://127.0.0.1:1"));
}

#[test]
fn docker_host_without_socket_path_is_named() {
    let output = common::ballast()
        .args(["analyze", "some/image", "--no-progress"])
        .env("DOCKER_HOST", "unix://")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DOCKER_HOST=unix:// names no socket path"), "{stderr}");
    assert!(!stderr.contains("not supported"), "{stderr}");
}

#[test]
fn base_image_has_busybox_layers() {
    if engine().is_none() {
        return;
    }
    let (code, report, stderr) = analyze_json(&[BASE_IMAGE]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(u64_at(&report, "/totals/layers"), 2);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 0);
    let busybox = std::fs::metadata("/bin/busybox").unwrap().len();
    assert_eq!(u64_at(&report, "/layers/0/stored_bytes"), busybox);
    assert!(u64_at(&report, "/layers/1/symlinks") > 100);
}

#[test]
fn engine_image_platform_is_checked() {
    if engine().is_none() {
        return;
    }
    let (code, report, stderr) = analyze_json(&[BASE_IMAGE]);
    assert_eq!(code, 0, "{stderr}");
    let own = format!("linux/{}", report["source"]["architecture"].as_str().unwrap());
    let other = if own == "linux/s390x" { "linux/arm64" } else { "linux/s390x" };

    let (code, stderr) = common::analyze_failure(&[BASE_IMAGE, "--platform", other]);
    assert_eq!(code, 2);
    let expected = format!("no image matches platform {other}; available: {own}");
    assert!(stderr.contains(&expected), "{stderr}");

    let (code, _, stderr) = analyze_json(&[BASE_IMAGE, "--platform", &own]);
    assert_eq!(code, 0, "{stderr}");
}

/// Builds an image whose last RUN runs after a `SHELL` instruction and returns the
/// instructions of its history, read from the engine.
fn shell_image_instructions(builder: Builder) -> Option<Vec<String>> {
    let engine = engine()?;
    if builder == Builder::BuildKit && !engine.has_buildkit() {
        return None;
    }
    let context = temp_dir(&format!("shell-{}", builder.name()));
    std::fs::write(
        context.join("Dockerfile"),
        "FROM ballast-test/busybox\nARG BA=1\nRUN echo $BA > /x\n\
         SHELL [\"/bin/busybox\", \"sh\", \"-c\"]\nRUN echo hi > /y\n",
    )
    .unwrap();
    let tag = format!("ballast-test/shell:{}", builder.name());
    engine.build(builder, &context, "Dockerfile", &tag).unwrap();
    let (code, report, stderr) = analyze_json(&[&tag]);
    assert_eq!(code, 0, "{stderr}");
    let history = report["history"].as_array().unwrap();
    Some(
        history
            .iter()
            .map(|entry| entry["instruction"].as_str().unwrap_or("").to_owned())
            .collect(),
    )
}

fn check_shell_history(builder: Builder) {
    let Some(instructions) = shell_image_instructions(builder) else {
        return;
    };
    let last = instructions.last().unwrap();
    assert_eq!(last, "RUN echo hi > /y", "{instructions:?}");
    assert!(
        instructions.iter().any(|text| text == "RUN echo $BA > /x"),
        "{instructions:?}"
    );
    assert!(
        instructions.iter().any(|text| text == "SHELL [/bin/busybox sh -c]"),
        "{instructions:?}"
    );
}

#[test]
fn shell_history_classic_builder() {
    check_shell_history(Builder::Classic);
}

#[test]
fn shell_history_buildkit() {
    check_shell_history(Builder::BuildKit);
}
