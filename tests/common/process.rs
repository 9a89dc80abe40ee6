//! `hotline serve` as a child process, for the tests of what only the real binary does
//! (signals, the command line): started on ephemeral loopback ports from the repository
//! folder, its addresses read from its banner, killed if the test ends first.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// A running `hotline serve`.
pub struct ServeProcess {
    child: Child,
    pub sip: SocketAddr,
    pub http: SocketAddr,
}

impl ServeProcess {
    /// `hotline serve --sip 127.0.0.1:0 --http 127.0.0.1:0 --no-watch ARGS…` in the
    /// repository folder, once it has printed its banner.
    pub fn start(args: &[&str]) -> ServeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
            .args([
                "serve",
                "--sip",
                "127.0.0.1:0",
                "--http",
                "127.0.0.1:0",
                "--no-watch",
            ])
            .args(args)
            .env("RUST_LOG", "warn")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("hotline serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut banner = String::new();
        BufReader::new(stdout)
            .read_line(&mut banner)
            .expect("the banner");
        // "hotline: SIP on udp/tcp 127.0.0.1:PORT, HTTP on http://127.0.0.1:PORT"
        let sip = (banner.split("udp/tcp ").nth(1))
            .and_then(|rest| rest.split(',').next())
            .and_then(|addr| addr.parse().ok());
        let http = (banner.split("http://").nth(1)).and_then(|addr| addr.trim().parse().ok());
        match (sip, http) {
            (Some(sip), Some(http)) => ServeProcess { child, sip, http },
            _ => {
                let _ = child.kill();
                panic!("no addresses in the banner {banner:?}")
            }
        }
    }

    /// Sends `signal` to the server.
    pub fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).expect("a pid"));
        kill(pid, signal).expect("signal sent");
    }

    /// How the server ended, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("the server's status")
    }

    /// Waits at most `within` for the server to end by itself.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.exited() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
