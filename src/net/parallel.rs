//! [`Team`]: persistent threads that share the output layer's sweep, the one place in `net`
//! that starts threads.
//!
//! Per sample, the leader (the thread that calls [`Team::step`]) runs the hidden layers, then
//! publishes the output layer and sweeps its share of the fixed row blocks while each worker
//! sweeps its own; the leader adds the blocks' partial sums in block order and finishes the
//! step alone. One meeting per sample, so a worker waits for the next job by spinning (about
//! 0.4 µs, against about 8 µs to wake a sleeping thread), and parks itself after
//! [`SPIN_BEFORE_SLEEP`] without one: an idle or paused trainer does not burn a core.
//!
//! On a busy machine a thread can be descheduled for milliseconds, so nobody waits for a
//! partner that is not running:
//! - Each worker claims the blocks of its share one at a time, and the leader, once its own
//!   share is done, takes over every block a worker has not claimed yet (from the far end of
//!   the worker's share). It waits only for blocks already under way, spinning briefly, then
//!   sleeping until the worker wakes it, which leaves the core to the late worker.
//! - The team times its steps and runs the leader alone while that is faster ([`Pace`]),
//!   probing the whole team again now and then.
//!
//! The result is the same bits for any number of threads and whoever sweeps which block: each
//! block is swept by the same code whichever thread runs it, and the sums are added in block
//! order.

use super::Network;
use super::forward::Workspace;
use super::kernel::{BLOCKS, Kernel, OutputLayer, RowOrder, thread_blocks};
use super::pace::{Mode, Pace};
use super::sgd;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

/// How long a worker spins waiting for the next sample before it parks.
pub const SPIN_BEFORE_SLEEP: Duration = Duration::from_micros(300);

/// How long the leader waits for a worker that makes no progress before it takes over the
/// worker's unclaimed blocks, and spins for a block under way before it sleeps until the
/// worker wakes it: a block of the default network takes about 10 µs, so a worker that
/// neither claims nor finishes one for this long is most likely descheduled.
const SPIN_FOR_PARTNER: Duration = Duration::from_micros(50);

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
    /// Chooses between the whole team and the leader alone (a lock only so that `run_each`
    /// can take `&self`; only the leader touches it).
    pace: Mutex<Pace>,
}

/// What the team does for one job.
#[derive(Clone, Copy)]
enum Work {
    /// One sample's output sweep: unit i of thread k is the i-th block of its share, in the
    /// sample's order.
    Sweep {
        kernel: Kernel,
        layer: OutputLayer,
        /// `BLOCKS × layer.stride` floats.
        partial_g: *mut f32,
        /// `BLOCKS` sums.
        partial_sq: *mut f64,
    },
    /// A task of [`Team::run_each`]: thread k's one unit is `task(k)`.
    Task(Task),
}

/// [`Team::run_each`]'s task, its lifetime erased: it lives until every unit has run.
type Task = *const (dyn Fn(usize) + Sync);

impl Work {
    /// Units of thread `k`'s share.
    fn units(&self, k: usize, threads: usize) -> usize {
        match self {
            Work::Sweep { .. } => thread_blocks(k, threads).len(),
            Work::Task(_) => 1,
        }
    }

    /// Runs unit `i` of thread `k`'s share.
    ///
    /// # Safety
    /// The job's buffers (or task) are alive, and no other thread runs the same unit.
    unsafe fn run(&self, k: usize, threads: usize, i: usize) {
        match *self {
            Work::Sweep {
                kernel,
                ref layer,
                partial_g,
                partial_sq,
            } => {
                let stride = layer.stride;
                let b = layer
                    .order
                    .tiles(thread_blocks(k, threads))
                    .nth(i)
                    .expect("a unit within the share");
                // SAFETY: block b's rows and partial sums belong to this unit alone (the
                // blocks are disjoint), within the BLOCKS × stride floats of the buffer.
                unsafe {
                    let g = std::slice::from_raw_parts_mut(partial_g.add(b * stride), stride);
                    *partial_sq.add(b) = kernel.sweep_output(layer, layer.block_tiles(b), g);
                }
            }
            // SAFETY: the task lives until every unit has run (the caller's contract).
            Work::Task(task) => unsafe { (*task)(k) },
        }
    }
}

/// Keeps a field on its own cache lines, so that threads polling different fields do not
/// slow each other down.
#[repr(align(128))]
struct Padded<T>(T);

/// Who has taken which units of one worker's share of the job of one generation, packed
/// into one atomic word: the worker claims units from the front (`next`), the leader takes
/// them over from the back (`end`), and `finished` counts the worker's units done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Claims {
    generation: u64,
    next: u8,
    end: u8,
    finished: u8,
}

impl Claims {
    /// Generations are kept modulo 2⁴⁰ (a stale worker would need to miss that many).
    const GENERATION_BITS: u32 = 40;

    fn new(generation: u64, units: usize) -> Claims {
        Claims {
            generation: generation & ((1 << Self::GENERATION_BITS) - 1),
            next: 0,
            end: units as u8,
            finished: 0,
        }
    }

    fn pack(self) -> u64 {
        self.generation << 24
            | u64::from(self.next) << 16
            | u64::from(self.end) << 8
            | u64::from(self.finished)
    }

    fn unpack(word: u64) -> Claims {
        Claims {
            generation: word >> 24,
            next: (word >> 16) as u8,
            end: (word >> 8) as u8,
            finished: word as u8,
        }
    }

    /// The worker's units are all taken and done.
    fn complete(self) -> bool {
        self.next == self.end && self.finished == self.next
    }
}

/// One worker's claims word.
struct ClaimsCell(AtomicU64);

/// Adds one to `finished` in a packed word (it sits in the lowest bits and never exceeds
/// [`BLOCKS`]).
const ONE_FINISHED: u64 = 1;

impl ClaimsCell {
    fn load(&self) -> Claims {
        Claims::unpack(self.0.load(Ordering::SeqCst))
    }

    fn store(&self, claims: Claims) {
        self.0.store(claims.pack(), Ordering::SeqCst);
    }

    /// Takes the next unit from the front for the worker, if the word is still of
    /// `generation` and a unit is left.
    fn claim_front(&self, generation: u64) -> Option<usize> {
        self.update(|c| {
            (c.generation == Claims::new(generation, 0).generation && c.next < c.end).then(|| {
                Claims {
                    next: c.next + 1,
                    ..c
                }
            })
        })
        .map(|c| usize::from(c.next))
    }

    /// Takes the last unclaimed unit for the leader, if any.
    fn take_back(&self) -> Option<usize> {
        self.update(|c| {
            (c.next < c.end).then(|| Claims {
                end: c.end - 1,
                ..c
            })
        })
        .map(|c| usize::from(c.end - 1))
    }

    /// Applies `f` atomically; returns the word before the change, or None if `f` declined.
    fn update(&self, f: impl Fn(Claims) -> Option<Claims>) -> Option<Claims> {
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                f(Claims::unpack(w)).map(Claims::pack)
            })
            .ok()
            .map(Claims::unpack)
    }

    fn finish_one(&self) {
        self.0.fetch_add(ONE_FINISHED, Ordering::SeqCst);
    }
}

struct Shared {
    threads: usize,
    /// Bumped by the leader for each job.
    generation: Padded<AtomicU64>,
    /// Per thread (index 0, the leader's, unused): its claims on the current job.
    claims: Vec<Padded<ClaimsCell>>,
    /// Per thread: set while it is about to park or parked, waiting for a job.
    sleeping: Vec<Padded<AtomicBool>>,
    /// Set while the leader is about to park or parked, waiting for a worker's unit.
    leader_sleeping: Padded<AtomicBool>,
    /// The thread that leads the current job (a trainer may move between threads).
    leader: Mutex<Option<Thread>>,
    quit: AtomicBool,
    /// Written by the leader only while no worker holds a claim on the previous job (before
    /// bumping `generation`), read by a worker only after it claims a unit of the new one.
    job: UnsafeCell<Option<Work>>,
    /// Tests hold the workers back with this, to see the leader take over their shares.
    #[cfg(test)]
    hold_workers: AtomicBool,
}

// SAFETY: `job` is the only non-Sync field; the generation/claims handshake above orders
// every write of it before the workers' reads and every read before the next write.
unsafe impl Sync for Shared {}
// SAFETY: the raw pointers in `job` are only dereferenced under that same handshake.
unsafe impl Send for Shared {}

/// What a team has done so far (for `nnimg bench`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TeamStats {
    /// Steps (or `run_each` calls) run by the whole team.
    pub team_steps: u64,
    /// Steps run by the leader alone because that was faster.
    pub solo_steps: u64,
}

impl Team {
    /// A team of `threads` (clamped to 1..=[`BLOCKS`]) including the calling thread.
    pub fn new(threads: usize) -> Team {
        let threads = threads.clamp(1, BLOCKS);
        let shared = Arc::new(Shared {
            threads,
            generation: Padded(AtomicU64::new(0)),
            claims: (0..threads)
                .map(|_| Padded(ClaimsCell(AtomicU64::new(Claims::new(0, 0).pack()))))
                .collect(),
            sleeping: (0..threads)
                .map(|_| Padded(AtomicBool::new(false)))
                .collect(),
            leader_sleeping: Padded(AtomicBool::new(false)),
            leader: Mutex::new(None),
            quit: AtomicBool::new(false),
            job: UnsafeCell::new(None),
            #[cfg(test)]
            hold_workers: AtomicBool::new(false),
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
        Team {
            shared,
            workers,
            pace: Mutex::new(Pace::default()),
        }
    }

    pub fn threads(&self) -> usize {
        self.shared.threads
    }

    /// Keeps every step on the whole team (`false`), or lets the team run on its leader alone
    /// while that is faster (`true`, the default).
    pub fn set_adaptive(&mut self, adaptive: bool) {
        let pace = self.pace.get_mut().unwrap_or_else(PoisonError::into_inner);
        *pace = if adaptive {
            Pace::default()
        } else {
            Pace::fixed(Mode::Team)
        };
    }

    /// How the steps so far were run.
    pub fn stats(&self) -> TeamStats {
        let pace = self.pace.lock().unwrap_or_else(PoisonError::into_inner);
        TeamStats {
            team_steps: pace.steps(Mode::Team),
            solo_steps: pace.steps(Mode::Solo),
        }
    }

    /// One SGD step like [`sgd::step_in_order`], with the output layer swept by the whole
    /// team (or by the leader alone while that is faster). The same bits either way.
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
        let started = Instant::now();
        let error = match self.mode() {
            Mode::Solo => sgd::step_in_order(net, ws, x, t, lr, order),
            Mode::Team => sgd::step_with(
                net,
                ws,
                x,
                t,
                lr,
                order,
                |kernel, layer, partial_g, partial_sq| {
                    assert!(partial_g.len() >= BLOCKS * layer.stride);
                    let work = Work::Sweep {
                        kernel,
                        layer: *layer,
                        partial_g: partial_g.as_mut_ptr(),
                        partial_sq: partial_sq.as_mut_ptr(),
                    };
                    // SAFETY: the buffers live until `step_with` returns, after the job.
                    unsafe { self.run_job(work) };
                },
            ),
        };
        self.record(started);
        error
    }

    /// Runs `task(k)` once for every thread k of the team, 0 being the calling thread, and
    /// returns when all have finished. For work that needs one meeting for many samples
    /// (a whole epoch of a single-layer network); `task` must split the work by k itself.
    /// Any thread may run any k (the caller alone while that is faster).
    pub fn run_each(&self, task: &(dyn Fn(usize) + Sync)) {
        if self.workers.is_empty() {
            return task(0);
        }
        let started = Instant::now();
        match self.mode() {
            Mode::Solo => (0..self.threads()).for_each(task),
            Mode::Team => {
                // SAFETY: only the lifetime is erased; `run_job` returns only after every
                // unit has run (even if our own unit panics), so the task outlives its use.
                let task: Task = unsafe {
                    std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), Task>(task)
                };
                // SAFETY: as above.
                unsafe { self.run_job(Work::Task(task)) };
            }
        }
        self.record(started);
    }

    fn mode(&self) -> Mode {
        self.pace
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .mode()
    }

    fn record(&self, started: Instant) {
        let mut pace = self.pace.lock().unwrap_or_else(PoisonError::into_inner);
        pace.record(started.elapsed());
    }

    /// Publishes `work`, runs the leader's share, takes over whatever the workers have not
    /// claimed, and returns when every unit has run.
    ///
    /// # Safety
    /// `work`'s buffers (or task) live until this returns, and nothing else touches them.
    unsafe fn run_job(&self, work: Work) {
        let shared = &*self.shared;
        let threads = shared.threads;
        let me = thread::current();
        {
            let mut leader = shared.leader.lock().unwrap_or_else(PoisonError::into_inner);
            if leader.as_ref().map(Thread::id) != Some(me.id()) {
                *leader = Some(me);
            }
        }
        let generation = shared.generation.0.load(Ordering::Relaxed) + 1;
        // SAFETY: every unit of the previous job has finished (we waited for them), and a
        // worker reads the job only after claiming a unit of the generation published below.
        unsafe { *shared.job.get() = Some(work) };
        for k in 1..threads {
            shared.claims[k]
                .0
                .store(Claims::new(generation, work.units(k, threads)));
        }
        shared.generation.0.store(generation, Ordering::SeqCst);
        for (k, worker) in self.workers.iter().enumerate() {
            // SeqCst pairs with the worker's store of `sleeping` and load of `generation`:
            // either it sees the new generation or we see that it sleeps.
            if shared.sleeping[k + 1].0.load(Ordering::SeqCst) {
                worker.thread().unpark();
            }
        }
        // Waits for the workers' units even if ours panic: they write into the job's buffers.
        let finish = FinishJob { team: self };
        for i in 0..work.units(0, threads) {
            // SAFETY: the leader's units are its own; the buffers live (the caller).
            unsafe { work.run(0, threads, i) };
        }
        // A worker that has not started by now (descheduled, or waking up), or has made no
        // progress for SPIN_FOR_PARTNER, is late: run its unclaimed units here, the last
        // first, so that it can still go on at the front. A worker that is merely a little
        // behind keeps its units: taking them would move their rows to our cache and leave
        // ours the longer share.
        for k in 1..threads {
            let claims = &shared.claims[k].0;
            let (mut seen, mut since) = (claims.load(), Instant::now());
            loop {
                let now = claims.load();
                if now.next == now.end {
                    break;
                }
                if now.next == 0 || since.elapsed() > SPIN_FOR_PARTNER {
                    if let Some(i) = claims.take_back() {
                        // SAFETY: taking the unit from the back of the claims makes it ours.
                        unsafe { work.run(k, threads, i) };
                    }
                    (seen, since) = (claims.load(), Instant::now());
                } else if now != seen {
                    (seen, since) = (now, Instant::now());
                } else {
                    std::hint::spin_loop();
                }
            }
        }
        drop(finish);
    }
}

/// Takes over every unit not yet claimed (without running it: only left over when the
/// leader's own units panicked) and waits until the units the workers claimed are done.
struct FinishJob<'a> {
    team: &'a Team,
}

impl Drop for FinishJob<'_> {
    fn drop(&mut self) {
        let shared = &*self.team.shared;
        for (k, worker) in self.team.workers.iter().enumerate() {
            let claims = &shared.claims[k + 1].0;
            while claims.take_back().is_some() {}
            let started = Instant::now();
            let mut spins = 0u32;
            while !claims.load().complete() {
                spins = spins.wrapping_add(1);
                if !spins.is_multiple_of(64) || started.elapsed() < SPIN_FOR_PARTNER {
                    std::hint::spin_loop();
                    continue;
                }
                if worker.is_finished() {
                    // Its kernel panicked; the panic message is already on stderr. Nothing
                    // writes into the buffers any more.
                    if thread::panicking() {
                        return;
                    }
                    panic!("a training thread stopped unexpectedly");
                }
                // The worker has most likely been descheduled (a busy machine): sleep, so
                // that it can have this core, until it reports its unit done.
                shared.leader_sleeping.0.store(true, Ordering::SeqCst);
                if !claims.load().complete() {
                    thread::park_timeout(Duration::from_millis(1));
                }
                shared.leader_sleeping.0.store(false, Ordering::SeqCst);
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

/// Worker `k`'s loop: wait for a generation, claim and run units of its share until none is
/// left, wake the leader if it sleeps waiting for them.
fn work(shared: &Shared, k: usize) {
    let mut seen = 0;
    loop {
        seen = wait_for_job(shared, k, seen);
        if shared.quit.load(Ordering::SeqCst) {
            return;
        }
        #[cfg(test)]
        while shared.hold_workers.load(Ordering::SeqCst) && !shared.quit.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_micros(100));
        }
        while let Some(i) = shared.claims[k].0.claim_front(seen) {
            // SAFETY: the leader wrote the job before publishing the claims we just took,
            // and does not touch it again before we report the unit finished.
            let work = unsafe { *shared.job.get() };
            if let Some(work) = work {
                // SAFETY: the unit is ours alone; the leader keeps the buffers alive until
                // every claimed unit has finished.
                unsafe { work.run(k, shared.threads, i) };
            }
            shared.claims[k].0.finish_one();
            // SeqCst pairs with the leader's store of `leader_sleeping` and load of the
            // claims: either it sees the unit finished or we see that it sleeps.
            if shared.leader_sleeping.0.load(Ordering::SeqCst) {
                let leader = shared.leader.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(leader) = leader.as_ref() {
                    leader.unpark();
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::init::init_network;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A network with 300 outputs (19 tiles, unevenly spread over the 8 blocks) trained by
    /// `team` for `rounds` rounds of 4 seeded samples; returns the weights and the errors' bits.
    fn train(team: &mut Team, rounds: usize) -> (Network, Vec<u64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let layers = [8, 30, 20, 300];
        let samples: Vec<(Vec<f32>, Vec<f32>)> = (0..4)
            .map(|_| {
                let x = (0..8).map(|_| rng.random_range(0.0..1.0)).collect();
                let t = (0..300).map(|_| rng.random_range(0.0..1.0)).collect();
                (x, t)
            })
            .collect();
        let mut net = init_network(&layers, 5);
        let mut ws = Workspace::new(&net);
        let mut errors = Vec::new();
        for _ in 0..rounds {
            for (k, (x, t)) in samples.iter().enumerate() {
                let order = RowOrder::alternating(k);
                errors.push(team.step(&mut net, &mut ws, x, t, 0.3, order).to_bits());
            }
        }
        (net, errors)
    }

    #[test]
    fn any_number_of_threads_gives_the_same_bits() {
        let one = train(&mut Team::new(1), 20);
        for threads in [2, 3, 8] {
            let many = train(&mut Team::new(threads), 20);
            assert!(many == one, "{threads} threads differ from one");
        }
    }

    #[test]
    fn a_leader_takes_over_the_blocks_of_a_worker_that_does_not_come() {
        let train = |team: &mut Team| train(team, 3);
        let alone = train(&mut Team::new(1));
        // The workers see every job but may claim nothing: the leader must do it all.
        let mut held = Team::new(3);
        held.shared.hold_workers.store(true, Ordering::SeqCst);
        let stolen = train(&mut held);
        for k in 1..3 {
            let claims = held.shared.claims[k].0.load();
            assert_eq!(
                (claims.next, claims.end),
                (0, 0),
                "worker {k} claimed nothing"
            );
        }
        held.shared.hold_workers.store(false, Ordering::SeqCst);
        assert!(stolen == alone, "the leader's takeover changed the bits");
        // Released, the workers find their claims taken and the team goes on as before.
        assert!(train(&mut held) == alone);
        let tasks = Mutex::new(Vec::new());
        held.shared.hold_workers.store(true, Ordering::SeqCst);
        held.run_each(&|k| tasks.lock().unwrap().push((k, thread::current().id())));
        let me = thread::current().id();
        assert_eq!(tasks.into_inner().unwrap(), [(0, me), (1, me), (2, me)]);
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
