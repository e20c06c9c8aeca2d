//! A calling thread and one pool thread sharing out the chunks of small loops, with no thread
//! ever waiting to be woken: the one `unsafe` piece of the parallelism shim
//! (`crate::parallel::team`), fenced here with the other kernels.
//!
//! A batch-1 inference takes well under a millisecond, and a browser wakes a sleeping worker in
//! tens to hundreds of µs, so handing each layer's loop to rayon and waiting for it costs more
//! than the second core saves. Instead one helper job runs on rayon's pool and spins:
//! [`Team::run`] publishes a loop of `n` chunks, the caller claims chunks from a shared counter
//! and the helper, when it is there, claims them too. The caller only ever waits (spinning) for
//! chunks the helper has already started, never for the helper to wake: if it is late, the
//! caller simply runs every chunk.
//!
//! [`Team::start`] spawns the helper when none is alive and returns at once; the helper returns
//! to the pool when the team is dropped (a helper that wakes after that returns at once). One
//! team exists at a time; a second caller meanwhile gets `None` and runs serially. (Keeping the
//! helper spinning for a while after a team ends, for the next call, measured no faster in
//! Chromium: 0.575–0.600 ms against 0.565–0.590 ms per batch-1 inference.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};

/// One published loop body, as the caller lends it (chunk index → work).
type Body<'a> = &'a (dyn Fn(usize) + Sync + 'a);

/// The state the caller and the helper share (one per process: [`SHARED`]).
struct Shared {
    /// The current loop as one word, `epoch << 32 | chunks << 16 | next unclaimed chunk`
    /// (all 0 before the first). It only ever increases, so a compare-and-swap claim on a value
    /// read earlier succeeds only while that loop still has that chunk unclaimed.
    claims: AtomicU64,
    /// The current loop's body: a pointer to the caller's `Body`, valid while the loop is open.
    body: AtomicPtr<Body<'static>>,
    /// Chunks the helper has finished in the current loop.
    helper_done: AtomicUsize,
    /// A chunk panicked on the helper (re-raised on the caller).
    helper_panicked: AtomicBool,
    /// A team holds this state (only one at a time).
    busy: AtomicBool,
    /// Helpers alive: 0 or 1 (see [`help`] for the hand-over).
    helpers: AtomicUsize,
}

static SHARED: Shared = Shared {
    claims: AtomicU64::new(0),
    body: AtomicPtr::new(std::ptr::null_mut()),
    helper_done: AtomicUsize::new(0),
    helper_panicked: AtomicBool::new(false),
    busy: AtomicBool::new(false),
    helpers: AtomicUsize::new(0),
};

/// Idle rounds (a few atomic loads and a spin hint each: milliseconds) after which a helper
/// that has claimed nothing returns to the pool even while a team holds [`SHARED`]: teams run
/// work of about a millisecond, so a team this quiet has stopped (e.g. its thread trapped) and
/// the helper must not spin on forever. The caller runs whatever the helper does not.
const GIVE_UP_SPINS: u32 = 1 << 22;

/// The low 16 bits of `claims`: the next chunk.
const NEXT_MASK: u64 = 0xffff;
/// Most chunks in one shared loop (the next-chunk field must not carry into the count when the
/// caller's last claim overshoots by one); longer loops run on the caller alone.
const MAX_CHUNKS: usize = 0xfffe;

/// `(chunks, next)` of a `claims` word.
fn split(claims: u64) -> (usize, usize) {
    (
        ((claims >> 16) & 0xffff) as usize,
        (claims & NEXT_MASK) as usize,
    )
}

/// The caller's side of the team, while it holds it (see the module docs). Loops must be run
/// from the thread that started the team, one at a time.
pub struct Team {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Team {
    /// Takes the team (`None` if another thread holds it) and, if no helper is alive, spawns
    /// one on rayon's current pool; returns at once. Dropping the team releases it.
    pub fn start() -> Option<Team> {
        let s = &SHARED;
        if s.busy
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::Relaxed)
            .is_err()
        {
            return None;
        }
        if s.helpers
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok()
        {
            rayon::spawn(|| help(&SHARED));
        }
        Some(Team {
            _not_send: std::marker::PhantomData,
        })
    }

    /// Calls `body(i)` once for each `i` in `0..n`, on this thread and on the helper if it is
    /// spinning; returns when every call has returned. Chunks run in no particular order and
    /// `body` must not start another loop on this team.
    ///
    /// # Panics
    /// If a call panicked (on either thread), after all calls have returned.
    pub fn run(&self, n: usize, body: &(dyn Fn(usize) + Sync)) {
        if n > MAX_CHUNKS {
            return (0..n).for_each(body);
        }
        let s = &SHARED;
        let slot: Body<'_> = body;
        // Publish: the body first, then the loop's word (Release) that makes it visible to a
        // helper's claim.
        s.helper_done.store(0, Ordering::Relaxed);
        s.body.store(
            (&slot as *const Body<'_>)
                .cast::<Body<'static>>()
                .cast_mut(),
            Ordering::Relaxed,
        );
        let epoch = (s.claims.load(Ordering::Relaxed) >> 32) + 1;
        s.claims
            .store(epoch << 32 | (n as u64) << 16, Ordering::Release);
        let mut mine = 0;
        let mut caller_panic = None;
        loop {
            let (_, i) = split(s.claims.fetch_add(1, Ordering::AcqRel));
            if i >= n {
                break;
            }
            mine += 1;
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| body(i))) {
                caller_panic.get_or_insert(p);
            }
        }
        // Every chunk is claimed now, so no new claim of this loop can succeed; wait for the
        // ones the helper is running (it is awake: it claimed them).
        while s.helper_done.load(Ordering::Acquire) < n - mine {
            std::hint::spin_loop();
        }
        s.body.store(std::ptr::null_mut(), Ordering::Relaxed);
        if let Some(p) = caller_panic {
            std::panic::resume_unwind(p);
        }
        if s.helper_panicked.swap(false, Ordering::AcqRel) {
            panic!("Team::run: a chunk panicked on the helper thread");
        }
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        SHARED.busy.store(false, Ordering::SeqCst);
    }
}

/// The helper: claim and run chunks of published loops while a team holds [`SHARED`] (and
/// has published a loop within [`GIVE_UP_SPINS`] idle rounds).
///
/// Hand-over when a team ends just as the next starts: the helper leaves (`helpers` 1 → 0) and
/// then looks at `busy` again; the new team takes `busy` and then tries `helpers` 0 → 1 (and
/// spawns a helper if that works). All four are sequentially consistent, so either the team
/// sees the old helper still counted (and that helper, seeing `busy`, counts itself back in)
/// or it spawns a new one (and the old one's count-back fails): never no helper.
fn help(s: &Shared) {
    let mut idle = 0u32;
    loop {
        let claims = s.claims.load(Ordering::Acquire);
        let (n, i) = split(claims);
        if i < n {
            let body = s.body.load(Ordering::Acquire);
            if s.claims
                .compare_exchange_weak(claims, claims + 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                // SAFETY: the claim succeeded on a value read before `body` was, and `claims`
                // only increases: chunk `i` of the loop that `claims` named was still unclaimed
                // when `body` was read, so that loop was still open (the caller replaces `body`
                // only after all its chunks are claimed) and `body` points to its body
                // (published before that word). The caller's `run` does not return — so the
                // body it lent stays alive — until `helper_done` counts this chunk.
                let result = catch_unwind(AssertUnwindSafe(|| unsafe { (*body)(i) }));
                if result.is_err() {
                    s.helper_panicked.store(true, Ordering::Release);
                }
                s.helper_done.fetch_add(1, Ordering::Release);
                idle = 0;
            }
            continue;
        }
        idle += 1;
        if !s.busy.load(Ordering::SeqCst) || idle >= GIVE_UP_SPINS {
            s.helpers.fetch_sub(1, Ordering::SeqCst);
            if !s.busy.load(Ordering::SeqCst)
                || idle >= GIVE_UP_SPINS
                || s.helpers
                    .compare_exchange(0, 1, Ordering::SeqCst, Ordering::Relaxed)
                    .is_err()
            {
                return;
            }
        }
        std::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    /// The team, waiting while another test (or a `predict` elsewhere in the test binary)
    /// holds it.
    fn take_team() -> Team {
        loop {
            if let Some(t) = Team::start() {
                return t;
            }
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }

    #[test]
    fn every_chunk_runs_once_over_many_loops() {
        let team = take_team();
        for n in [0usize, 1, 2, 3, 7, 64, 1000, MAX_CHUNKS + 3] {
            let hits: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
            for _ in 0..20 {
                team.run(n, &|i| {
                    hits[i].fetch_add(1, Ordering::Relaxed);
                });
            }
            assert!(
                hits.iter().all(|h| h.load(Ordering::Relaxed) == 20),
                "n = {n}"
            );
        }
    }

    #[test]
    fn the_helper_takes_chunks_when_awake() {
        let team = take_team();
        let caller = std::thread::current().id();
        let on_helper = AtomicUsize::new(0);
        // Slow chunks give the helper time to wake and join.
        for _ in 0..200 {
            team.run(8, &|_| {
                if std::thread::current().id() != caller {
                    on_helper.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
            });
            if on_helper.load(Ordering::Relaxed) > 0 {
                return;
            }
        }
        panic!("the helper never ran a chunk");
    }

    #[test]
    fn a_helper_left_without_loops_gives_up_and_the_caller_runs_alone() {
        let team = take_team();
        let wait_for = |helpers: usize| {
            let t0 = std::time::Instant::now();
            while SHARED.helpers.load(Ordering::SeqCst) != helpers {
                assert!(
                    t0.elapsed().as_secs() < 20,
                    "helpers never became {helpers}"
                );
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        };
        // The team is held but publishes nothing: the helper returns to the pool.
        wait_for(0);
        let sum = AtomicUsize::new(0);
        team.run(100, &|i| {
            sum.fetch_add(i, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 4950);
        drop(team);
        // The next team spawns a helper again.
        let team = take_team();
        wait_for(1);
        drop(team);
    }

    #[test]
    fn one_team_at_a_time() {
        let team = take_team();
        assert!(Team::start().is_none());
        drop(team);
        let again = take_team();
        drop(again);
    }

    #[test]
    fn a_panicking_chunk_reaches_the_caller_after_the_others() {
        let team = take_team();
        let ran = AtomicUsize::new(0);
        let r = catch_unwind(AssertUnwindSafe(|| {
            team.run(16, &|i| {
                ran.fetch_add(1, Ordering::Relaxed);
                assert_ne!(i, 5, "chunk 5 fails");
            })
        }));
        assert!(r.is_err());
        assert_eq!(ran.load(Ordering::Relaxed), 16);
        // The team still works afterwards.
        let sum = AtomicUsize::new(0);
        team.run(10, &|i| {
            sum.fetch_add(i, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 45);
    }
}
