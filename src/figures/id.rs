//! The ids of the figures: one constant per thing measured, shared by the workloads that
//! write them and the claims that read them. A figure is measured in its scenario's VM and
//! in baseline's, so a claim compares the two.

/// Compression (scenario `compression`): the corpus (the guest's Python standard library
/// sources, ~30 MiB) written to the /home subvolume.
pub const CORPUS_BYTES: &str = "corpus.bytes";
pub const CORPUS_DISK_BYTES: &str = "corpus.disk-bytes";
/// 100 × (1 − disk / uncompressed), from `compsize`.
pub const CORPUS_SAVED_PERCENT: &str = "corpus.saved-percent";
/// Copying the corpus in, synced, in MiB/s of uncompressed data.
pub const CORPUS_WRITE_MIB_S: &str = "corpus.write-mib-s";
/// Reading it back with a cold page cache.
pub const CORPUS_READ_MIB_S: &str = "corpus.read-mib-s";

/// Parallelism (scenario `parallelism`): a Nix build of independent CPU-bound derivations.
pub const BUILD_SERIAL_SECONDS: &str = "build.serial-seconds";
pub const BUILD_PARALLEL_SECONDS: &str = "build.parallel-seconds";
/// serial / parallel.
pub const BUILD_SPEEDUP: &str = "build.speedup";
/// The `max-jobs` the parallel build used (the machine's setting, resolved).
pub const BUILD_JOBS: &str = "build.jobs";
pub const BUILD_PEAK_MEMORY_BYTES: &str = "build.peak-memory-bytes";

/// Zram (scenario `zram`): a workload that needs more memory than the VM has.
pub const PRESSURE_COMPLETED: &str = "pressure.completed";
pub const PRESSURE_SWAP_USED_BYTES: &str = "pressure.swap-used-bytes";
/// zramctl DATA / COMPR at the peak; absent without zram.
pub const PRESSURE_ZRAM_RATIO: &str = "pressure.zram-ratio";
/// Bytes written to the virtual disk while the workload ran (/proc/diskstats).
pub const PRESSURE_DISK_WRITE_BYTES: &str = "pressure.disk-write-bytes";

/// The baseline alternative zram is measured against: the same workload on a temporary
/// swap file on the Btrfs disk, as large as zram's device would be.
pub const DISK_SWAP_COMPLETED: &str = "disk-swap.completed";
pub const DISK_SWAP_USED_BYTES: &str = "disk-swap.swap-used-bytes";
pub const DISK_SWAP_DISK_WRITE_BYTES: &str = "disk-swap.disk-write-bytes";

/// Swappiness (scenario `ssd`): the same memory pressure, with a swap file, at the
/// machine's `vm.swappiness`.
pub const SWAPPINESS: &str = "swappiness.value";
pub const SWAPPINESS_PSWPOUT: &str = "swappiness.pswpout";
pub const SWAPPINESS_PSWPIN: &str = "swappiness.pswpin";

/// discard=async (scenario `ssd`): what the host still holds allocated of the disk image
/// after the guest wrote and deleted data.
pub const DISCARD_WRITTEN_BYTES: &str = "discard.written-bytes";
pub const DISCARD_RELEASED_BYTES: &str = "discard.released-bytes";
pub const DISCARD_RELEASED_PERCENT: &str = "discard.released-percent";
/// How long Btrfs took to discard what the delete freed (less than 32 MiB of it left pending).
pub const DISCARD_WAIT_SECONDS: &str = "discard.wait-seconds";
