//! The server's log as text, for tests that check what it shows (and what it must not):
//! one capture per test binary, because the tracing subscriber is global.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// The server's log, shared by every test of this binary (the subscriber is global).
pub fn server_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    let log = LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .without_time()
            .with_writer(move || LogSink(Arc::clone(&sink)))
            .init();
        log
    });
    Arc::clone(log)
}

/// Appends what the subscriber writes to the shared log.
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
