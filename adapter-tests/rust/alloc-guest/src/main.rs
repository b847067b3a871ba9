//! A program with its own `#[global_allocator]` (counting, over the system allocator): lists
//! the adapter returns are freed through it, and everything keeps working.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        FREES.fetch_add(1, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    let before = ALLOCS.load(Ordering::Relaxed);
    let mut total = 0;
    for i in 0..200 {
        let args: Vec<String> = std::env::args().collect();
        total += args.len();
        let v: Vec<u8> = vec![i as u8; 1000];
        std::fs::write("/sandbox/alloc.bin", &v).unwrap();
        total += std::fs::read("/sandbox/alloc.bin").unwrap().len();
    }
    println!("total {total}");
    println!("the counting allocator was used: {}", ALLOCS.load(Ordering::Relaxed) > before);
    println!("and frees happened: {}", FREES.load(Ordering::Relaxed) > 0);
}
