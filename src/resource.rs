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
//! - the table holds at most [`MAX_HANDLES`] entries; it grows by chunks of doubling size in
//!   the adapter's private heap (`alloc::private`), which never move, so its fixed cost is the
//!   chunk pointers and each live handle costs one [`Slot`] (48 bytes);
//! - [`get`] lends a resource out as a [`Ref`], at most one per handle at a time: a second
//!   `get` of the same handle while one is alive, or removing it, traps ("borrowed twice"),
//!   so no two mutable references to one resource exist.
//!
//! Freed slots are reused last-in first-out, as wasmtime's table does.

use crate::alloc;
use crate::trap::{trap, trap_handle, trap_invalid_handle};

/// Upper bound on simultaneously live handles.
pub const MAX_HANDLES: u32 = 1 << 16;

/// Everything a handle can name. Each kind has a number, its tag ([`Resource::tag`], the
/// declaration order, which [`NAMES`] follows), kept in its slot's bookkeeping: a lookup
/// checks a handle's type by comparing one byte with the kind's [`Kind::TAG`].
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

/// WIT names of the kinds, indexed by tag (for trap messages).
const NAMES: &[&[u8]] = &[
    b"input-stream",
    b"output-stream",
    b"pollable",
    b"error",
    b"descriptor",
    b"directory-entry-stream",
    b"terminal-input",
    b"terminal-output",
    b"network",
    #[cfg(feature = "wamr")]
    b"tcp-socket",
    #[cfg(feature = "wamr")]
    b"udp-socket",
    #[cfg(feature = "wamr")]
    b"incoming-datagram-stream",
    #[cfg(feature = "wamr")]
    b"outgoing-datagram-stream",
    #[cfg(feature = "wamr")]
    b"resolve-address-stream",
];

impl Resource {
    /// The kind's tag: its place in the declaration order.
    #[inline(always)]
    pub const fn tag(&self) -> u8 {
        match self {
            Resource::InputStream(_) => 0,
            Resource::OutputStream(_) => 1,
            Resource::Pollable(_) => 2,
            Resource::Error(_) => 3,
            Resource::Descriptor(_) => 4,
            Resource::DirectoryEntryStream(_) => 5,
            Resource::TerminalInput => 6,
            Resource::TerminalOutput => 7,
            Resource::Network => 8,
            #[cfg(feature = "wamr")]
            Resource::TcpSocket(_) => 9,
            #[cfg(feature = "wamr")]
            Resource::UdpSocket(_) => 10,
            #[cfg(feature = "wamr")]
            Resource::IncomingDatagramStream(_) => 11,
            #[cfg(feature = "wamr")]
            Resource::OutgoingDatagramStream(_) => 12,
            #[cfg(feature = "wamr")]
            Resource::ResolveAddressStream(_) => 13,
        }
    }
}

/// Whether two byte strings are equal (for the compile-time checks of [`NAMES`]).
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// The payload-free kinds, whose tags `check` takes from a value, have their names in `NAMES`.
const _: () = {
    assert!(same(NAMES[Resource::TerminalInput.tag() as usize], b"terminal-input"));
    assert!(same(NAMES[Resource::TerminalOutput.tag() as usize], b"terminal-output"));
    assert!(same(NAMES[Resource::Network.tag() as usize], b"network"));
};

/// The WIT name of kind `tag`.
fn name(tag: u8) -> &'static [u8] {
    NAMES.get(tag as usize).copied().unwrap_or(b"resource")
}

/// A resource type stored in the table.
pub trait Kind: Sized + 'static {
    /// The tag of its [`Resource`] variant.
    const TAG: u8;
    /// WIT name, for trap messages.
    const NAME: &'static [u8] = NAMES[Self::TAG as usize];
    /// The payload of `r`, which holds this kind, mutably.
    ///
    /// # Safety
    /// `r` is valid, holds a `Self` (its slot's tag is [`Kind::TAG`], checked when the
    /// [`Ref`] was made), and no other reference to it is alive.
    unsafe fn payload_mut(r: *mut Resource) -> *mut Self;
    /// The payload of `r`, shared.
    ///
    /// # Safety
    /// As for [`Kind::payload_mut`], but shared references may be alive.
    unsafe fn payload(r: *const Resource) -> *const Self;
}

macro_rules! kind {
    ($t:ty, $variant:ident, $name:literal) => {
        impl Kind for $t {
            // The variant's tag, from a value made at compile time (a payload of zeros:
            // compile-time evaluation rejects it if that is not a valid value).
            const TAG: u8 = {
                // SAFETY: checked by compile-time evaluation, as said above.
                let v = Resource::$variant(unsafe { core::mem::zeroed() });
                let tag = v.tag();
                assert!(same(NAMES[tag as usize], $name), "NAMES is not in the order of Resource");
                tag
            };
            #[inline(always)]
            unsafe fn payload_mut(r: *mut Resource) -> *mut Self {
                // SAFETY: the caller's contract: `r` holds this variant, unaliased.
                match unsafe { &mut *r } {
                    Resource::$variant(v) => v,
                    _ => unsafe { core::hint::unreachable_unchecked() },
                }
            }
            #[inline(always)]
            unsafe fn payload(r: *const Resource) -> *const Self {
                // SAFETY: the caller's contract: `r` holds this variant.
                match unsafe { &*r } {
                    Resource::$variant(v) => v,
                    _ => unsafe { core::hint::unreachable_unchecked() },
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

/// Where a slot is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Free,
    Used,
    /// Used, and lent out by a [`Ref`]: a second `get`, or removing it, traps.
    Lent,
    /// Removed by the program, kept for its holders; invisible to lookups.
    Orphan,
}

/// A slot's bookkeeping, kept apart from its resource: the table's own operations (counting
/// children and holders, the free list) touch only this, never the resource a [`Ref`] may be
/// lending out.
#[derive(Debug, Clone, Copy)]
struct Meta {
    life: Life,
    /// Whether this entry holds its parent (else it is its child).
    holds_parent: bool,
    /// The tag of the resource ([`Resource::tag`]), meaningful while used.
    tag: u8,
    /// Live children: pollables, a socket's streams (removal traps while non-zero).
    children: u32,
    /// Live holders (removal is deferred while non-zero).
    holds: u32,
    /// The parent (0: none): the resource this one is a child or a holder of. In a free
    /// slot: the next free slot's handle (index + 1), or 0 at the end of the free list.
    parent: u32,
}

/// One table slot: a resource (meaningful while used) and its bookkeeping.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    res: Resource,
    meta: Meta,
}

/// Slots live in chunks that never move: chunk `k` holds `FIRST_CHUNK << k` slots, and
/// [`CHUNKS`] of them hold more than [`MAX_HANDLES`]. A slot's address is therefore fixed
/// from its first use to the end of the instance, so a [`Ref`] stays valid while the table
/// grows.
const FIRST_CHUNK: u32 = 16;
const CHUNKS: usize = 13;
const _: () = assert!(FIRST_CHUNK as u64 * ((1 << CHUNKS) - 1) >= MAX_HANDLES as u64);

/// The table header. All zeros when empty, so it costs no data bytes (it lives in `.bss`).
#[derive(Clone, Copy)]
struct Table {
    chunks: [*mut Slot; CHUNKS],
    /// Slots in use or on the free list: indices `< len` are initialised.
    len: u32,
    /// Slots allocated (the chunks so far).
    cap: u32,
    /// The handle (index + 1) of the head of the free list, or 0 when it is empty.
    free: u32,
}

// The table header is one owner at a time (`instance_cell!`); the slots are reached through
// its chunk pointers, and a slot's resource through a [`Ref`] (one at a time per slot).
crate::instance_cell!(table / table_cell: Table = Table { chunks: [core::ptr::null_mut(); CHUNKS], len: 0, cap: 0, free: 0 });

/// The address of slot `idx`, which must be `< len`: the first chunk inline (the hot path of
/// [`lendable`]), the others through [`far_slot_ptr`].
///
/// # Safety
/// `t` is the table header, readable (no `&mut` to it alive), and `idx < len` (so its chunk
/// is allocated).
#[inline(always)]
unsafe fn slot_ptr(t: *const Table, idx: u32) -> *mut Slot {
    let chunks = unsafe { (&raw const (*t).chunks).cast::<*mut Slot>() };
    if idx < FIRST_CHUNK {
        // SAFETY: chunk 0 is allocated (idx < len) and holds idx.
        return unsafe { (*chunks).add(idx as usize) };
    }
    // SAFETY: as for this function.
    unsafe { far_slot_ptr(chunks, idx) }
}

/// The address of slot `idx` in any chunk (out of line: shared by every lookup but the first
/// chunk's fast path).
///
/// # Safety
/// `chunks` is the table's chunk array, `idx < len`.
#[inline(never)]
unsafe fn far_slot_ptr(chunks: *const *mut Slot, idx: u32) -> *mut Slot {
    // Chunk k holds the indices i with FIRST_CHUNK << k <= i + FIRST_CHUNK < FIRST_CHUNK << (k + 1).
    let j = idx + FIRST_CHUNK;
    let k = 31 - j.leading_zeros() - FIRST_CHUNK.trailing_zeros();
    // SAFETY: idx < len <= MAX_HANDLES, so k < CHUNKS (see the assertion above), and chunk
    // k is allocated and holds j - (FIRST_CHUNK << k).
    unsafe { (*chunks.add(k as usize)).add((j - (FIRST_CHUNK << k)) as usize) }
}

#[cold]
#[inline(never)]
fn borrowed_twice(handle: u32) -> ! {
    trap_handle(b"internal error (handle ", handle, b"borrowed twice in the adapter)")
}

#[cold]
#[inline(never)]
fn corrupted() -> ! {
    trap(b"resource table corrupted")
}

impl Table {
    /// The slot of `handle` (`handle - 1 < len`), else null (handle 0 wraps past the end).
    #[inline(never)]
    fn slot(&mut self, handle: u32) -> *mut Slot {
        let idx = handle.wrapping_sub(1);
        if idx >= self.len {
            return core::ptr::null_mut();
        }
        // SAFETY: idx < len; `&mut self` is the table's one borrow, so the header is not
        // otherwise referenced.
        unsafe { slot_ptr(self, idx) }
    }

    /// The bookkeeping of slot `handle - 1`, or `None` past the end.
    fn meta(&mut self, handle: u32) -> Option<&mut Meta> {
        let p = self.slot(handle);
        // SAFETY: non-null: a slot below len. `meta` is never lent out by a `Ref`, and
        // `&mut self` is the table's one borrow, so this is the only reference to it.
        if p.is_null() { None } else { Some(unsafe { &mut (*p).meta }) }
    }

    /// The bookkeeping of a live (used, not orphaned) entry.
    fn live(&mut self, handle: u32) -> Option<&mut Meta> {
        self.meta(handle).filter(|m| matches!(m.life, Life::Used | Life::Lent))
    }

    /// A copy of the resource of `handle`, whose slot is in use; traps while a [`Ref`] to it
    /// is alive (its resource is then lent out).
    #[cfg(feature = "wamr")]
    fn res(&mut self, handle: u32) -> Resource {
        let p = self.slot(handle);
        if p.is_null() {
            corrupted();
        }
        // SAFETY: below len; its resource is read only when not lent out (checked).
        unsafe {
            if (*p).meta.life == Life::Lent {
                borrowed_twice(handle);
            }
            (*p).res
        }
    }

    /// Adds `res`, whose tag is `tag`.
    #[inline(never)]
    fn insert(&mut self, res: Resource, tag: u8, parent: u32, holds_parent: bool) -> u32 {
        let idx = if self.free != 0 {
            // A free slot: the free list only holds handles of initialised slots, which no
            // `Ref` lends out (a `Ref` keeps its slot in use: removal traps while it lives).
            let head = self.free;
            let m = match self.meta(head) {
                Some(m) if m.life == Life::Free => m.parent,
                _ => corrupted(),
            };
            self.free = m;
            head - 1
        } else {
            if self.len >= MAX_HANDLES {
                trap(b"too many live handles (limit 65536)");
            }
            if self.len == self.cap {
                // cap = FIRST_CHUNK * (2^k - 1) with k chunks; k < CHUNKS as len < MAX_HANDLES.
                let k = self.cap.count_ones() as usize;
                if k >= CHUNKS {
                    corrupted();
                }
                let n = FIRST_CHUNK << k;
                let sz = core::mem::size_of::<Slot>();
                self.chunks[k] = alloc::private::realloc(core::ptr::null_mut(), 0, core::mem::align_of::<Slot>(), n as usize * sz) as *mut Slot;
                self.cap += n;
            }
            self.len += 1;
            self.len - 1
        };
        let slot = Slot { res, meta: Meta { life: Life::Used, holds_parent, tag, children: 0, holds: 0, parent } };
        // SAFETY: idx < len (a reused slot, or the new last one, whose chunk is allocated).
        unsafe { far_slot_ptr((&raw const self.chunks).cast(), idx).write(slot) };
        idx + 1
    }
}

/// The one reference to a resource in the table, from [`get`] or [`try_get`]: while it is
/// alive, another `get` of the same handle, or its removal, traps (so no two mutable
/// references to one resource can exist), and its slot does not move (slots never do).
pub struct Ref<T: Kind> {
    slot: core::ptr::NonNull<Slot>,
    _t: core::marker::PhantomData<*mut T>,
}

impl<T: Kind> core::ops::Deref for Ref<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the slot holds a `T` (checked when the `Ref` was made; it cannot be removed
        // or replaced while the `Ref` lives) and is lent to this `Ref` alone.
        unsafe { &*T::payload(&raw const (*self.slot.as_ptr()).res) }
    }
}

impl<T: Kind> core::ops::DerefMut for Ref<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`; `&mut self` makes this the only reference handed out.
        unsafe { &mut *T::payload_mut(&raw mut (*self.slot.as_ptr()).res) }
    }
}

impl<T: Kind> Drop for Ref<T> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: the slot outlives every `Ref` (slots never move or go); only its flag is
        // written, through the raw pointer.
        unsafe { (*self.slot.as_ptr()).meta.life = Life::Used };
    }
}

/// Adds a resource; returns its handle (never 0).
#[inline(always)]
pub fn push(res: Resource) -> u32 {
    push_tagged(res, res.tag())
}

#[inline(never)]
fn push_tagged(res: Resource, tag: u8) -> u32 {
    table().insert(res, tag, 0, false)
}

/// Adds a resource that depends on `parent` (a pollable on its stream): `parent` cannot be
/// removed until this child is.
pub fn push_child(res: Resource, parent: u32) -> u32 {
    let mut t = table();
    match t.live(parent) {
        Some(m) => m.children += 1,
        _ => trap_handle(b"invalid parent handle ", parent, b""),
    }
    t.insert(res, res.tag(), parent, false)
}

/// Adds a resource that holds `parent` (a stream on a descriptor's file): removing `parent`
/// is deferred until this holder is removed. The streams of a socket are its children
/// instead (removing the socket first traps), as on wasmtime.
pub fn push_holder(res: Resource, parent: u32) -> u32 {
    let mut t = table();
    if t.live(parent).is_none() {
        trap_handle(b"invalid parent handle ", parent, b"");
    }
    #[cfg(feature = "wamr")]
    let socket = matches!(t.res(parent), Resource::TcpSocket(_) | Resource::UdpSocket(_));
    #[cfg(not(feature = "wamr"))]
    let socket = false;
    let Some(m) = t.live(parent) else { trap_handle(b"invalid parent handle ", parent, b"") };
    if socket {
        m.children += 1;
    } else {
        m.holds += 1;
    }
    t.insert(res, res.tag(), parent, !socket)
}

/// Whether `parent` has a live child for which `f` holds (a linear scan: for rare calls,
/// such as `udp-socket.stream` refusing while the previous streams live).
#[cfg(feature = "wamr")]
pub fn has_child(parent: u32, f: impl Fn(&Resource) -> bool) -> bool {
    let mut t = table();
    (1..=t.len).any(|h| {
        matches!(t.live(h), Some(m) if m.parent == parent && !m.holds_parent) && f(&t.res(h))
    })
}

/// The resource of type `T` named by `handle`; traps if there is none.
///
/// The hot path of every method call: the bounds check, the slot's address in its chunk,
/// the life, borrow and type checks, and the borrow flag set (cleared when the [`Ref`]
/// goes), without `Option`s, in one function shared by every kind ([`lend_or_trap`]).
#[inline(always)]
pub fn get<T: Kind>(handle: u32) -> Ref<T> {
    Ref { slot: lend_or_trap(handle, T::TAG), _t: core::marker::PhantomData }
}

/// The resource of type `T` named by `handle`, or `None` (never traps but on a double
/// borrow): for a handle kept by another resource that may have been dropped since (a
/// socket's streams).
#[inline(always)]
pub fn try_get<T: Kind>(handle: u32) -> Option<Ref<T>> {
    let p = core::ptr::NonNull::new(lend_or_null(handle, T::TAG))?;
    Some(Ref { slot: p, _t: core::marker::PhantomData })
}

/// [`get`] with the lookup inline, for the two hottest paths (wasi-libc's `read` and
/// `write` served in one step): the same checks, without the call (one copy each).
#[inline(always)]
pub fn get_inline<T: Kind>(handle: u32) -> Ref<T> {
    match core::ptr::NonNull::new(lendable(handle, T::TAG)) {
        Some(p) => Ref { slot: p, _t: core::marker::PhantomData },
        None => trap_invalid_handle(handle, T::NAME),
    }
}

/// [`lendable`], trapping when it finds nothing (`get`).
#[inline(never)]
fn lend_or_trap(handle: u32, tag: u8) -> core::ptr::NonNull<Slot> {
    match core::ptr::NonNull::new(lendable(handle, tag)) {
        Some(p) => p,
        None => trap_invalid_handle(handle, name(tag)),
    }
}

/// [`lendable`] (`try_get`).
#[inline(never)]
fn lend_or_null(handle: u32, tag: u8) -> *mut Slot {
    lendable(handle, tag)
}

/// The slot of `handle` when it is in use, not lent out and holds kind `tag` — then lent out
/// (its life is `Lent` until the [`Ref`] made of it goes); else null (no such live handle of
/// that kind). Traps when it is lent out. Not generic: only the tag differs between kinds.
#[inline(always)]
fn lendable(handle: u32, tag: u8) -> *mut Slot {
    let idx = handle.wrapping_sub(1);
    // The header, read in place: no borrow to set and clear.
    let t = table_cell().as_ptr();
    // SAFETY: readable (checked by `as_ptr`), and nothing borrows it below.
    if idx >= unsafe { (*t).len } {
        return core::ptr::null_mut();
    }
    // SAFETY: idx < len, so the slot is initialised and stays where it is. Its bookkeeping
    // is read through the raw pointer (a `Ref` may be lending out its resource).
    let p = unsafe { slot_ptr(t, idx) };
    unsafe {
        match (*p).meta.life {
            Life::Used => {}
            Life::Lent => borrowed_twice(handle),
            _ => return core::ptr::null_mut(),
        }
        if (*p).meta.tag != tag {
            return core::ptr::null_mut();
        }
        (*p).meta.life = Life::Lent;
    }
    p
}

/// Checks that `handle` names a live resource of the given payload-free kind.
#[inline(always)]
pub fn check(handle: u32, want: Resource) {
    check_tag(handle, want.tag())
}

/// [`check`] of kind `tag`: the lookup of [`get`] (the same checks and traps), its lending
/// undone at once.
#[inline(never)]
fn check_tag(handle: u32, tag: u8) {
    let p = lend_or_trap(handle, tag);
    // SAFETY: the slot stays where it is; only its flag is written, as when a `Ref` goes.
    unsafe { (*p.as_ptr()).meta.life = Life::Used };
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
#[inline(never)]
fn remove_checked(handle: u32) {
    table().remove_checked(handle)
}

impl Table {
    /// See [`remove_checked`]. One borrow of the table serves the whole removal.
    ///
    /// Frees the slot of `handle` (releasing its runtime object) and detaches it from its
    /// parent: one child fewer, or one holder fewer — and when that was the last holder of
    /// an orphan, the orphan goes too, detached from its own parent in turn (a loop, since
    /// an orphan may itself hold another entry).
    fn remove_checked(&mut self, handle: u32) {
        let Some(m) = self.live(handle) else { trap_handle(b"handle ", handle, b"(already dropped)") };
        if m.children != 0 {
            trap_handle(b"cannot drop handle ", handle, b"(resource has children: its pollables or streams are alive)");
        }
        if m.holds != 0 {
            m.life = Life::Orphan;
            return;
        }
        let mut handle = handle;
        loop {
            let p = self.slot(handle);
            if p.is_null() {
                corrupted();
            }
            // SAFETY: below len; the resource is read only when it is not lent out
            // (checked), and the bookkeeping is never lent out.
            let (fd, Meta { parent, holds_parent, .. }) = unsafe {
                if (*p).meta.life == Life::Lent {
                    borrowed_twice(handle);
                }
                let old = (*p).meta;
                (*p).meta = Meta { life: Life::Free, holds_parent: false, tag: 0, children: 0, holds: 0, parent: self.free };
                (runtime_fd(&(*p).res), old)
            };
            self.free = handle;
            if let Some(fd) = fd {
                let _ = crate::p1::close(fd);
            }
            let Some(m) = self.meta(parent) else { return };
            if !holds_parent {
                m.children -= 1;
                return;
            }
            // One holder of `parent` is gone.
            if m.life == Life::Free {
                return;
            }
            m.holds -= 1;
            if m.holds != 0 || m.life != Life::Orphan {
                return;
            }
            handle = parent;
        }
    }
}

/// What a resource owns in the runtime, released once its entry is gone: the WASIp1 fd of a
/// descriptor (never a preopen's: the runtime owns those) or of a socket.
fn runtime_fd(r: &Resource) -> Option<u32> {
    match r {
        Resource::Descriptor(d) if !d.preopen => Some(d.fd),
        #[cfg(feature = "wamr")]
        Resource::TcpSocket(s) => Some(s.fd),
        #[cfg(feature = "wamr")]
        Resource::UdpSocket(s) => Some(s.fd),
        _ => None,
    }
}

/// Body of every method of a resource this build never creates (status `no-instance`): no
/// handle of that type can exist, so the one passed is invalid and the call traps.
pub fn no_instance(handle: i32, kind: &str) -> ! {
    trap_invalid_handle(handle as u32, kind.as_bytes())
}

#[cfg(test)]
pub fn live() -> u32 {
    let mut t = table();
    (1..=t.len).filter(|h| matches!(t.meta(*h), Some(m) if m.life != Life::Free)).count() as u32
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

    /// A `Ref` is the one reference to its resource: a second `get` of the handle, or its
    /// removal, traps while it lives; it stays valid while the table grows (slots never
    /// move); two handles can be borrowed at once.
    #[test]
    fn one_reference_per_resource_and_stable_slots() {
        let a = push(Resource::Error(IoError { errno: 1 }));
        let b = push(Resource::Error(IoError { errno: 2 }));
        {
            let mut ra = get::<IoError>(a);
            let rb = get::<IoError>(b);
            ra.errno += rb.errno;
            // Growth (many chunks) while `ra` is alive: it still points at `a`'s resource.
            let more: std::vec::Vec<u32> = (0..3000).map(|i| push(Resource::Error(IoError { errno: i as u16 }))).collect();
            ra.errno += 1;
            assert_eq!(ra.errno, 4);
            drop(rb);
            for h in more {
                remove::<IoError>(h);
            }
        }
        assert_eq!(get::<IoError>(a).errno, 4, "the write through the Ref landed");
        let m = traps(move || {
            let _r = get::<IoError>(a);
            let _again = get::<IoError>(a);
        });
        assert_eq!(m, std::format!("internal error (handle {a} borrowed twice in the adapter)"));
        assert_eq!(get::<IoError>(a).errno, 4, "the trap's unwinding released the first Ref");
        let m = traps(move || {
            let _r = get::<IoError>(a);
            remove::<IoError>(a);
        });
        assert_eq!(m, std::format!("internal error (handle {a} borrowed twice in the adapter)"));
        assert!(try_get::<IoError>(a).is_some());
        assert!(try_get::<Pollable>(a).is_none(), "another type");
        remove::<IoError>(a);
        assert!(try_get::<IoError>(a).is_none(), "dropped");
        remove::<IoError>(b);
    }

    #[test]
    fn slot_is_small() {
        assert!(core::mem::size_of::<Slot>() <= 48, "{}", core::mem::size_of::<Slot>());
    }
}
