//! What `hotline serve` does on signals: SIGHUP reads the menu and prompts again; the
//! first SIGTERM (or Ctrl-C) drains — new calls get 503 and `/healthz` answers 503 while
//! the calls in progress finish, for at most `--drain-timeout` — and a second one, or the
//! end of the drain, stops the server.

use std::time::Duration;

use hotline::live::{Reloader, Trigger};
use hotline::server::RunningServer;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// Each SIGHUP reads the menu and prompts again (they go live if they are valid).
pub async fn reload_on_sighup(reloader: Reloader) {
    let mut hangup = match signal(SignalKind::hangup()) {
        Ok(signal) => signal,
        Err(error) => {
            return tracing::warn!(%error, "SIGHUP can't be caught; reload by file or API")
        }
    };
    while hangup.recv().await.is_some() {
        reloader.reload(Trigger::Signal).await;
    }
}

/// SIGTERM and Ctrl-C, as many times as they come.
pub struct StopSignals {
    terminate: Option<Signal>,
}

impl StopSignals {
    /// Catches SIGTERM from now on (Ctrl-C alone if it can't be caught).
    pub fn catch() -> StopSignals {
        let terminate = signal(SignalKind::terminate())
            .inspect_err(|error| tracing::warn!(%error, "SIGTERM can't be caught"))
            .ok();
        StopSignals { terminate }
    }

    /// The next SIGTERM or Ctrl-C.
    pub async fn next(&mut self) {
        match &mut self.terminate {
            Some(terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            None => drop(tokio::signal::ctrl_c().await),
        }
    }
}

/// Drains `server` after the first stop signal, until its calls are over, `timeout` has
/// passed or a second stop signal comes.
pub async fn drain_on_stop(server: &RunningServer, signals: &mut StopSignals, timeout: Duration) {
    signals.next().await;
    server.drain();
    tokio::select! {
        drained = server.drained(timeout) => {
            if drained {
                tracing::info!("drained: no call in progress; stopping");
            } else {
                tracing::warn!(?timeout, "calls still in progress at the end of the drain; stopping");
            }
        }
        () = signals.next() => tracing::warn!("second stop signal; stopping now"),
    }
}
