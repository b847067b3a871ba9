//! One resource table for every handle type the adapter hands out.
//!
//! Invariants, relied on by every interface module:
//! - a handle is `index + 1`, so handle 0 is never issued (wasi-libc uses 0 as "none yet");
//! - a handle names exactly one live resource of one type; using a free slot, an index past
//!   the end, or a handle of another type traps with a message naming the handle, as the
//!   component model traps on an invalid handle;
//! - a resource with live children cannot be removed: that traps, as the WIT requires
//!   ("dropping a stream while its pollable is alive traps") and as wasmtime's table does
//!   ("resource has children"). The children are those wasmtime gives a parent: every
//!   pollable of the resource it was subscribed from, and the streams of a TCP or UDP socket
//!   (a connection's, or `udp-socket.stream`'s datagram streams);
//! - a resource may also be *held* (a descriptor by the streams reading or writing its file,
//!   or by a directory-entry stream: wasmtime lets a descriptor go first).
//!   Removing a held resource ends the handle for the program at once (any later use traps),
//!   but the entry stays, invisible, until the last holder is released. Multiple streams on
//!   one file thus keep working after the descriptor is dropped, as on a native host;
//! - whichever way an entry finally goes, what it owns in the runtime goes with it: the
//!   WASIp1 fd of a descriptor (never a preopen's) or of a socket is closed then, and only
//!   then ([`release_runtime_object`]);
//! - the table holds at most [`MAX_HANDLES`] entries; it grows by doubling in the adapter's
//!   private heap (`alloc::private`), so its fixed cost is zero and each live handle costs one
//!   [`Slot`] (48 bytes).
//!
//! Freed slots are reused last-in first-out, as wasmtime's table does.

use crate::alloc;
use crate::trap::{trap, trap_handle, trap_invalid_handle};

/// Upper bound on simultaneously live handles.
pub const MAX_HANDLES: u32 = 1 << 16;

/// Everything a handle can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    InputStream(crate::io::streams::InputStream),
    OutputStream(crate::io::streams::OutputStream),
    Pollable(crate::io::poll::Pollable),
    Error(crate::io::error::IoError),
    Descriptor(crate::filesystem::types::Descriptor),
    DirectoryEntryStream(crate::filesystem::types::DirectoryEntryStream),
    TerminalInput,
    TerminalOutput,
    Network,
    #[cfg(feature = "wamr")]
    TcpSocket(crate::sockets::tcp::TcpSocket),
    #[cfg(feature = "wamr")]
    UdpSocket(crate::sockets::udp::UdpSocket),
    #[cfg(feature = "wamr")]
    IncomingDatagramStream(crate::sockets::udp::IncomingDatagramStream),
    #[cfg(feature = "wamr")]
    OutgoingDatagramStream(crate::sockets::udp::OutgoingDatagramStream),
    #[cfg(feature = "wamr")]
    ResolveAddressStream(crate::sockets::ip_name_lookup::ResolveAddressStream),
}

impl Resource {
    fn name(&self) -> &'static [u8] {
        match self {
            Resource::InputStream(_) => b"input-stream",
            Resource::OutputStream(_) => b"output-stream",
            Resource::Pollable(_) => b"pollable",
            Resource::Error(_) => b"error",
            Resource::Descriptor(_) => b"descriptor",
            Resource::DirectoryEntryStream(_) => b"directory-entry-stream",
            Resource::TerminalInput => b"terminal-input",
            Resource::TerminalOutput => b"terminal-output",
            Resource::Network => b"network",
            #[cfg(feature = "wamr")]
            Resource::TcpSocket(_) => b"tcp-socket",
            #[cfg(feature = "wamr")]
            Resource::UdpSocket(_) => b"udp-socket",
            #[cfg(feature = "wamr")]
            Resource::IncomingDatagramStream(_) => b"incoming-datagram-stream",
            #[cfg(feature = "wamr")]
            Resource::OutgoingDatagramStream(_) => b"outgoing-datagram-stream",
            #[cfg(feature = "wamr")]
            Resource::ResolveAddressStream(_) => b"resolve-address-stream",
        }
    }
}

/// A resource type stored in the table.
pub trait Kind: Sized + 'static {
    /// WIT name, for trap messages.
    const NAME: &'static [u8];
    fn get(r: &mut Resource) -> Option<&mut Self>;
}

macro_rules! kind {
    ($t:ty, $variant:ident, $name:literal) => {
        impl Kind for $t {
            const NAME: &'static [u8] = $name;
            fn get(r: &mut Resource) -> Option<&mut Self> {
                match r {
                    Resource::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
kind!(crate::io::streams::InputStream, InputStream, b"input-stream");
kind!(crate::io::streams::OutputStream, OutputStream, b"output-stream");
kind!(crate::io::poll::Pollable, Pollable, b"pollable");
kind!(crate::io::error::IoError, Error, b"error");
kind!(crate::filesystem::types::Descriptor, Descriptor, b"descriptor");
kind!(crate::filesystem::types::DirectoryEntryStream, DirectoryEntryStream, b"directory-entry-stream");
#[cfg(feature = "wamr")]
kind!(crate::sockets::tcp::TcpSocket, TcpSocket, b"tcp-socket");
#[cfg(feature = "wamr")]
kind!(crate::sockets::udp::UdpSocket, UdpSocket, b"udp-socket");
#[cfg(feature = "wamr")]
kind!(crate::sockets::udp::IncomingDatagramStream, IncomingDatagramStream, b"incoming-datagram-stream");
#[cfg(feature = "wamr")]
kind!(crate::sockets::udp::OutgoingDatagramStream, OutgoingDatagramStream, b"outgoing-datagram-stream");
#[cfg(feature = "wamr")]
kind!(crate::sockets::ip_name_lookup::ResolveAddressStream, ResolveAddressStream, b"resolve-address-stream");

#[derive(Debug, Clone, Copy)]
enum Entry {
    Free { next: u32 },
    Used {
        res: Resource,
        /// Live children: pollables, a socket's streams (removal traps while non-zero).
        children: u32,
        /// Live holders (removal is deferred while non-zero).
        holds: u32,
        /// The parent (0: none): the resource this one is a child or a holder of.
        parent: u32,
        /// Whether this entry holds its parent (else it is its child).
        holds_parent: bool,
        /// Removed by the program, kept for its holders; invisible to lookups.
        orphan: bool,
    },
}

/// One table slot.
#[derive(Debug, Clone, Copy)]
pub struct Slot(Entry);

#[derive(Clone, Copy)]
struct Table {
    slots: *mut Slot,
    cap: u32,
    len: u32,
    /// Head of the free list (an index), or `u32::MAX`.
    free: u32,
}

// The table header is one owner at a time (`instance_cell!`); the slots are reached through
// its raw pointer. Callers never hold a slot reference across a push (which may move the
// slots).
crate::instance_cell!(table / table_cell: Table = Table { slots: core::ptr::null_mut(), cap: 0, len: 0, free: u32::MAX });

impl Table {
    fn slot(&mut self, handle: u32) -> Option<&mut Entry> {
        // Handle 0 wraps to an index past the end.
        let idx = handle.wrapping_sub(1);
        if idx >= self.len {
            return None;
        }
        // SAFETY: idx < len <= cap, and slots[..len] are initialised.
        Some(unsafe { &mut (*self.slots.add(idx as usize)).0 })
    }

    /// A live (not orphaned) entry.
    fn live(&mut self, handle: u32) -> Option<&mut Entry> {
        match self.slot(handle) {
            Some(e @ Entry::Used { orphan: false, .. }) => Some(e),
            _ => None,
        }
    }

    fn insert(&mut self, res: Resource, parent: u32, holds_parent: bool) -> u32 {
        let entry = Entry::Used { res, children: 0, holds: 0, parent, holds_parent, orphan: false };
        if self.free != u32::MAX {
            let idx = self.free;
            // SAFETY: the free list only holds indices < len.
            let slot = unsafe { &mut (*self.slots.add(idx as usize)).0 };
            let Entry::Free { next } = *slot else { trap(b"resource table corrupted") };
            self.free = next;
            *slot = entry;
            return idx + 1;
        }
        if self.len == self.cap {
            if self.cap >= MAX_HANDLES {
                trap(b"too many live handles (limit 65536)");
            }
            let new_cap = if self.cap == 0 { 16 } else { self.cap * 2 };
            let sz = core::mem::size_of::<Slot>();
            self.slots = alloc::private::realloc(
                self.slots as *mut u8,
                self.cap as usize * sz,
                core::mem::align_of::<Slot>(),
                new_cap as usize * sz,
            ) as *mut Slot;
            self.cap = new_cap;
        }
        // SAFETY: len < cap after growth.
        unsafe { self.slots.add(self.len as usize).write(Slot(entry)) };
        self.len += 1;
        self.len
    }
}

/// Adds a resource; returns its handle (never 0).
pub fn push(res: Resource) -> u32 {
    table().insert(res, 0, false)
}

/// Adds a resource that depends on `parent` (a pollable on its stream): `parent` cannot be
/// removed until this child is.
pub fn push_child(res: Resource, parent: u32) -> u32 {
    let mut t = table();
    match t.live(parent) {
        Some(Entry::Used { children, .. }) => *children += 1,
        _ => trap_handle(b"invalid parent handle ", parent, b""),
    }
    t.insert(res, parent, false)
}

/// Adds a resource that holds `parent` (a stream on a descriptor's file): removing `parent`
/// is deferred until this holder is removed. The streams of a socket are its children
/// instead (removing the socket first traps), as on wasmtime.
pub fn push_holder(res: Resource, parent: u32) -> u32 {
    let mut t = table();
    let holds_parent = match t.live(parent) {
        #[cfg(feature = "wamr")]
        Some(Entry::Used { res: Resource::TcpSocket(_) | Resource::UdpSocket(_), children, .. }) => {
            *children += 1;
            false
        }
        Some(Entry::Used { holds, .. }) => {
            *holds += 1;
            true
        }
        _ => trap_handle(b"invalid parent handle ", parent, b""),
    };
    t.insert(res, parent, holds_parent)
}

/// Whether `parent` has a live child for which `f` holds (a linear scan: for rare calls,
/// such as `udp-socket.stream` refusing while the previous streams live).
pub fn has_child(parent: u32, f: impl Fn(&Resource) -> bool) -> bool {
    let mut t = table();
    (1..=t.len).any(|h| matches!(t.slot(h), Some(Entry::Used { res, parent: p, holds_parent: false, orphan: false, .. }) if *p == parent && f(res)))
}

/// The resource of type `T` named by `handle`; traps if there is none.
///
/// The hot path of every method call. It does what `Table::live` does, but inline and without
/// `Option`s, so that it compiles to the bounds check, two tag checks and the address (handle
/// 0 wraps to an index past the end), fewer instructions than through `live` (see
/// `docs/performance.md`).
pub fn get<T: Kind>(handle: u32) -> &'static mut T {
    // A copy of the header: no borrow to set and clear.
    let t = table_cell().read();
    let idx = handle.wrapping_sub(1);
    if idx < t.len {
        // SAFETY: idx < len <= cap, and slots[..len] are initialised.
        if let Entry::Used { res, orphan: false, .. } = unsafe { &mut (*t.slots.add(idx as usize)).0 }
            && let Some(v) = T::get(res)
        {
            return v;
        }
    }
    trap_invalid_handle(handle, T::NAME)
}

/// The resource of type `T` named by `handle`, or `None` (never traps): for a handle kept
/// by another resource that may have been dropped since (a socket's streams).
pub fn try_get<T: Kind>(handle: u32) -> Option<&'static mut T> {
    match table().live(handle) {
        // SAFETY: the slot lives in the table's heap block, not in the borrowed header (as in
        // `get`).
        Some(Entry::Used { res, .. }) => T::get(res).map(|v| unsafe { &mut *(v as *mut T) }),
        _ => None,
    }
}

/// Checks that `handle` names a live resource of the given payload-free kind.
pub fn check(handle: u32, want: Resource) {
    match table().live(handle) {
        Some(Entry::Used { res, .. }) if core::mem::discriminant(res) == core::mem::discriminant(&want) => {}
        _ => trap_invalid_handle(handle, want.name()),
    }
}

/// Removes the resource of type `T` named by `handle` and returns it. Traps if the handle is
/// invalid or of another type, or if the resource still has children. A resource still held
/// stays (invisible) until its last holder goes; its runtime object is released then.
pub fn remove<T: Kind + Copy>(handle: u32) -> T {
    let v = *get::<T>(handle);
    remove_checked(handle);
    v
}

/// Removes a payload-free resource of kind `want`.
pub fn remove_kind(handle: u32, want: Resource) {
    check(handle, want);
    remove_checked(handle);
}

/// Ends `handle` for the program; frees its slot (releasing its runtime object) unless
/// holders remain.
fn remove_checked(handle: u32) {
    table().remove_checked(handle)
}

impl Table {
    /// See [`remove_checked`]. One borrow of the table serves the whole removal.
    fn remove_checked(&mut self, handle: u32) {
        let t = self;
        let (res, parent, holds_parent) = match t.live(handle) {
            Some(Entry::Used { res, children, holds, parent, holds_parent, orphan }) => {
                if *children != 0 {
                    trap_handle(b"cannot drop handle ", handle, b"(resource has children: its pollables or streams are alive)");
                }
                if *holds != 0 {
                    *orphan = true;
                    return;
                }
                (*res, *parent, *holds_parent)
            }
            _ => trap_handle(b"handle ", handle, b"(already dropped)"),
        };
        t.free_slot(handle);
        release_runtime_object(res);
        if parent != 0 {
            if holds_parent {
                t.release(parent);
            } else if let Some(Entry::Used { children, .. }) = t.slot(parent) {
                *children -= 1;
            }
        }
    }

    fn free_slot(&mut self, handle: u32) {
        let free = self.free;
        if let Some(slot) = self.slot(handle) {
            *slot = Entry::Free { next: free };
        }
        self.free = handle - 1;
    }

    /// One holder of `handle` is gone. When that was the last holder of an entry the program has
    /// already removed, frees the slot and releases its runtime object.
    fn release(&mut self, handle: u32) {
        if let Some(Entry::Used { res, holds, orphan, .. }) = self.slot(handle) {
            *holds -= 1;
            if *holds == 0 && *orphan {
                let r = *res;
                self.free_slot(handle);
                release_runtime_object(r);
            }
        }
    }
}

/// Releases what a resource owns in the runtime, once its entry is gone: the WASIp1 fd of a
/// descriptor (never a preopen's: the runtime owns those) or of a socket.
fn release_runtime_object(r: Resource) {
    let fd = match r {
        Resource::Descriptor(d) if !d.preopen => d.fd,
        #[cfg(feature = "wamr")]
        Resource::TcpSocket(s) => s.fd,
        #[cfg(feature = "wamr")]
        Resource::UdpSocket(s) => s.fd,
        _ => return,
    };
    let _ = crate::p1::close(fd);
}

/// Body of every method of a resource this build never creates (status `no-instance`): no
/// handle of that type can exist, so the one passed is invalid and the call traps.
pub fn no_instance(handle: i32, kind: &str) -> ! {
    trap_invalid_handle(handle as u32, kind.as_bytes())
}

#[cfg(test)]
pub fn live() -> u32 {
    let mut t = table();
    (1..=t.len).filter(|h| matches!(t.slot(*h), Some(Entry::Used { .. }))).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::error::IoError;
    use crate::io::poll::{Pollable, Wait};
    extern crate std;

    fn traps(f: impl FnOnce() + std::panic::UnwindSafe) -> std::string::String {
        let e = std::panic::catch_unwind(f).expect_err("expected a trap");
        e.downcast_ref::<std::string::String>().cloned().unwrap_or_default()
    }

    // The table is one global; keep its tests in one function so they run in order.
    #[test]
    fn handles_are_typed_nonzero_reused_and_bounded() {
        let a = push(Resource::Error(IoError { errno: 8 }));
        assert_ne!(a, 0);
        assert_eq!(get::<IoError>(a).errno, 8);
        // Wrong type traps.
        let m = traps(move || {
            get::<Pollable>(a);
        });
        assert_eq!(m, std::format!("handle {a} is invalid (expected a live pollable)"));
        // Handle 0 and out-of-range handles trap.
        traps(|| {
            get::<IoError>(0);
        });
        traps(|| {
            get::<IoError>(1_000_000);
        });
        // Drop, then use: traps; the slot is reused.
        assert_eq!(remove::<IoError>(a).errno, 8);
        traps(move || {
            get::<IoError>(a);
        });
        traps(move || {
            remove::<IoError>(a);
        });
        let b = push(Resource::Error(IoError { errno: 9 }));
        assert_eq!(b, a, "LIFO reuse");

        // A parent with a live child cannot be dropped; after the child goes, it can.
        let p = push(Resource::Network);
        let c = push_child(Resource::Pollable(Pollable { wait: Wait::Always }), p);
        traps(move || remove_kind(p, Resource::Network));
        remove::<Pollable>(c);
        remove_kind(p, Resource::Network);
        remove::<IoError>(b);

        // Growth keeps existing entries.
        let hs: std::vec::Vec<u32> =
            (0..1000).map(|i| push(Resource::Error(IoError { errno: i as u16 }))).collect();
        for (i, h) in hs.iter().enumerate() {
            assert_eq!(get::<IoError>(*h).errno, i as u16);
        }
        for h in &hs {
            remove::<IoError>(*h);
        }
        assert_eq!(live(), 0);
        traps(|| no_instance(3, "tcp-socket"));

        // A held resource outlives its handle until the last holder goes.
        let d = push(Resource::Network);
        let h1 = push_holder(Resource::Error(IoError { errno: 1 }), d);
        let h2 = push_holder(Resource::Error(IoError { errno: 2 }), d);
        remove::<IoError>(h1);
        assert_eq!(live(), 2, "a holder itself is freed at once");
        remove_kind(d, Resource::Network);
        traps(move || check(d, Resource::Network));
        assert_eq!(live(), 2, "the removed entry is kept for its remaining holder");
        remove::<IoError>(h2);
        assert_eq!(live(), 0, "the last holder frees it");
    }

    #[test]
    fn slot_is_small() {
        assert!(core::mem::size_of::<Slot>() <= 48, "{}", core::mem::size_of::<Slot>());
    }
}
