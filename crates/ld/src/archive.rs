//! Post-processing of the adapter archive.
//!
//! A `no_std` staticlib must define a `#[panic_handler]`, which rustc emits as the global
//! symbol `…rust_begin_unwind`. A Rust program's `std` defines the same symbol, so linking
//! both fails with "duplicate symbol". The adapter's handler is only for the adapter's own
//! code, so its symbol is made local (WASM_SYM_BINDING_LOCAL) in the object's `linking`
//! section: both handlers then coexist, each serving its own code. The flag is patched in
//! place (its LEB128 encoding keeps its length), so nothing else in the object moves.
//!
//! Shared by `build.rs` (`#[path]`) and the library (unit tests).

#![allow(dead_code)]

const SYMTAB: u8 = 8;
const BINDING_LOCAL: u32 = 0x2;
const UNDEFINED: u32 = 0x10;
const EXPLICIT_NAME: u32 = 0x40;

fn leb(b: &[u8], i: &mut usize) -> Option<u32> {
    let (mut r, mut shift) = (0u32, 0);
    loop {
        let x = *b.get(*i)?;
        *i += 1;
        r |= ((x & 0x7f) as u32) << shift;
        if x & 0x80 == 0 {
            return Some(r);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

/// Makes every defined function symbol whose name ends with one of `suffixes` local in the
/// wasm object `obj`. Returns how many were changed.
pub fn localize_in_object(obj: &mut [u8], suffixes: &[&str]) -> usize {
    let mut changed = 0;
    if obj.len() < 8 || &obj[..4] != b"\0asm" {
        return 0;
    }
    let mut i = 8;
    while i < obj.len() {
        let id = obj[i];
        i += 1;
        let Some(size) = leb(obj, &mut i) else { return changed };
        let end = i + size as usize;
        if id == 0 {
            let mut j = i;
            let Some(nlen) = leb(obj, &mut j) else { return changed };
            let name = &obj[j..j + nlen as usize];
            j += nlen as usize;
            if name == b"linking" {
                changed += localize_in_linking(&mut obj[..end], j, suffixes);
            }
        }
        i = end;
    }
    changed
}

fn localize_in_linking(b: &mut [u8], mut i: usize, suffixes: &[&str]) -> usize {
    let mut changed = 0;
    let Some(_version) = leb(b, &mut i) else { return 0 };
    while i < b.len() {
        let ty = b[i];
        i += 1;
        let Some(len) = leb(b, &mut i) else { return changed };
        let end = i + len as usize;
        if ty == SYMTAB {
            let mut j = i;
            let Some(count) = leb(b, &mut j) else { return changed };
            for _ in 0..count {
                let kind = b[j];
                j += 1;
                let flags_at = j;
                let Some(flags) = leb(b, &mut j) else { return changed };
                let mut name: &[u8] = &[];
                match kind {
                    // function, global, event/tag, table: index, then a name when defined or
                    // explicitly named.
                    0 | 2 | 4 | 5 => {
                        let _ = leb(b, &mut j);
                        if flags & UNDEFINED == 0 || flags & EXPLICIT_NAME != 0 {
                            let Some(n) = leb(b, &mut j) else { return changed };
                            name = &b[j..j + n as usize];
                            j += n as usize;
                        }
                    }
                    // data: name, then segment, offset, size when defined.
                    1 => {
                        let Some(n) = leb(b, &mut j) else { return changed };
                        j += n as usize;
                        if flags & UNDEFINED == 0 {
                            for _ in 0..3 {
                                let _ = leb(b, &mut j);
                            }
                        }
                    }
                    // section
                    3 => {
                        let _ = leb(b, &mut j);
                    }
                    _ => return changed,
                }
                let hit = kind == 0
                    && flags & UNDEFINED == 0
                    && flags & BINDING_LOCAL == 0
                    && suffixes.iter().any(|s| name.ends_with(s.as_bytes()));
                if hit {
                    // The low 7 bits live in the first LEB byte; setting bit 1 keeps the length.
                    b[flags_at] |= BINDING_LOCAL as u8;
                    changed += 1;
                }
            }
        }
        i = end;
    }
    changed
}

/// Applies [`localize_in_object`] to every member of a Unix `ar` archive.
pub fn localize_in_archive(ar: &mut [u8], suffixes: &[&str]) -> usize {
    let mut changed = 0;
    if !ar.starts_with(b"!<arch>\n") {
        return 0;
    }
    let mut i = 8;
    while i + 60 <= ar.len() {
        let size: usize = std::str::from_utf8(&ar[i + 48..i + 58]).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
        let start = i + 60;
        let end = (start + size).min(ar.len());
        changed += localize_in_object(&mut ar[start..end], suffixes);
        i = end + (size & 1);
    }
    changed
}

/// The symbols the adapter must not export to the program.
pub const PRIVATE_SYMBOLS: &[&str] = &["rust_begin_unwind"];
