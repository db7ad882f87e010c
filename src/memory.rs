//! Memory set-up of the process. The cache keeps a million ready views spread over gigabytes, and
//! each lookup touches a few of them at random: with 4 KiB pages almost every lookup misses the
//! TLB, and on a virtual machine a miss costs a two-level page walk. Backed by 2 MiB transparent
//! huge pages the same memory needs a few thousand TLB entries instead of a million.
//!
//! The binaries use mimalloc as their allocator; [`allow_huge_pages`] lets it ask the kernel for
//! huge pages (`madvise(MADV_HUGEPAGE)` on its arenas), which works when
//! `/sys/kernel/mm/transparent_hugepage/enabled` is `always` or `madvise` (Debian's default).

/// Lets the allocator back its arenas with transparent huge pages. Call first thing in `main`,
/// before the runtime starts: arenas reserved earlier keep ordinary pages.
pub fn allow_huge_pages() {
    // SAFETY: sets a process-wide allocator option; mimalloc reads it when it reserves memory.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
}
