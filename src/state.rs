//! The adapter's own mutable state, and the rule that one import call at a time owns it.
//!
//! **One call at a time.** The only way the program can run while the adapter is in a call is
//! the program's `cabi_realloc` (the adapter allocating a result, [`calling_program`]); an
//! import called from there re-enters the adapter, which the component model forbids (a
//! native host traps: "cannot leave component instance"). Every generated entry point starts
//! with [`enter`] (most through [`enter_call`], the same check out of line), which traps
//! then, so a call never finds the state half-updated by the call it interrupted.
//!
//! **One owner per state.** A piece of state lives in a [`StateCell`] (declared with
//! [`instance_cell!`](crate::instance_cell)): an `UnsafeCell` with a borrow flag. `borrow()`
//! gives the one [`Borrow`] (a mutable reference that clears the flag when dropped); asking
//! again while it is alive traps instead of creating a second `&mut` to the same value, so
//! aliasing mutable references cannot arise, whatever path the code takes. State that is a
//! plain `Copy` value is a [`StateValue`] ([`instance_value!`](crate::instance_value)), read
//! and written whole like a `Cell`: no references, so no flag and no cost.
//!
//! Threads: core wasm without the threads proposal runs one thread per instance, so a plain
//! static is per instance ([`StateCell`] is `Sync` on that ground); on the host (unit tests)
//! each thread gets its own cell.

use core::cell::{Cell, UnsafeCell};
use core::ops::{Deref, DerefMut};

/// A value owned by at most one [`Borrow`] at a time.
pub struct StateCell<T> {
    value: UnsafeCell<T>,
    borrowed: Cell<bool>,
}

// SAFETY: one thread per instance on wasm (see the module doc); on the host each cell is
// thread-local (`instance_cell!`), so no cell is ever shared between threads.
unsafe impl<T> Sync for StateCell<T> {}

impl<T> StateCell<T> {
    pub const fn new(value: T) -> StateCell<T> {
        StateCell { value: UnsafeCell::new(value), borrowed: Cell::new(false) }
    }

    /// The value, mutably; traps when it is already borrowed.
    #[inline(always)]
    pub fn borrow(&self) -> Borrow<'_, T> {
        if self.borrowed.replace(true) {
            borrowed_twice();
        }
        Borrow { cell: self }
    }

    /// The value's address, for a hot path that reads a few fields through it (raw place
    /// reads, no reference); traps when it is mutably borrowed. Nothing may borrow the cell
    /// while the pointer is used.
    #[inline(always)]
    pub fn as_ptr(&self) -> *const T {
        if self.borrowed.get() {
            borrowed_twice();
        }
        self.value.get()
    }

    /// A copy of the value (for hot paths that only read); traps when it is mutably
    /// borrowed. No reference escapes, so nothing can alias a later `Borrow`.
    #[inline(always)]
    pub fn read(&self) -> T
    where
        T: Copy,
    {
        if self.borrowed.get() {
            borrowed_twice();
        }
        // SAFETY: no `Borrow` is alive (checked), and the value is copied out at once.
        unsafe { *self.value.get() }
    }
}

/// A `Copy` value of per-instance state, read and written whole: it hands out no references,
/// so it needs no borrow flag (`core::cell::Cell`, made `Sync` on the same ground as
/// [`StateCell`]).
pub struct StateValue<T: Copy>(Cell<T>);

// SAFETY: as for `StateCell`.
unsafe impl<T: Copy> Sync for StateValue<T> {}

impl<T: Copy> StateValue<T> {
    pub const fn new(value: T) -> StateValue<T> {
        StateValue(Cell::new(value))
    }
    #[inline(always)]
    pub fn get(&self) -> T {
        self.0.get()
    }
    #[inline(always)]
    pub fn set(&self, v: T) {
        self.0.set(v)
    }
    /// The value's address, for a WASIp1 call that writes it in place.
    #[inline(always)]
    pub fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

/// Declares `fn $name() -> &'static StateValue<$t>` (a static on wasm, a thread-local on the
/// host).
#[macro_export]
#[doc(hidden)]
macro_rules! instance_value {
    ($fn:ident: $t:ty = $init:expr) => {
        #[cfg(target_family = "wasm")]
        #[inline(always)]
        fn $fn() -> &'static $crate::state::StateValue<$t> {
            static S: $crate::state::StateValue<$t> = $crate::state::StateValue::new($init);
            &S
        }
        #[cfg(not(target_family = "wasm"))]
        fn $fn() -> &'static $crate::state::StateValue<$t> {
            std::thread_local! {
                static S: &'static $crate::state::StateValue<$t> =
                    std::boxed::Box::leak(std::boxed::Box::new($crate::state::StateValue::new($init)));
            }
            S.with(|s| *s)
        }
    };
}

#[cold]
#[inline(never)]
fn borrowed_twice() -> ! {
    crate::trap::trap(b"internal error (adapter state borrowed twice)")
}

/// The one mutable reference to a [`StateCell`]'s value.
pub struct Borrow<'a, T> {
    cell: &'a StateCell<T>,
}

impl<T> Deref for Borrow<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the flag makes this borrow the only access to the value while it lives.
        unsafe { &*self.cell.value.get() }
    }
}

impl<T> DerefMut for Borrow<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`, and `&mut self` makes this the only reference handed out.
        unsafe { &mut *self.cell.value.get() }
    }
}

impl<T> Drop for Borrow<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        self.cell.borrowed.set(false);
    }
}

/// Declares `fn $name() -> Borrow<'static, $t>`: per-instance state in a [`StateCell`] (a
/// plain static on wasm, a thread-local on the host so that parallel unit tests do not share
/// it).
#[macro_export]
#[doc(hidden)]
macro_rules! instance_cell {
    ($fn:ident: $t:ty = $init:expr) => {
        #[cfg(target_family = "wasm")]
        #[inline(always)]
        fn $fn() -> $crate::state::Borrow<'static, $t> {
            static S: $crate::state::StateCell<$t> = $crate::state::StateCell::new($init);
            S.borrow()
        }
        #[cfg(not(target_family = "wasm"))]
        fn $fn() -> $crate::state::Borrow<'static, $t> {
            std::thread_local! {
                static S: &'static $crate::state::StateCell<$t> =
                    std::boxed::Box::leak(std::boxed::Box::new($crate::state::StateCell::new($init)));
            }
            S.with(|s| *s).borrow()
        }
    };
    // Also `fn $cell() -> &'static StateCell<$t>`, for `read`.
    ($fn:ident / $cell:ident: $t:ty = $init:expr) => {
        #[cfg(target_family = "wasm")]
        #[inline(always)]
        #[allow(dead_code)]
        fn $cell() -> &'static $crate::state::StateCell<$t> {
            static S: $crate::state::StateCell<$t> = $crate::state::StateCell::new($init);
            &S
        }
        #[cfg(not(target_family = "wasm"))]
        #[allow(dead_code)]
        fn $cell() -> &'static $crate::state::StateCell<$t> {
            std::thread_local! {
                static S: &'static $crate::state::StateCell<$t> =
                    std::boxed::Box::leak(std::boxed::Box::new($crate::state::StateCell::new($init)));
            }
            S.with(|s| *s)
        }
        #[inline(always)]
        fn $fn() -> $crate::state::Borrow<'static, $t> {
            $cell().borrow()
        }
    };
}

// Whether the adapter is calling the program's `cabi_realloc`.
crate::instance_value!(in_realloc: bool = false);

/// Called first by every entry point (most through [`enter_call`]): traps when the adapter
/// is calling the program's `cabi_realloc` (the only way the program runs during an adapter
/// call, so the only way to re-enter one). One load and a branch per call; the flag is set
/// only around the allocator.
#[inline(always)]
pub fn enter() {
    if in_realloc().get() {
        reentered();
    }
}

/// [`enter`] out of line: the one copy the generated entry points share (all but the few
/// cheapest hot ones, which inline `enter`; see `wit_table::INLINE_GUARD`).
#[inline(never)]
pub fn enter_call() {
    enter()
}

/// Runs `f` (a call to the program's `cabi_realloc`) with re-entry refused.
#[inline(always)]
pub fn calling_program<R>(f: impl FnOnce() -> R) -> R {
    in_realloc().set(true);
    let r = f();
    in_realloc().set(false);
    r
}

#[cold]
#[inline(never)]
fn reentered() -> ! {
    crate::trap::trap(b"called from inside cabi_realloc: a WASI import called while the adapter is allocating a result (the component model forbids it)")
}

#[cfg(test)]
mod tests {
    extern crate std;

    crate::instance_cell!(counter: u32 = 7);

    #[test]
    fn one_borrow_at_a_time() {
        {
            let mut a = counter();
            *a += 1;
        }
        assert_eq!(*counter(), 8, "the first borrow ended");
        let e = std::panic::catch_unwind(|| {
            let _a = counter();
            let _b = counter();
        })
        .expect_err("a second borrow traps");
        assert_eq!(e.downcast_ref::<std::string::String>().unwrap(), "internal error (adapter state borrowed twice)");
    }
}
