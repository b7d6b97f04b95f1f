//! [`Team`]: persistent threads that share the output layer's sweep, the one place in `net`
//! that starts threads.
//!
//! Per sample, the leader (the thread that calls [`Team::step`]) runs the hidden layers, then
//! publishes the output layer and sweeps its share of the fixed row blocks while each worker
//! sweeps its own; the leader waits until all are done, adds the blocks' partial sums in block
//! order and finishes the step alone. One meeting per sample, so the wait is a spin (about
//! 0.4 µs, against about 8 µs to wake a sleeping thread), and a worker that has had no job
//! for [`SPIN_BEFORE_SLEEP`] parks itself: an idle or paused trainer does not burn a core.
//!
//! The result is the same bits for any number of threads: each block is swept by the same
//! code whichever thread runs it, and the sums are added in block order.

use super::Network;
use super::forward::Workspace;
use super::kernel::{BLOCKS, Kernel, OutputLayer, RowOrder, thread_blocks};
use super::sgd;
use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a worker spins waiting for the next sample before it parks.
pub const SPIN_BEFORE_SLEEP: Duration = Duration::from_micros(300);

/// Output-layer weights (rows × stride) above which a second thread pays on this kind of
/// machine; smaller sweeps are shorter than the cost of meeting.
/// (The two-layer network's 12100 × 16, which meets once per epoch, pays: 0.030 against
/// 0.052 ms per epoch.)
const TWO_THREADS_FROM: usize = 100_000;

/// The thread count used when none is given: 2 for networks whose output layer is large
/// enough that sharing it pays (and when there are two cores), else 1.
pub fn default_threads(net: &Network) -> usize {
    let w = &net.weights()[net.weights().len() - 1];
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    if w.rows() * w.stride() >= TWO_THREADS_FROM {
        cores.min(2)
    } else {
        1
    }
}

/// A leader and `threads − 1` persistent worker threads.
pub struct Team {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

/// One sample's output sweep, as the workers see it.
#[derive(Clone, Copy)]
struct Job {
    kernel: Kernel,
    layer: OutputLayer,
    /// `BLOCKS × layer.stride` floats.
    partial_g: *mut f32,
    /// `BLOCKS` sums.
    partial_sq: *mut f64,
}

/// Keeps a field on its own cache lines, so that threads polling different fields do not
/// slow each other down.
#[repr(align(128))]
struct Padded<T>(T);

struct Shared {
    threads: usize,
    /// Bumped by the leader for each job.
    generation: Padded<AtomicU64>,
    /// Per thread (index 0, the leader's, unused): the last generation it finished.
    done: Vec<Padded<AtomicU64>>,
    /// Per thread: set while it is about to park or parked.
    sleeping: Vec<Padded<AtomicBool>>,
    quit: AtomicBool,
    /// Written by the leader only while every worker is idle (before bumping `generation`),
    /// read by the workers only after they see the new generation.
    job: UnsafeCell<Option<Job>>,
    /// A task of [`Team::run_each`], published like `job` (and never together with it).
    task: UnsafeCell<Option<Task>>,
}

/// [`Team::run_each`]'s task, its lifetime erased: it lives until every worker has run it.
type Task = *const (dyn Fn(usize) + Sync);

// SAFETY: `job` and `task` are the only non-Sync fields; the generation/done handshake above
// orders every write of them before the workers' reads and every read before the next write.
unsafe impl Sync for Shared {}
// SAFETY: the raw pointers in `job` and `task` are only dereferenced under that same handshake.
unsafe impl Send for Shared {}

impl Team {
    /// A team of `threads` (clamped to 1..=[`BLOCKS`]) including the calling thread.
    pub fn new(threads: usize) -> Team {
        let threads = threads.clamp(1, BLOCKS);
        let shared = Arc::new(Shared {
            threads,
            generation: Padded(AtomicU64::new(0)),
            done: (0..threads).map(|_| Padded(AtomicU64::new(0))).collect(),
            sleeping: (0..threads)
                .map(|_| Padded(AtomicBool::new(false)))
                .collect(),
            quit: AtomicBool::new(false),
            job: UnsafeCell::new(None),
            task: UnsafeCell::new(None),
        });
        let workers = (1..threads)
            .map(|k| {
                let shared = Arc::clone(&shared);
                thread::Builder::new()
                    .name(format!("nnimg-sweep-{k}"))
                    .spawn(move || work(&shared, k))
                    .expect("the OS could not start a training thread")
            })
            .collect();
        Team { shared, workers }
    }

    pub fn threads(&self) -> usize {
        self.shared.threads
    }

    /// One SGD step like [`sgd::step_in_order`], with the output layer swept by the whole
    /// team. The result is the same bits for any number of threads.
    pub fn step(
        &mut self,
        net: &mut Network,
        ws: &mut Workspace,
        x: &[f32],
        t: &[f32],
        lr: f32,
        order: RowOrder,
    ) -> f64 {
        if self.threads() == 1 {
            return sgd::step_in_order(net, ws, x, t, lr, order);
        }
        sgd::step_with(
            net,
            ws,
            x,
            t,
            lr,
            order,
            |kernel, layer, partial_g, partial_sq| {
                self.sweep(kernel, layer, partial_g, partial_sq);
            },
        )
    }

    fn sweep(
        &self,
        kernel: Kernel,
        layer: &OutputLayer,
        partial_g: &mut [f32],
        partial_sq: &mut [f64; BLOCKS],
    ) {
        assert!(partial_g.len() >= BLOCKS * layer.stride);
        let job = Job {
            kernel,
            layer: *layer,
            partial_g: partial_g.as_mut_ptr(),
            partial_sq: partial_sq.as_mut_ptr(),
        };
        let shared = &*self.shared;
        // SAFETY: every worker finished the previous generation (we waited for it), so none
        // reads `job` now.
        unsafe { *shared.job.get() = Some(job) };
        let generation = shared.generation.0.load(Ordering::Relaxed) + 1;
        shared.generation.0.store(generation, Ordering::SeqCst);
        for (k, worker) in self.workers.iter().enumerate() {
            // SeqCst pairs with the worker's store of `sleeping` and load of `generation`:
            // either it sees the new generation or we see that it sleeps.
            if shared.sleeping[k + 1].0.load(Ordering::SeqCst) {
                worker.thread().unpark();
            }
        }
        // Wait for the workers even if our own share panics: they write into `job`'s buffers.
        let wait = WaitForWorkers {
            team: self,
            generation,
        };
        // SAFETY: the buffers live until `step_with` returns, after `wait` is dropped; the
        // leader's blocks are disjoint from every worker's.
        unsafe { run_blocks(&job, 0, shared.threads) };
        drop(wait);
    }
}

impl Team {
    /// Runs `task(k)` once on every thread k of the team, 0 being the calling thread, and
    /// returns when all have finished. For work that needs one meeting for many samples
    /// (a whole epoch of a single-layer network); `task` must split the work by k itself.
    pub fn run_each(&self, task: &(dyn Fn(usize) + Sync)) {
        if self.workers.is_empty() {
            return task(0);
        }
        let shared = &*self.shared;
        // SAFETY: only the lifetime is erased; the task is not called after this function
        // returns, because we wait for every worker below (even if our own share panics).
        let erased: Task =
            unsafe { std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), Task>(task) };
        // SAFETY: every worker finished the previous generation, so none reads these now.
        unsafe {
            *shared.job.get() = None;
            *shared.task.get() = Some(erased);
        }
        let generation = shared.generation.0.load(Ordering::Relaxed) + 1;
        shared.generation.0.store(generation, Ordering::SeqCst);
        for (k, worker) in self.workers.iter().enumerate() {
            // As in `sweep`: either the worker sees the new generation or we see it sleep.
            if shared.sleeping[k + 1].0.load(Ordering::SeqCst) {
                worker.thread().unpark();
            }
        }
        let wait = ClearTaskAfterWait(Some(WaitForWorkers {
            team: self,
            generation,
        }));
        task(0);
        drop(wait);
    }
}

/// Waits for the workers, then clears the task so that a later `sweep` runs only its job.
struct ClearTaskAfterWait<'a>(Option<WaitForWorkers<'a>>);

impl Drop for ClearTaskAfterWait<'_> {
    fn drop(&mut self) {
        if let Some(wait) = self.0.take() {
            let shared = &*wait.team.shared;
            drop(wait);
            // SAFETY: every worker has finished this generation, so none reads the task.
            unsafe { *shared.task.get() = None };
        }
    }
}

struct WaitForWorkers<'a> {
    team: &'a Team,
    generation: u64,
}

impl Drop for WaitForWorkers<'_> {
    fn drop(&mut self) {
        let shared = &*self.team.shared;
        for (k, worker) in self.team.workers.iter().enumerate() {
            let mut spins = 0u32;
            while shared.done[k + 1].0.load(Ordering::Acquire) != self.generation {
                spins = spins.saturating_add(1);
                if spins < 1 << 14 {
                    std::hint::spin_loop();
                } else if worker.is_finished() {
                    // Its kernel panicked; the panic message is already on stderr.
                    panic!("a training thread stopped unexpectedly");
                } else {
                    // The worker was descheduled (a busy machine): let it run.
                    thread::yield_now();
                }
            }
        }
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        let shared = &*self.shared;
        shared.quit.store(true, Ordering::SeqCst);
        shared.generation.0.fetch_add(1, Ordering::SeqCst);
        for worker in self.workers.drain(..) {
            worker.thread().unpark();
            // A worker that panicked has reported it already; nothing more to do here.
            let _ = worker.join();
        }
    }
}

/// Worker `k`'s loop: wait for a generation, sweep its blocks, report it done.
fn work(shared: &Shared, k: usize) {
    let mut seen = 0;
    loop {
        seen = wait_for_job(shared, k, seen);
        if shared.quit.load(Ordering::SeqCst) {
            return;
        }
        // SAFETY: the leader wrote the job before publishing `seen` (Acquire in
        // `wait_for_job`) and will not write it again before we store `done`.
        let job = unsafe { *shared.job.get() };
        if let Some(job) = job {
            // SAFETY: the leader keeps the buffers alive and untouched (apart from its own
            // disjoint blocks) until we report done.
            unsafe { run_blocks(&job, k, shared.threads) };
        }
        // SAFETY: as for `job`; `run_each` keeps the task alive until we report done.
        if let Some(task) = unsafe { *shared.task.get() } {
            // SAFETY: see above.
            unsafe { (*task)(k) };
        }
        shared.done[k].0.store(seen, Ordering::Release);
    }
}

/// Spins until `generation` differs from `seen`, parking after [`SPIN_BEFORE_SLEEP`].
fn wait_for_job(shared: &Shared, k: usize, seen: u64) -> u64 {
    let started = Instant::now();
    let mut spins = 0u32;
    loop {
        let generation = shared.generation.0.load(Ordering::Acquire);
        if generation != seen {
            return generation;
        }
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(256) && started.elapsed() > SPIN_BEFORE_SLEEP {
            shared.sleeping[k].0.store(true, Ordering::SeqCst);
            if shared.generation.0.load(Ordering::SeqCst) == seen {
                thread::park();
            }
            shared.sleeping[k].0.store(false, Ordering::SeqCst);
        } else {
            std::hint::spin_loop();
        }
    }
}

/// Sweeps the blocks of thread `k` of `threads`.
///
/// # Safety
/// `job`'s layer and buffers are valid, and no other thread touches these blocks' rows or
/// partial sums meanwhile.
unsafe fn run_blocks(job: &Job, k: usize, threads: usize) {
    let stride = job.layer.stride;
    for b in job.layer.order.tiles(thread_blocks(k, threads)) {
        // SAFETY: block b's partial sums are this thread's alone (blocks are split between
        // threads without overlap), within the BLOCKS × stride floats of the buffer.
        unsafe {
            let g = std::slice::from_raw_parts_mut(job.partial_g.add(b * stride), stride);
            *job.partial_sq.add(b) =
                job.kernel
                    .sweep_output(&job.layer, job.layer.block_tiles(b), g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn any_number_of_threads_gives_the_same_bits() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        // 300 outputs: 19 tiles, unevenly spread over the 8 blocks.
        let layers = [8, 30, 20, 300];
        let samples: Vec<(Vec<f32>, Vec<f32>)> = (0..4)
            .map(|_| {
                let x = (0..8).map(|_| rng.random_range(0.0..1.0)).collect();
                let t = (0..300).map(|_| rng.random_range(0.0..1.0)).collect();
                (x, t)
            })
            .collect();
        let train = |threads: usize| {
            let mut net = init_network(&layers, 5);
            let mut ws = Workspace::new(&net);
            let mut team = Team::new(threads);
            let mut errors = Vec::new();
            for _ in 0..20 {
                for (k, (x, t)) in samples.iter().enumerate() {
                    let order = RowOrder::alternating(k);
                    errors.push(team.step(&mut net, &mut ws, x, t, 0.3, order).to_bits());
                }
            }
            (net, errors)
        };
        let one = train(1);
        for threads in [2, 3, 8] {
            assert!(train(threads) == one, "{threads} threads differ from one");
        }
    }

    #[test]
    fn a_team_that_sleeps_wakes_for_the_next_sample() {
        let mut net = init_network(&[2, 3, 40], 1);
        let mut ws = Workspace::new(&net);
        let mut team = Team::new(2);
        let (x, t) = (vec![1.0, 0.0], vec![0.5; 40]);
        let first = team.step(&mut net, &mut ws, &x, &t, 0.1, RowOrder::Ascending);
        thread::sleep(SPIN_BEFORE_SLEEP * 3);
        let second = team.step(&mut net, &mut ws, &x, &t, 0.1, RowOrder::Descending);
        assert!(second < first);
    }
}
