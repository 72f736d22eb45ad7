//! `ballast analyze` on archives the tests write themselves: the Docker 25+ layout with a
//! repeated blob, zstd layers, nested and multi-platform indexes with attestation manifests,
//! and legacy archives whose repeated layers are symlinks.

mod common;

use serde_json::json;

use common::fixtures::{INDEX, Item, LAYER_TAR, LAYER_ZSTD, Layout, legacy_archive, sha256, zstd};
use common::{analyze_json, temp_dir, u64_at};

const MIB: usize = 1024 * 1024;

fn stored(report: &serde_json::Value) -> Vec<u64> {
    report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| layer["stored_bytes"].as_u64().unwrap())
        .collect()
}

#[test]
fn legacy_symlinked_layer_counts_twice() {
    let data = vec![5u8; MIB];
    let base = common::fixtures::layer(&[Item::File("bin/sh", b"#!")]);
    let copy = common::fixtures::layer(&[Item::File("x", &data)]);
    let remove = common::fixtures::layer(&[Item::File(".wh.x", b"")]);
    let folder = temp_dir("legacy-symlink");
    let archive = folder.join("image.tar");
    legacy_archive(
        &archive,
        &[&base, &copy, &remove, &copy],
        &[None, None, None, Some(1)],
    );

    let (code, report, stderr) = analyze_json(&[archive.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["source"]["format"], "docker-legacy");
    assert_eq!(stored(&report), vec![2, MIB as u64, 0, MIB as u64]);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), MIB as u64);
    assert_eq!(u64_at(&report, "/wasted/top_files/0/stored_in"), 1);
    assert_eq!(u64_at(&report, "/wasted/top_files/0/hidden_by"), 2);
}

#[test]
fn docker25_layout_repeated_blob() {
    let data = vec![7u8; MIB];
    let copy = common::fixtures::layer(&[Item::File("x", &data)]);
    let remove = common::fixtures::layer(&[Item::File(".wh.x", b"")]);
    let mut layout = Layout::default();
    let manifest = layout.image(&[&copy, &remove, &copy], LAYER_TAR, "amd64");
    let index = Layout::index_json(&[json!({
        "mediaType": manifest["mediaType"],
        "digest": manifest["digest"],
        "size": manifest["size"],
        "annotations": {
            "io.containerd.image.name": "docker.io/library/fixture:d25",
            "org.opencontainers.image.ref.name": "d25"
        }
    })]);
    let config_digest = layout.blobs[0].0.clone();
    let layer_path = format!("blobs/sha256/{}", &sha256(&copy)[7..]);
    let remove_path = format!("blobs/sha256/{}", &sha256(&remove)[7..]);
    let docker_manifest = json!([{
        "Config": format!("blobs/sha256/{}", &config_digest[7..]),
        "RepoTags": ["fixture:d25"],
        "Layers": [layer_path, remove_path, layer_path],
    }]);
    let folder = temp_dir("d25");
    let archive = folder.join("image.tar");
    layout.write_tar(&archive, &index, Some(docker_manifest));

    let (code, report, stderr) = analyze_json(&[archive.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["source"]["format"], "docker-oci");
    assert_eq!(
        report["source"]["reference"],
        "docker.io/library/fixture:d25"
    );
    assert_eq!(stored(&report), vec![MIB as u64, 0, MIB as u64]);
    // The first copy is deleted, the second is visible: one copy wasted (dive counts both).
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), MIB as u64);
    assert_eq!(u64_at(&report, "/dive/wasted_bytes"), 2 * MIB as u64);
    assert_eq!(report["layers"][0]["media_type"], LAYER_TAR);
}

#[test]
fn zstd_layers_in_oci_folder() {
    let first = common::fixtures::layer(&[Item::Folder("o"), Item::File("o/a", &[1u8; 4096])]);
    let second = common::fixtures::layer(&[
        Item::Folder("o"),
        Item::File("o/.wh..wh..opq", b""),
        Item::File("o/b", b"hi\n"),
    ]);
    let mut layout = Layout::default();
    let manifest = layout.image(&[&first, &second], LAYER_ZSTD, "amd64");
    let folder = temp_dir("zstd-layout");
    layout.write_folder(&folder, &Layout::index_json(&[manifest]));

    let (code, report, stderr) = analyze_json(&[&format!("oci:{}", folder.display())]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["layers"][0]["compression"], "zstd");
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 4096);
    assert_eq!(report["wasted"]["top_files"][0]["reason"], "opaque-folder");
    assert_eq!(u64_at(&report, "/layers/1/opaque_folders"), 1);
    assert_eq!(
        u64_at(&report, "/layers/0/blob_bytes"),
        zstd(&first).len() as u64
    );
}

/// An index that nests another index holding two platforms and an attestation manifest.
fn multi_platform_layout() -> (Layout, Vec<u8>) {
    let amd = common::fixtures::layer(&[Item::File("amd64-only", &[1u8; 1000])]);
    let arm = common::fixtures::layer(&[Item::File("arm64-only", &[2u8; 2000])]);
    let statement = common::fixtures::layer(&[Item::File("provenance.json", b"{}")]);
    let mut layout = Layout::default();
    let mut amd_manifest = layout.image(&[&amd], LAYER_TAR, "amd64");
    amd_manifest["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let mut arm_manifest = layout.image(&[&arm], LAYER_TAR, "arm64");
    arm_manifest["platform"] = json!({"os": "linux", "architecture": "arm64"});
    let mut attestation = layout.image(&[&statement], LAYER_TAR, "unknown");
    attestation["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    attestation["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": amd_manifest["digest"],
    });
    // The attestation comes first so that taking the first manifest would be wrong.
    let inner = Layout::index_json(&[attestation, arm_manifest, amd_manifest]);
    let mut inner_descriptor = layout.blob(INDEX, inner);
    inner_descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": "v1"});
    let outer = Layout::index_json(&[inner_descriptor]);
    (layout, outer)
}

#[test]
fn nested_index_picks_platform() {
    let (layout, index) = multi_platform_layout();
    let folder = temp_dir("multi-platform");
    layout.write_folder(&folder, &index);
    let source = format!("oci:{}", folder.display());

    let (code, amd, stderr) = analyze_json(&[&source, "--platform", "linux/amd64"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(amd["largest_files"][0]["path"], "/amd64-only");
    assert_eq!(amd["source"]["reference"], "v1");

    let (code, arm, stderr) = analyze_json(&[&source, "--platform", "linux/arm64"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(arm["largest_files"][0]["path"], "/arm64-only");
    assert_eq!(arm["source"]["architecture"], "arm64");

    let (code, stderr) = common::analyze_failure(&[&source, "--platform", "linux/s390x"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("platform linux/s390x"), "{stderr}");
    assert!(stderr.contains("linux/amd64"), "{stderr}");
}

#[test]
fn oci_archive_reference_selects_image() {
    let (layout, index) = multi_platform_layout();
    let folder = temp_dir("oci-archive-ref");
    let archive = folder.join("image.tar");
    layout.write_tar(&archive, &index, None);

    let (code, report, stderr) = analyze_json(&[
        &format!("oci-archive:{}:v1", archive.display()),
        "--platform",
        "linux/amd64",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["source"]["format"], "oci-layout");

    let (code, stderr) =
        common::analyze_failure(&[&format!("oci-archive:{}:v2", archive.display())]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no image matches v2"), "{stderr}");
}

#[test]
fn history_mismatch_is_a_warning() {
    let only = common::fixtures::layer(&[Item::File("a", b"a")]);
    let mut layout = Layout::default();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [sha256(&only)]},
        "history": [{"created_by": "RUN one"}, {"created_by": "RUN two"}],
    }))
    .unwrap();
    let config_descriptor = layout.blob("application/vnd.oci.image.config.v1+json", config);
    let layer_descriptor = layout.blob(LAYER_TAR, only.clone());
    let manifest = json!({"schemaVersion": 2, "mediaType": common::fixtures::MANIFEST,
        "config": config_descriptor, "layers": [layer_descriptor]});
    let manifest_descriptor = layout.blob(
        common::fixtures::MANIFEST,
        serde_json::to_vec(&manifest).unwrap(),
    );
    let folder = temp_dir("history-mismatch");
    layout.write_folder(&folder, &Layout::index_json(&[manifest_descriptor]));

    let (code, report, stderr) = analyze_json(&[&format!("oci:{}", folder.display())]);
    assert_eq!(code, 0, "{stderr}");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("2 entries that make a layer but the image has 1 layer;"),
        "{warnings}"
    );
    assert!(report["layers"][0]["history"].is_null());
}

/// A threshold option turns the gate on without `--ci`, as in `ballast build`; `--ci`
/// alone uses the default gate.
#[test]
fn threshold_options_gate_without_ci() {
    let data = vec![5u8; MIB];
    let base = common::fixtures::layer(&[Item::File("bin/sh", b"#!")]);
    let copy = common::fixtures::layer(&[Item::File("x", &data)]);
    let remove = common::fixtures::layer(&[Item::File(".wh.x", b"")]);
    let folder = temp_dir("gate-without-ci");
    let archive = folder.join("image.tar");
    legacy_archive(&archive, &[&base, &copy, &remove], &[]);
    let archive = archive.to_str().unwrap();

    let (plain, report, _) = analyze_json(&[archive]);
    assert_eq!(plain, 0, "without a gate option the exit status ignores waste");
    assert!(report.get("gate").is_none_or(|gate| gate.is_null()));

    let (over, report, stderr) = analyze_json(&[archive, "--max-wasted-bytes", "100KB"]);
    assert_eq!(over, 1, "{stderr}");
    assert_eq!(report["gate"]["passed"], false);
    // The display strings stay; the numbers beside them are for scripts.
    let rule = &report["gate"]["rules"][0];
    assert_eq!(rule["threshold"], "100000 bytes", "{rule}");
    assert_eq!(rule["threshold_value"], 100_000, "{rule}");
    assert_eq!(rule["actual_value"], MIB, "{rule}");
    assert_eq!(rule["unit"], "bytes", "{rule}");

    let (under, _, stderr) = analyze_json(&[archive, "--max-wasted-bytes", "2MiB"]);
    assert_eq!(under, 0, "{stderr}");

    let (size, report, stderr) = analyze_json(&[archive, "--max-image-size", "1KB"]);
    assert_eq!(size, 1, "{stderr}");
    let rule = &report["gate"]["rules"][0];
    assert_eq!(rule["threshold_value"], 1000, "{rule}");
    assert_eq!(rule["actual_value"], report["totals"]["tar_bytes"], "{rule}");
    assert_eq!(rule["unit"], "bytes", "{rule}");

    let (default_gate, report, stderr) = analyze_json(&[archive, "--ci"]);
    assert_eq!(default_gate, 1, "{stderr}");
    let figures: Vec<(&str, f64, f64, &str)> = report["gate"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            (
                rule["rule"].as_str().unwrap(),
                rule["threshold_value"].as_f64().unwrap(),
                rule["actual_value"].as_f64().unwrap(),
                rule["unit"].as_str().unwrap(),
            )
        })
        .collect();
    // Every byte stored above the base is wasted: the copy of `x` that a whiteout removes.
    let efficiency = report["totals"]["efficiency"].as_f64().unwrap();
    assert_eq!(
        figures,
        [
            ("min-efficiency", 0.9, efficiency, "ratio"),
            ("max-wasted-percent", 10.0, 100.0, "percent"),
        ]
    );
}

/// Writes an image that wastes nothing, so it passes dive's default rules, and returns its
/// path.
fn clean_archive(folder: &std::path::Path) -> String {
    let base = common::fixtures::layer(&[Item::File("bin/sh", b"#!")]);
    let data = common::fixtures::layer(&[Item::File("data", &[7u8; 4096])]);
    let archive = folder.join("image.tar");
    legacy_archive(&archive, &[&base, &data], &[]);
    archive.to_str().unwrap().to_owned()
}

/// Runs `ballast analyze ARGS…` in `folder` and returns the exit code, standard output and
/// standard error.
fn analyze_in(folder: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let output = common::ballast()
        .current_dir(folder)
        .arg("analyze")
        .args(args)
        .arg("--no-progress")
        .output()
        .expect("the ballast binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// dive 0.13.1 stops on a `.dive-ci` file that is not YAML, whose `rules` is a list, or whose
/// value has the wrong type. ballast stops too, with exit status 2, before it reads the image.
#[test]
fn invalid_dive_ci_file_stops_the_gate() {
    let folder = temp_dir("dive-ci-invalid");
    let archive = clean_archive(&folder);
    let cases = [
        ("rules: [this is: not valid\n", ".dive-ci:2:1: ", "did not find expected ',' or ']'"),
        (
            "rules:\n  - lowestEfficiency: 0.99\n",
            ".dive-ci:2:3: ",
            "a list, where a mapping of the keys `lowestEfficiency`",
        ),
        (
            "rules:\n  lowestEfficiency: [0.99]\n",
            ".dive-ci:2:21: ",
            "expected a number from 0 to 1 or `disabled`",
        ),
        (
            "rules:\n  highestWastedBytes: {limit: 20MB}\n",
            ".dive-ci:2:23: ",
            "expected bytes, a size such as 20MB or 20MiB, or `disabled`",
        ),
    ];
    for (text, at, expected) in cases {
        std::fs::write(folder.join(".dive-ci"), text).unwrap();
        let (code, stdout, stderr) = analyze_in(&folder, &["--ci", &archive]);
        assert_eq!(code, 2, "{text:?}: {stdout}{stderr}");
        assert!(stderr.starts_with(&format!("ballast: {at}invalid dive CI file: ")), "{stderr}");
        assert!(stderr.contains(expected), "{text:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
    }

    // The same file named with --ci-config is named by its path.
    let config = folder.join("gate.yaml");
    std::fs::write(&config, "rules:\n  - lowestEfficiency: 0.99\n").unwrap();
    let config = config.to_str().unwrap();
    let (code, _, stderr) = analyze_in(&folder, &["--ci-config", config, &archive]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with(&format!("ballast: {config}:2:3: ")), "{stderr}");
}

/// A key dive does not know is named in a warning, and a rule the file leaves out is labelled
/// as dive's default rather than as the file's.
#[test]
fn dive_ci_unknown_key_and_default_rules() {
    let folder = temp_dir("dive-ci-defaults");
    let archive = clean_archive(&folder);
    std::fs::write(
        folder.join(".dive-ci"),
        "rules:\n  lowestEfficency: 0.99\n  highestWastedBytes: 1MB\n",
    )
    .unwrap();
    let (code, stdout, stderr) = analyze_in(&folder, &["--ci", "--format", "json", &archive]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "ballast: warning: .dive-ci: unknown key `rules.lowestEfficency` is ignored; the keys \
             of a dive CI file are `rules.lowestEfficiency`, `rules.highestWastedBytes` and \
             `rules.highestUserWastedPercent`"
        ),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let origins: Vec<(&str, &str)> = report["gate"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| (rule["rule"].as_str().unwrap(), rule["origin"].as_str().unwrap()))
        .collect();
    assert_eq!(
        origins,
        [
            ("lowestEfficiency", "dive default"),
            ("highestWastedBytes", ".dive-ci"),
            ("highestUserWastedPercent", "dive default"),
        ]
    );
    let rule = &report["gate"]["rules"][1];
    assert_eq!(rule["threshold_value"], 1_000_000, "{rule}");
    assert_eq!(rule["unit"], "bytes", "{rule}");
    assert_eq!(report["gate"]["rules"][0]["unit"], "ratio");

    let (_, stdout, _) = analyze_in(&folder, &["--ci", &archive]);
    assert!(stdout.contains("(threshold 0.9, from dive default)"), "{stdout}");
    assert!(stdout.contains("(threshold 1000000 bytes, from .dive-ci)"), "{stdout}");
}

/// A file that turns every rule off leaves no rule; ballast's own default gate applies only
/// when there is no file.
#[test]
fn dive_ci_disabling_every_rule_passes() {
    let folder = temp_dir("dive-ci-disabled");
    let archive = clean_archive(&folder);
    std::fs::write(
        folder.join(".dive-ci"),
        "rules:\n  lowestEfficiency: disabled\n  highestUserWastedPercent: disabled\n",
    )
    .unwrap();
    let (code, stdout, stderr) = analyze_in(&folder, &["--ci", &archive]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with("Result: PASS (0 rules, 0 failed)\n"), "{stdout}");
}

#[test]
fn gate_result_counts_one_rule() {
    let folder = temp_dir("gate-one-rule");
    let archive = clean_archive(&folder);
    let (code, stdout, stderr) = analyze_in(&folder, &["--max-image-size", "1KB", &archive]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.ends_with("Result: FAIL (1 rule, 1 failed)\n"), "{stdout}");
}

/// Analyzes a legacy archive of a base layer with `usr/lib/a` and the symlink
/// `lib -> usr/lib`, followed by `layers`.
fn lib_symlink_archive(name: &str, layers: &[&[u8]]) -> serde_json::Value {
    let base = common::fixtures::layer(&[
        Item::Folder("usr/"),
        Item::Folder("usr/lib/"),
        Item::File("usr/lib/a", b"a\n"),
        Item::Symlink("lib", "usr/lib"),
    ]);
    let mut tars = vec![base.as_slice()];
    tars.extend_from_slice(layers);
    let folder = temp_dir(name);
    let archive = folder.join("image.tar");
    legacy_archive(&archive, &tars, &[]);
    let (code, report, stderr) = analyze_json(&[archive.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    report
}

// Docker 20.10 with overlay2 and containerd 1.6 with overlayfs, given these layers, show
// `/lib` as a folder that holds only `x`, and `/usr/lib` without `x`: a layer is extracted
// into its own folder, where the lower symlink is not followed.
#[test]
fn path_below_lower_symlink_is_not_followed() {
    let data = vec![3u8; 1000];
    let write = common::fixtures::layer(&[Item::File("lib/x", &data)]);
    let delete = common::fixtures::layer(&[Item::File("usr/lib/.wh.x", b"")]);
    let report = lib_symlink_archive("symlink-parent", &[&write, &delete]);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 0);
    assert_eq!(u64_at(&report, "/totals/final_bytes"), 1002);
    assert_eq!(report["largest_files"][0]["path"], "/lib/x");
    // usr, usr/lib, usr/lib/a and lib/x: the symlink `lib` is gone.
    assert_eq!(u64_at(&report, "/totals/final_paths"), 4);
}

#[test]
fn whiteout_below_lower_symlink_removes_it() {
    let delete = common::fixtures::layer(&[Item::File("lib/.wh.a", b"")]);
    let report = lib_symlink_archive("symlink-whiteout", &[&delete]);
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 0);
    assert_eq!(u64_at(&report, "/totals/final_bytes"), 2);
    // usr, usr/lib and usr/lib/a. The engines show an empty folder `/lib` in place of the
    // symlink, but no entry names that folder, so it is not counted.
    assert_eq!(u64_at(&report, "/totals/final_paths"), 3);
}

/// Writes a layer of regular files and hard links (`(path, Some(target))`).
fn layer_with_links(items: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, target, data) in items {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        match target {
            Some(target) => {
                header.set_entry_type(tar::EntryType::Link);
                header.set_size(0);
                builder.append_link(&mut header, path, target).unwrap();
            }
            None => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(data.len() as u64);
                builder.append_data(&mut header, path, *data).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// `RUN ln /h1 /h3` copies `h1` up into the new layer. The old data stays visible through the
/// older link `h2`, so the image contains the same bytes twice, at `/h1` and at `/h2`.
#[test]
fn copy_kept_by_hard_link_is_a_duplicate() {
    let data = vec![9u8; 64 * 1024];
    let base = common::fixtures::layer(&[Item::File("bin/sh", b"#!")]);
    let first = layer_with_links(&[("h1", None, &data), ("h2", Some("h1"), b"")]);
    let second = layer_with_links(&[("h1", None, &data), ("h3", Some("h1"), b"")]);
    let folder = temp_dir("hardlink-duplicate");
    let archive = folder.join("image.tar");
    legacy_archive(&archive, &[&base, &first, &second], &[]);

    let (code, report, stderr) = analyze_json(&[archive.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(u64_at(&report, "/totals/wasted_bytes"), 0);
    assert_eq!(u64_at(&report, "/duplicates/groups"), 1);
    assert_eq!(u64_at(&report, "/duplicates/wasted_bytes"), 64 * 1024);
    assert_eq!(report["duplicates"]["top_groups"][0]["paths"], json!(["/h1", "/h2"]));
}

/// Writes a legacy `docker save` archive of two images, `multi:one` and
/// `registry.local:5000/multi:two`, each with one layer and a file named after it.
fn two_image_archive(path: &std::path::Path) {
    use common::fixtures::{Member, config, layer, write_tar};
    let mut members = Vec::new();
    let mut manifest = Vec::new();
    let images = [
        ("one", "multi:one", 100),
        ("two", "registry.local:5000/multi:two", 200),
    ];
    for (name, tag, size) in images {
        let tar = layer(&[Item::File(name, &vec![1u8; size])]);
        let config = config(&[&tar], "amd64");
        members.push((format!("{name}/layer.tar"), Member::Data(tar)));
        members.push((format!("{name}.json"), Member::Data(config)));
        manifest.push(json!({
            "Config": format!("{name}.json"),
            "RepoTags": [tag],
            "Layers": [format!("{name}/layer.tar")],
        }));
    }
    members.push((
        "manifest.json".to_owned(),
        Member::Data(serde_json::to_vec(&manifest).unwrap()),
    ));
    write_tar(path, &members);
}

#[test]
fn several_images_hint_names_path() {
    let folder = temp_dir("several-images");
    let archive = folder.join("multi.tar");
    two_image_archive(&archive);
    let path = archive.display().to_string();

    let (code, report, stderr) = analyze_json(&[&path]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["largest_files"][0]["path"], "/one");
    let warnings = report["warnings"].to_string();
    let form = format!("docker-archive:{path}:REFERENCE");
    assert!(warnings.contains(&form), "{warnings}");
    assert!(warnings.contains("registry.local:5000/multi:two"), "{warnings}");
    assert!(!warnings.contains("ARCHIVE:REFERENCE"), "{warnings}");

    // The hinted form, and the path followed by `:REFERENCE`, both pick the second image,
    // whose reference contains `:` itself.
    for source in [
        format!("docker-archive:{path}:registry.local:5000/multi:two"),
        format!("{path}:registry.local:5000/multi:two"),
    ] {
        let (code, report, stderr) = analyze_json(&[&source]);
        assert_eq!(code, 0, "{source}: {stderr}");
        assert_eq!(report["largest_files"][0]["path"], "/two", "{source}");
        assert_eq!(report["source"]["reference"], "registry.local:5000/multi:two");
        assert_eq!(report["warnings"], json!([]), "{source}");
    }
}

#[test]
fn several_platforms_hint_names_path() {
    let mut layout = Layout::default();
    let first = common::fixtures::layer(&[Item::File("a", b"a")]);
    let second = common::fixtures::layer(&[Item::File("b", b"b")]);
    let mut one = layout.image(&[&first], LAYER_TAR, "amd64");
    one["annotations"] = json!({"org.opencontainers.image.ref.name": "one"});
    let mut two = layout.image(&[&second], LAYER_TAR, "amd64");
    two["annotations"] = json!({"org.opencontainers.image.ref.name": "two"});
    let folder = temp_dir("several-index-images");
    let archive = folder.join("images.tar");
    layout.write_tar(&archive, &Layout::index_json(&[one, two]), None);
    let path = archive.display().to_string();

    let (code, report, stderr) = analyze_json(&[&format!("oci-archive:{path}")]);
    assert_eq!(code, 0, "{stderr}");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains(&format!("oci-archive:{path}:REFERENCE")), "{warnings}");
    assert!(warnings.contains("the other references are two"), "{warnings}");

    let (code, report, stderr) = analyze_json(&[&format!("oci-archive:{path}:two")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["largest_files"][0]["path"], "/b");
}

#[test]
fn single_image_platform_is_checked() {
    let only = common::fixtures::layer(&[Item::File("a", b"a")]);
    let folder = temp_dir("single-platform");
    let legacy = folder.join("legacy.tar");
    legacy_archive(&legacy, &[&only], &[]);
    // An index whose only descriptor gives no platform, so the config's platform decides.
    let mut layout = Layout::default();
    let manifest = layout.image(&[&only], LAYER_TAR, "amd64");
    let oci = folder.join("layout");
    layout.write_folder(&oci, &Layout::index_json(&[manifest]));

    for source in [legacy.display().to_string(), format!("oci:{}", oci.display())] {
        let (code, stderr) = common::analyze_failure(&[&source, "--platform", "linux/arm64"]);
        assert_eq!(code, 2, "{source}");
        let expected = "no image matches platform linux/arm64; available: linux/amd64";
        assert!(stderr.contains(expected), "{source}: {stderr}");

        let (code, report, stderr) = analyze_json(&[&source, "--platform", "linux/amd64"]);
        assert_eq!(code, 0, "{source}: {stderr}");
        assert_eq!(report["warnings"], json!([]), "{source}");
    }
}

#[test]
fn platform_without_config_fields_warns() {
    use common::fixtures::{Member, write_tar};
    let only = common::fixtures::layer(&[Item::File("a", b"a")]);
    let config = json!({
        "rootfs": {"type": "layers", "diff_ids": [sha256(&only)]},
        "history": [{"created_by": "COPY a /a"}],
    });
    let manifest = json!([{"Config": "config.json", "Layers": ["one/layer.tar"]}]);
    let folder = temp_dir("platform-no-fields");
    let archive = folder.join("image.tar");
    write_tar(
        &archive,
        &[
            ("one/layer.tar".to_owned(), Member::Data(only.clone())),
            ("config.json".to_owned(), Member::Data(serde_json::to_vec(&config).unwrap())),
            ("manifest.json".to_owned(), Member::Data(serde_json::to_vec(&manifest).unwrap())),
        ],
    );
    let (code, report, stderr) =
        analyze_json(&[archive.to_str().unwrap(), "--platform", "linux/arm64"]);
    assert_eq!(code, 0, "{stderr}");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("--platform linux/arm64 was not checked"), "{warnings}");
}

#[test]
fn base_layers_beyond_image_warns() {
    let layers: Vec<Vec<u8>> = ["a", "b", "c"]
        .iter()
        .map(|name| common::fixtures::layer(&[Item::File(name, b"x")]))
        .collect();
    let tars: Vec<&[u8]> = layers.iter().map(Vec::as_slice).collect();
    let folder = temp_dir("base-beyond");
    let archive = folder.join("image.tar");
    legacy_archive(&archive, &tars, &[]);
    let path = archive.to_str().unwrap();

    let (code, report, stderr) = analyze_json(&[path, "--base-layers", "99"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(u64_at(&report, "/base/layers"), 3);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("--base-layers 99"), "{warnings}");
    assert!(warnings.contains("only 3 layers"), "{warnings}");
    assert!(warnings.contains("the whole image is counted as base"), "{warnings}");

    let (code, report, stderr) = analyze_json(&[path, "--base-layers", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["warnings"], json!([]));
}
