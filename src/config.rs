//! Server configuration: addresses, port ranges and paths, from flags or environment.
//!
//! `ServerConfig` is what [`crate::server::start`] needs; the CLI fills it from flags
//! (each with an environment twin) and the tests from [`ServerConfig::for_tests`].

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::agents::digest::Algorithm;
use crate::store::DEFAULT_SIP_REALM;

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// SIP address, served on UDP and TCP (port 0: an ephemeral port, the same for both).
    pub sip: SocketAddr,
    /// UDP ports for RTP, one per call (even ports are used, RTCP would take the odd one).
    pub rtp_ports: RangeInclusive<u16>,
    /// HTTP address for `/healthz`, `/metrics` and the tickets API.
    pub http: SocketAddr,
    /// Media clock threads, each driving the RTP of its share of the calls (0: one per
    /// CPU core).
    pub media_threads: usize,
    /// The menu YAML file.
    pub menu: PathBuf,
    /// The prompt folder (`zh/02.wav`, `music/hold.wav`, ...).
    pub prompts: PathBuf,
    /// The store: `sqlite://FILE` (created on first use) or `postgres://…`.
    pub db: String,
    /// The folder of `holidays.yaml` and `complaint-catalogue.yaml` (the ticket rules).
    pub tickets_config: PathBuf,
    /// The SIP digest realm agents' phones register in.
    pub sip_realm: String,
    /// The digest algorithms the registrar challenges with, preferred first.
    pub sip_digest: Vec<Algorithm>,
    /// A scratch folder the server removes when it is dropped (the tests' database).
    pub scratch: Option<PathBuf>,
    /// Whether saved changes to the menu file and the prompt folder are put in service
    /// without a SIGHUP or `POST /api/reload` (off in tests that don't need it: each
    /// watcher takes an inotify instance).
    pub watch_files: bool,
}

impl ServerConfig {
    /// Loopback, ephemeral SIP and HTTP ports, the bundled menu, prompts and ticket
    /// configuration of `repo_root`, and a fresh SQLite file in a scratch folder of its own
    /// under the system temp dir, removed with the server (one server per call).
    pub fn for_tests(repo_root: &Path) -> Self {
        static SERVERS: AtomicU64 = AtomicU64::new(0);
        let scratch = std::env::temp_dir().join(format!(
            "hotline-test-{}-{}-{:08x}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        ));
        ServerConfig {
            sip: SocketAddr::from(([127, 0, 0, 1], 0)),
            rtp_ports: 20000..=29999,
            http: SocketAddr::from(([127, 0, 0, 1], 0)),
            media_threads: 1,
            menu: repo_root.join("menus/hotline.yaml"),
            prompts: repo_root.join("prompts"),
            db: format!("sqlite://{}", scratch.join("hotline.db").display()),
            tickets_config: repo_root.join("config"),
            sip_realm: DEFAULT_SIP_REALM.to_string(),
            sip_digest: Algorithm::PREFERRED.to_vec(),
            scratch: Some(scratch),
            watch_files: false,
        }
    }
}

/// Parses an RTP port range written `LO-HI` (inclusive, at least two ports).
pub fn parse_port_range(text: &str) -> Result<RangeInclusive<u16>, String> {
    let (lo, hi) = text
        .split_once('-')
        .ok_or_else(|| format!("expected LO-HI, got {text:?}"))?;
    let lo: u16 = lo.trim().parse().map_err(|_| format!("bad port {lo:?}"))?;
    let hi: u16 = hi.trim().parse().map_err(|_| format!("bad port {hi:?}"))?;
    if lo == 0 || hi <= lo {
        return Err(format!(
            "the range {lo}-{hi} must be non-empty and not start at 0"
        ));
    }
    Ok(lo..=hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_range_is_parsed_inclusive() {
        assert_eq!(parse_port_range("20000-29999"), Ok(20000..=29999));
        assert_eq!(parse_port_range(" 100 - 200 "), Ok(100..=200));
    }

    #[test]
    fn bad_port_ranges_are_refused_with_a_reason() {
        for bad in ["", "20000", "200-100", "0-10", "a-b", "1-70000"] {
            assert!(parse_port_range(bad).is_err(), "{bad:?} accepted");
        }
    }
}
