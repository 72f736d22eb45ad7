//! The little of an ELF file the image rules need: whether it is an ELF executable and the
//! interpreter (`PT_INTERP`) it asks the kernel to load. Layout from the System V ABI's ELF
//! specification: the identification bytes, then `e_phoff`, `e_phentsize` and `e_phnum` in the
//! header, then program headers whose `p_type` 3 is `PT_INTERP`.

/// What an ELF header says about linking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElfLinking {
    /// No `PT_INTERP`: the kernel runs the file directly (static, or static PIE).
    Static,
    /// The path of the interpreter the kernel must find in the image.
    Dynamic { interpreter: String },
}

const PT_INTERP: u32 = 3;

/// Reads the linking of an ELF file from its first bytes. Returns `None` for a file that is
/// not ELF, or whose program headers or interpreter lie beyond `head`.
pub fn elf_linking(head: &[u8]) -> Option<ElfLinking> {
    if head.len() < 52 || &head[..4] != b"\x7fELF" {
        return None;
    }
    let is_64 = match head[4] {
        1 => false,
        2 => true,
        _ => return None,
    };
    let little = match head[5] {
        1 => true,
        2 => false,
        _ => return None,
    };
    let read = |offset: usize, width: usize| -> Option<u64> {
        let bytes = head.get(offset..offset + width)?;
        let mut value = 0u64;
        for (index, byte) in bytes.iter().enumerate() {
            let shift = if little { index } else { width - 1 - index };
            value |= u64::from(*byte) << (8 * shift);
        }
        Some(value)
    };

    let (phoff, phentsize, phnum) = if is_64 {
        (read(0x20, 8)?, read(0x36, 2)?, read(0x38, 2)?)
    } else {
        (read(0x1c, 4)?, read(0x2a, 2)?, read(0x2c, 2)?)
    };
    for index in 0..phnum {
        let at = usize::try_from(phoff + index * phentsize).ok()?;
        if read(at, 4)? as u32 != PT_INTERP {
            continue;
        }
        let (offset, size) = if is_64 {
            (read(at + 8, 8)?, read(at + 32, 8)?)
        } else {
            (read(at + 4, 4)?, read(at + 16, 4)?)
        };
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        let bytes = head.get(start..end)?;
        let text = bytes.split(|&byte| byte == 0).next().unwrap_or(&[]);
        return Some(ElfLinking::Dynamic {
            interpreter: String::from_utf8_lossy(text).into_owned(),
        });
    }
    Some(ElfLinking::Static)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(path: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(path).ok()?;
        Some(bytes[..bytes.len().min(super::super::probe::HEAD_BYTES)].to_vec())
    }

    #[test]
    fn host_true_is_dynamic() {
        let Some(head) = head_of("/bin/true") else {
            eprintln!("skipped: /bin/true is missing");
            return;
        };
        match elf_linking(&head) {
            Some(ElfLinking::Dynamic { interpreter }) => {
                assert!(interpreter.starts_with('/'), "{interpreter}");
                assert!(interpreter.contains("ld"), "{interpreter}");
            }
            other => panic!("expected a dynamic ELF, got {other:?}"),
        }
    }

    #[test]
    fn static_busybox_is_static() {
        let Some(head) = head_of("/bin/busybox") else {
            eprintln!("skipped: /bin/busybox is missing; install Debian's busybox-static");
            return;
        };
        assert_eq!(elf_linking(&head), Some(ElfLinking::Static));
    }

    #[test]
    fn text_and_truncated_headers_are_not_elf() {
        assert_eq!(elf_linking(b"#!/bin/sh\necho hi\n"), None);
        assert_eq!(elf_linking(b"\x7fELF\x02\x01"), None);
        let mut header = vec![0u8; 64];
        header[..4].copy_from_slice(b"\x7fELF");
        header[4] = 2;
        header[5] = 1;
        header[0x20] = 0xff;
        header[0x38] = 1;
        header[0x36] = 56;
        assert_eq!(elf_linking(&header), None);
    }
}
