//! Deterministic traps. A trap writes `wasip2-on-wasip1: <message>` to stderr (fd 2), so the
//! user sees which rule the program broke, then executes `unreachable`. On the host (unit
//! tests) it panics with the same message instead.

/// Traps with a message.
#[cold]
pub fn trap(msg: &[u8]) -> ! {
    trap_parts(&[msg])
}

/// Traps with `<prefix><handle>`, followed by ` <suffix>` when `suffix` is not empty, e.g.
/// `handle 7 (already dropped)`.
#[cold]
pub fn trap_handle(prefix: &[u8], handle: u32, suffix: &[u8]) -> ! {
    trap_with_handle(prefix, handle, if suffix.is_empty() { b"" } else { b" " }, suffix, b"")
}

/// Traps with `handle <handle> is invalid (expected a live <kind>)`: the handle names no live
/// resource of the type the call takes.
#[cold]
pub fn trap_invalid_handle(handle: u32, kind: &[u8]) -> ! {
    trap_with_handle(b"handle ", handle, b" is invalid (expected a live ", kind, b")")
}

/// Traps with `<prefix><handle in decimal><a><b><c>` (the one body of the handle traps).
#[cold]
#[inline(never)]
fn trap_with_handle(prefix: &[u8], handle: u32, a: &[u8], b: &[u8], c: &[u8]) -> ! {
    let mut num = [0u8; 10];
    let digits = decimal(handle, &mut num);
    trap_parts(&[prefix, digits, a, b, c])
}

/// Formats `n` in decimal into `buf`, returning the digits.
pub fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    // At most 10 digits: `i > 0` always holds at the top (and lets the stores go unchecked).
    while i > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(target_family = "wasm")]
fn trap_parts(parts: &[&[u8]]) -> ! {
    let _ = crate::p1::write_all(2, b"wasip2-on-wasip1: ");
    for p in parts {
        let _ = crate::p1::write_all(2, p);
    }
    let _ = crate::p1::write_all(2, b"\n");
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_family = "wasm"))]
fn trap_parts(parts: &[&[u8]]) -> ! {
    extern crate std;
    let mut s = std::string::String::new();
    for p in parts {
        s.push_str(&std::string::String::from_utf8_lossy(p));
    }
    std::panic::panic_any(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_formats() {
        let mut b = [0u8; 10];
        assert_eq!(super::decimal(0, &mut b), b"0");
        assert_eq!(super::decimal(4294967295, &mut b), b"4294967295");
        assert_eq!(super::decimal(70, &mut b), b"70");
    }
}
