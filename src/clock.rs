//! Clock threads: a few OS threads, each running many media streams on one 20 ms
//! schedule ([`crate::media::TickSchedule`]). Streams are handed to the threads in turn;
//! an idle thread blocks until one comes, and a thread ends when its [`ClockThreads`] is
//! dropped and its last stream has ended. The server's media clock
//! ([`crate::call::media_clock`]) and the scripted caller's ([`crate::caller`]) are both
//! a [`Shard`] run by these threads.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Instant;

use crate::media::TickSchedule;

/// What one clock thread does with its streams.
pub trait Shard: Send + 'static {
    /// What is handed to a thread to start a stream.
    type Attach: Send + 'static;
    /// A stream as the thread holds it.
    type Stream;
    /// Starts a stream whose first frame is due at `tick`.
    fn attach(&mut self, attach: Self::Attach, tick: Instant) -> Self::Stream;
    /// One tick of one stream; false when the stream has ended.
    fn tick(&mut self, stream: &mut Self::Stream, now: Instant) -> bool;
}

/// The clock threads; streams are handed to them in turn.
pub struct ClockThreads<A> {
    threads: Vec<Sender<A>>,
    next_thread: AtomicUsize,
}

impl<A: Send + 'static> ClockThreads<A> {
    /// Starts `count` threads (at least one) named `name-N`, each with its own shard.
    pub fn start<S: Shard<Attach = A>>(
        name: &str,
        count: usize,
        make_shard: impl Fn() -> S,
    ) -> io::Result<ClockThreads<A>> {
        let threads = (0..count.max(1))
            .map(|index| {
                let (attach, attached) = mpsc::channel();
                let shard = make_shard();
                std::thread::Builder::new()
                    .name(format!("{name}-{index}"))
                    .spawn(move || run(&attached, shard))
                    .map(|_| attach)
            })
            .collect::<io::Result<_>>()?;
        Ok(ClockThreads {
            threads,
            next_thread: AtomicUsize::new(0),
        })
    }

    /// Hands a stream to the next thread; gives it back if that thread has stopped.
    pub fn attach(&self, attach: A) -> Result<(), A> {
        let index = self.next_thread.fetch_add(1, Ordering::Relaxed) % self.threads.len();
        self.threads[index]
            .send(attach)
            .map_err(|refused| refused.0)
    }
}

fn run<S: Shard>(attached: &Receiver<S::Attach>, mut shard: S) {
    let mut streams: Vec<S::Stream> = Vec::new();
    let mut schedule = TickSchedule::new(Instant::now());
    loop {
        if streams.is_empty() {
            let Ok(attach) = attached.recv() else { return };
            schedule = TickSchedule::new(Instant::now());
            streams.push(shard.attach(attach, schedule.current()));
        }
        while let Ok(attach) = attached.try_recv() {
            streams.push(shard.attach(attach, schedule.current()));
        }
        let now = Instant::now();
        streams.retain_mut(|stream| shard.tick(stream, now));
        let wait = schedule.advance(Instant::now());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}
