use super::*;
use crate::image::dive::dive_figures;

const MIB: u64 = 1024 * 1024;

fn file(path: &str, size: u64, hash: u128) -> Entry {
    Entry {
        path: path.into(),
        kind: EntryKind::File,
        size,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        link: None,
        head_hash: 0,
        hash: Some(hash),
    }
}

fn folder(path: &str) -> Entry {
    Entry {
        kind: EntryKind::Directory,
        size: 0,
        hash: None,
        mode: 0o755,
        ..file(path, 0, 0)
    }
}

fn marker(path: &str, kind: EntryKind) -> Entry {
    Entry {
        kind,
        size: 0,
        hash: None,
        ..file(path, 0, 0)
    }
}

fn hardlink(path: &str, target: &str) -> Entry {
    Entry {
        kind: EntryKind::Hardlink,
        size: 0,
        hash: None,
        link: Some(target.into()),
        ..file(path, 0, 0)
    }
}

fn merge(layers: &[Vec<Entry>]) -> MergedTree {
    let mut tree = MergedTree::new();
    for (index, entries) in layers.iter().enumerate() {
        tree.apply(index, entries);
    }
    tree
}

fn stored(layers: &[Vec<Entry>]) -> u64 {
    layers.iter().flatten().map(|entry| entry.size).sum()
}

fn wasted_bytes(tree: &MergedTree) -> u64 {
    tree.wasted().iter().map(|file| file.bytes).sum()
}

#[test]
fn deleted_file_is_wasted_by_deleting_layer() {
    let layers = vec![
        vec![file("bin/busybox", 1000, 1)],
        vec![folder("data"), file("data/big", 5 * MIB, 2)],
        vec![folder("data"), marker("data/big", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 5 * MIB);
    let wasted = &tree.wasted()[0];
    assert_eq!(wasted.stored_in, 1);
    assert_eq!(wasted.hidden_by, 2);
    assert_eq!(wasted.reason, HideReason::Deleted);
    assert_eq!(tree.visible_bytes() + wasted_bytes(&tree), stored(&layers));
    assert_eq!(tree.changes(2).files_removed, 1);
    assert_eq!(tree.changes(2).file_whiteouts, 1);
}

#[test]
fn folder_whiteout_hides_whole_subtree() {
    let layers = vec![
        vec![
            folder("d"),
            folder("d/sub"),
            file("d/f2", MIB, 1),
            file("d/sub/f1", 2 * MIB, 2),
        ],
        vec![marker("d", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 3 * MIB);
    assert!(tree.get("d").is_none());
    assert!(tree.get("d/sub/f1").is_none());
    assert_eq!(tree.changes(1).folder_whiteouts, 1);
    assert_eq!(tree.changes(1).files_removed, 2);
    // dive reports nothing for a folder whiteout.
    let dive = dive_figures(&[Some(&layers[0][..]), Some(&layers[1][..])]);
    assert_eq!(dive.wasted_bytes, 0);
}

#[test]
fn overwrite_by_smaller_file_wastes_lower_copies_only() {
    let layers = vec![
        vec![file("bin/sh", 10, 9)],
        vec![file("f", 3 * MIB, 1)],
        vec![file("f", MIB, 2)],
        vec![Entry {
            mode: 0o600,
            ..file("f", MIB, 2)
        }],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 4 * MIB);
    let reasons: Vec<HideReason> = tree.wasted().iter().map(|file| file.reason).collect();
    assert_eq!(
        reasons,
        vec![HideReason::Overwritten, HideReason::MetadataOnly]
    );
    let change = tree.wasted()[1].changed.unwrap();
    assert!(change.mode);
    assert!(!change.owner);
    // dive counts the surviving copy too: 3 + 1 + 1 MiB.
    let inputs: Vec<Option<&[Entry]>> = layers.iter().map(|layer| Some(&layer[..])).collect();
    assert_eq!(dive_figures(&inputs).wasted_bytes, 5 * MIB);
}

#[test]
fn opaque_folder_hides_lower_children_only() {
    let layers = vec![
        vec![folder("o"), file("o/a", MIB, 1)],
        vec![
            folder("o"),
            marker("o", EntryKind::OpaqueDirectory),
            file("o/b", 3, 2),
        ],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), MIB);
    assert_eq!(tree.wasted()[0].reason, HideReason::OpaqueFolder);
    assert!(tree.get("o/b").is_some());
    assert!(tree.get("o").is_some());
    assert_eq!(tree.changes(1).opaque_folders, 1);
}

#[test]
fn opaque_marker_after_own_entries_keeps_them() {
    let layers = vec![
        vec![folder("o"), file("o/a", MIB, 1)],
        vec![file("o/b", 3, 2), marker("o", EntryKind::OpaqueDirectory)],
    ];
    let tree = merge(&layers);
    assert!(tree.get("o/b").is_some());
    assert!(tree.get("o/a").is_none());
}

#[test]
fn file_replacing_folder_hides_subtree() {
    let layers = vec![
        vec![folder("x"), file("x/a", 100, 1), file("x/b", 200, 2)],
        vec![Entry {
            kind: EntryKind::Symlink,
            size: 0,
            hash: None,
            link: Some("y".into()),
            ..file("x", 0, 0)
        }],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 300);
    assert!(
        tree.wasted()
            .iter()
            .all(|file| file.reason == HideReason::TypeChanged)
    );
    assert_eq!(tree.get("x").unwrap().kind, EntryKind::Symlink);
}

#[test]
fn folder_replacing_file_hides_file() {
    let layers = vec![
        vec![file("x", 100, 1)],
        vec![folder("x"), file("x/a", 5, 2)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 100);
    assert_eq!(tree.wasted()[0].reason, HideReason::TypeChanged);
}

#[test]
fn chown_copy_up_is_metadata_only() {
    let layers = vec![
        vec![folder("srv"), file("srv/settings.db", 524_288, 7)],
        vec![Entry {
            mode: 0o640,
            ..file("srv/settings.db", 524_288, 7)
        }],
        vec![Entry {
            mode: 0o640,
            mtime: 1_577_836_800,
            ..file("srv/settings.db", 524_288, 7)
        }],
        vec![Entry {
            mode: 0o640,
            mtime: 1_577_836_800,
            uid: 1000,
            gid: 1000,
            ..file("srv/settings.db", 524_288, 7)
        }],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 1_572_864);
    let changes: Vec<MetadataChange> = tree
        .wasted()
        .iter()
        .map(|file| file.changed.unwrap())
        .collect();
    assert!(changes[0].mode);
    assert!(changes[1].mtime);
    assert!(!changes[1].mode);
    assert!(changes[2].owner);
    assert!(!changes[2].mtime);
    let hiders: Vec<usize> = tree.wasted().iter().map(|file| file.hidden_by).collect();
    assert_eq!(hiders, vec![1, 2, 3]);
}

/// A file of a mapped layer has no hash when no other file of the image shares its size and
/// head hash. Equal size and metadata alone must not make its replacement a metadata-only copy.
#[test]
fn unhashed_copy_is_overwrite() {
    let unhashed = Entry {
        hash: None,
        ..file("srv/settings.db", 524_288, 0)
    };
    let layers = vec![vec![unhashed.clone()], vec![unhashed]];
    let tree = merge(&layers);
    assert_eq!(tree.wasted().len(), 1);
    assert_eq!(tree.wasted()[0].reason, HideReason::Overwritten);
    assert_eq!(tree.wasted()[0].changed, None);
}

#[test]
fn hardlink_keeps_bytes_of_deleted_target() {
    let layers = vec![
        vec![file("h1", MIB, 1), hardlink("h2", "h1")],
        vec![marker("h1", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 0);
    assert_eq!(tree.visible_bytes(), MIB);
    assert_eq!(tree.get("h2").unwrap().size, MIB);
}

/// The data of `x/h1` stays visible while any of its links does: deleting `x/h1` hands it to
/// `y/h2`, and replacing `y/h2` hands it on to `y/h3`.
#[test]
fn bytes_pass_along_a_chain_of_links() {
    for third_link_target in ["x/h1", "y/h2"] {
        let layers = vec![
            vec![
                file("x/h1", MIB, 1),
                hardlink("y/h2", "x/h1"),
                hardlink("y/h3", third_link_target),
            ],
            vec![marker("x/h1", EntryKind::Whiteout), file("y/h2", MIB, 1)],
        ];
        let tree = merge(&layers);
        assert_eq!(wasted_bytes(&tree), 0, "y/h3 -> {third_link_target}");
        assert_eq!(tree.get("y/h3").unwrap().size, MIB, "y/h3 -> {third_link_target}");
        assert_eq!(tree.get("y/h2").unwrap().layer, 1);
        assert_eq!(tree.visible_bytes(), 2 * MIB);
    }
}

/// `c` names the link `b`, which names `a`: all three share one file, so deleting `b` and
/// then `a` leaves the data visible at `c`.
#[test]
fn link_to_link_keeps_bytes_after_middle_goes() {
    let layers = vec![
        vec![file("a", MIB, 1), hardlink("b", "a"), hardlink("c", "b")],
        vec![marker("b", EntryKind::Whiteout)],
        vec![marker("a", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 0);
    assert_eq!(tree.get("c").unwrap().size, MIB);
    assert_eq!(tree.visible_bytes(), MIB);
}

#[test]
fn hard_link_copy_up_is_metadata_only() {
    // `ln /bin/busybox /bin/zz` stores the data at `bin/busybox` and links `bin/zz` to it;
    // `ln /bin/busybox /bin/bb2` stores it at `bin/bb2` and links `bin/busybox`.
    let copies = [
        vec![file("bin/busybox", 100, 9), hardlink("bin/zz", "bin/busybox")],
        vec![file("bin/bb2", 100, 9), hardlink("bin/busybox", "bin/bb2")],
    ];
    for copy in copies {
        let tree = merge(&[vec![file("bin/busybox", 100, 9)], copy]);
        assert_eq!(tree.wasted().len(), 1);
        let hidden = &tree.wasted()[0];
        assert_eq!(&*hidden.path, "bin/busybox");
        assert_eq!(hidden.bytes, 100);
        assert_eq!(hidden.reason, HideReason::MetadataOnly);
        let expected = MetadataChange {
            links: true,
            ..MetadataChange::default()
        };
        assert_eq!(hidden.changed, Some(expected));
        assert_eq!(tree.visible_bytes(), 100);
    }
}

#[test]
fn hard_link_to_new_content_is_overwrite() {
    let tree = merge(&[
        vec![file("bin/busybox", 100, 9)],
        vec![file("bin/bb2", 80, 4), hardlink("bin/busybox", "bin/bb2")],
    ]);
    assert_eq!(tree.wasted()[0].reason, HideReason::Overwritten);
    assert_eq!(tree.wasted()[0].changed, None);
}

#[test]
fn whiteout_of_missing_path_is_harmless() {
    let layers = vec![
        vec![file("a", 5, 1)],
        vec![marker("nothing", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 0);
    assert_eq!(tree.visible_bytes(), 5);
}

/// Returns a lower layer with `usr/lib/a` and the symlink `lib -> usr/lib`.
fn lib_symlink_base() -> Vec<Entry> {
    vec![
        folder("usr"),
        folder("usr/lib"),
        file("usr/lib/a", 10, 1),
        Entry {
            kind: EntryKind::Symlink,
            size: 0,
            hash: None,
            link: Some("usr/lib".into()),
            ..file("lib", 0, 0)
        },
    ]
}

#[test]
fn write_below_lower_symlink_makes_folder() {
    let layers = vec![
        lib_symlink_base(),
        vec![file("lib/x", 1000, 2)],
        vec![marker("usr/lib/x", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert_eq!(tree.get("lib/x").unwrap().size, 1000);
    assert!(tree.get("lib").is_none());
    assert!(tree.get("usr/lib/x").is_none());
    assert_eq!(tree.get("usr/lib/a").unwrap().size, 10);
    assert_eq!(wasted_bytes(&tree), 0);
}

#[test]
fn whiteout_below_lower_symlink_makes_folder() {
    let layers = vec![
        lib_symlink_base(),
        vec![marker("lib/a", EntryKind::Whiteout)],
    ];
    let tree = merge(&layers);
    assert!(tree.get("lib").is_none());
    assert_eq!(tree.get("usr/lib/a").unwrap().size, 10);
    assert_eq!(wasted_bytes(&tree), 0);
    assert_eq!(tree.changes(1).files_removed, 0);
}

#[test]
fn opaque_marker_below_lower_symlink_makes_folder() {
    let layers = vec![
        lib_symlink_base(),
        vec![marker("lib", EntryKind::OpaqueDirectory)],
    ];
    let tree = merge(&layers);
    assert!(tree.get("lib").is_none());
    assert_eq!(tree.get("usr/lib/a").unwrap().size, 10);
    assert_eq!(wasted_bytes(&tree), 0);
}

#[test]
fn root_opaque_hides_everything_below() {
    let layers = vec![
        vec![file("a", 5, 1), folder("b"), file("b/c", 7, 2)],
        vec![marker("", EntryKind::OpaqueDirectory), file("z", 1, 3)],
    ];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 12);
    assert_eq!(tree.len(), 1);
}

#[test]
fn same_path_twice_in_one_layer_wastes_first_copy() {
    let layers = vec![vec![file("a", 5, 1), file("a", 3, 2)]];
    let tree = merge(&layers);
    assert_eq!(wasted_bytes(&tree), 5);
    assert_eq!(tree.wasted()[0].hidden_by, 0);
}

#[test]
fn dive_user_ratio_is_zero_for_single_layer() {
    let layers = [vec![file("a", 5, 1)]];
    let dive = dive_figures(&[Some(&layers[0][..])]);
    assert_eq!(dive.user_bytes, 0);
    assert_eq!(dive.user_wasted_ratio, 0.0);
    assert_eq!(dive.efficiency, 1.0);
}
