//! The figures of a load run and how they are computed: percentiles of set-up times,
//! server cost from `/proc` samples taken over the run, ratios to the bare UDP path,
//! and the printed summary. Serialised as the tool's JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::procfs::ProcSample;

/// Packets the server handles per call and second: 50 frames out, 50 in.
pub const PACKETS_PER_CALL_SECOND: f64 = 100.0;

/// p50 / p99 / max of a set of durations, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Spread {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Spread {
    /// Nearest-rank percentiles; all zero for no samples.
    pub fn of(samples: &mut [Duration]) -> Spread {
        if samples.is_empty() {
            return Spread::default();
        }
        samples.sort_unstable();
        let rank = |q: f64| {
            let r = (q * samples.len() as f64).ceil() as usize;
            samples[r.clamp(1, samples.len()) - 1]
        };
        Spread {
            p50_ms: ms(rank(0.50)),
            p99_ms: ms(rank(0.99)),
            max_ms: ms(samples[samples.len() - 1]),
        }
    }

    pub fn from_histogram(h: &crate::caller::DeviationHistogram) -> Spread {
        Spread {
            p50_ms: ms(h.percentile(0.50)),
            p99_ms: ms(h.percentile(0.99)),
            max_ms: ms(h.max()),
        }
    }
}

/// A reading of the measured process with the number of calls (or streams) up then.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadSample {
    pub at: Duration,
    pub active: u64,
    pub proc: ProcSample,
}

/// What a process cost while carrying calls.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cost {
    /// Most calls (streams) up at one sample.
    pub peak_active: u64,
    /// Length of the steady window: intervals with at least 95 % of the peak up.
    pub steady_seconds: f64,
    pub steady_call_seconds: f64,
    pub steady_cpu_seconds: f64,
    /// CPU as a percentage of one core, per concurrent call, in the steady window.
    pub cpu_percent_per_call: f64,
    /// CPU time per packet handled (100 per call-second), in microseconds.
    pub cpu_us_per_packet: f64,
    /// Resident memory before the first call and at the peak.
    pub rss_kib_idle: u64,
    pub rss_kib_peak: u64,
    /// (peak RSS − idle RSS) / peak calls.
    pub rss_kib_per_call: f64,
}

impl Cost {
    /// Integrates `samples` (in time order, the first one taken with nothing up).
    pub fn from_samples(samples: &[LoadSample]) -> Cost {
        let Some(first) = samples.first() else {
            return Cost::default();
        };
        let peak = samples.iter().map(|s| s.active).max().unwrap_or(0);
        let threshold = (peak as f64 * 0.95).ceil() as u64;
        let mut cost = Cost {
            peak_active: peak,
            rss_kib_idle: first.proc.rss_kib,
            ..Cost::default()
        };
        for pair in samples.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if peak > 0 && a.active >= threshold && b.active >= threshold {
                let dt = (b.at - a.at).as_secs_f64();
                cost.steady_seconds += dt;
                cost.steady_call_seconds += dt * (a.active + b.active) as f64 / 2.0;
                cost.steady_cpu_seconds += (b.proc.cpu.saturating_sub(a.proc.cpu)).as_secs_f64();
            }
        }
        let at_peak = samples.iter().filter(|s| s.active >= threshold && peak > 0);
        cost.rss_kib_peak = at_peak
            .map(|s| s.proc.rss_kib)
            .max()
            .unwrap_or(first.proc.rss_kib);
        if cost.steady_call_seconds > 0.0 {
            cost.cpu_percent_per_call = 100.0 * cost.steady_cpu_seconds / cost.steady_call_seconds;
            cost.cpu_us_per_packet = 1e6 * cost.steady_cpu_seconds
                / (cost.steady_call_seconds * PACKETS_PER_CALL_SECOND);
        }
        if peak > 0 {
            cost.rss_kib_per_call =
                cost.rss_kib_peak.saturating_sub(cost.rss_kib_idle) as f64 / peak as f64;
        }
        cost
    }
}

/// The server's RTP as the callers received it (merged over all calls).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RtpFigures {
    pub streams: u64,
    pub packets: u64,
    /// |inter-arrival − 20 ms|.
    pub interarrival_deviation: Spread,
    pub gaps: u64,
    pub lost: u64,
    pub out_of_order: u64,
    pub timestamp_errors: u64,
}

impl RtpFigures {
    pub fn from_stats(streams: u64, stats: &crate::caller::RtpStats) -> RtpFigures {
        RtpFigures {
            streams,
            packets: stats.packets,
            interarrival_deviation: Spread::from_histogram(&stats.interarrival),
            gaps: stats.gaps,
            lost: stats.lost,
            out_of_order: stats.out_of_order,
            timestamp_errors: stats.timestamp_errors,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CallFigures {
    pub attempted: u64,
    pub answered: u64,
    pub failed: u64,
    /// Failure reason ("486", "timeout", …) → count.
    pub failures: BTreeMap<String, u64>,
    /// Answered calls the server ended (BYE) or that broke before the tool hung up.
    pub dropped: u64,
    pub setup: Spread,
    /// Calls started per second, measured (first INVITE to last).
    pub rate_achieved: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KeyFigures {
    pub pressed: u64,
    /// Keys followed by exactly the prompts the menu plays for them.
    pub acted_on: u64,
    /// Keys followed by other prompts or by none (lost, doubled or misread).
    pub failed: u64,
    /// Keys pressed on calls that did not identify prompts (see `identify_every`).
    pub not_judged: u64,
    /// A few failure messages, for diagnosis.
    pub examples: Vec<String>,
}

/// The bare UDP path: the same streams with no server logic.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BareFigures {
    pub cost: Cost,
    pub rtp: RtpFigures,
}

/// Server figure ÷ bare figure.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Ratios {
    pub cpu_per_packet: Option<f64>,
    pub rss_per_call: Option<f64>,
    pub interarrival_p99: Option<f64>,
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (a > 0.0 && b > 0.0).then(|| a / b)
}

impl Ratios {
    pub fn of(server: &Cost, rtp: &RtpFigures, bare: &BareFigures) -> Ratios {
        Ratios {
            cpu_per_packet: ratio(server.cpu_us_per_packet, bare.cost.cpu_us_per_packet),
            rss_per_call: ratio(server.rss_kib_per_call, bare.cost.rss_kib_per_call),
            interarrival_p99: ratio(
                rtp.interarrival_deviation.p99_ms,
                bare.rtp.interarrival_deviation.p99_ms,
            ),
        }
    }
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub settings: BTreeMap<String, String>,
    pub calls: Option<CallFigures>,
    pub keys: Option<KeyFigures>,
    pub rtp: Option<RtpFigures>,
    pub server: Option<Cost>,
    /// The load tool's own CPU seconds and its share of one core over the run.
    pub tool_cpu_seconds: f64,
    pub tool_cpu_percent: f64,
    pub bare: Option<BareFigures>,
    pub ratios: Option<Ratios>,
}

fn spread(s: &Spread) -> String {
    format!(
        "p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        s.p50_ms, s.p99_ms, s.max_ms
    )
}

fn cost_lines(out: &mut String, what: &str, c: &Cost) {
    let _ = writeln!(
        out,
        "{what} cpu: {:.4} % of a core per call ({:.2} µs/packet) over {:.1} s steady at {} calls",
        c.cpu_percent_per_call, c.cpu_us_per_packet, c.steady_seconds, c.peak_active
    );
    let _ = writeln!(
        out,
        "{what} rss: idle {} KiB, peak {} KiB, {:.1} KiB per call",
        c.rss_kib_idle, c.rss_kib_peak, c.rss_kib_per_call
    );
}

fn rtp_line(out: &mut String, what: &str, r: &RtpFigures) {
    let _ = writeln!(
        out,
        "{what} rtp: {} streams, {} packets; inter-arrival deviation {}; gaps {} lost {} reordered {} ts errors {}",
        r.streams,
        r.packets,
        spread(&r.interarrival_deviation),
        r.gaps,
        r.lost,
        r.out_of_order,
        r.timestamp_errors
    );
}

impl Report {
    /// The human summary.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(c) = &self.calls {
            let _ = writeln!(
                out,
                "calls: attempted {} answered {} failed {} {:?} dropped {} (rate {:.0}/s)",
                c.attempted, c.answered, c.failed, c.failures, c.dropped, c.rate_achieved
            );
            let _ = writeln!(out, "setup (INVITE→200): {}", spread(&c.setup));
        }
        if let Some(k) = &self.keys {
            let _ = writeln!(
                out,
                "keys: pressed {} acted on {} failed {} not judged {}",
                k.pressed, k.acted_on, k.failed, k.not_judged
            );
            for e in &k.examples {
                let _ = writeln!(out, "  key failure: {e}");
            }
        }
        if let Some(r) = &self.rtp {
            rtp_line(&mut out, "server", r);
        }
        if let Some(c) = &self.server {
            cost_lines(&mut out, "server", c);
        }
        if let Some(b) = &self.bare {
            rtp_line(&mut out, "bare", &b.rtp);
            cost_lines(&mut out, "bare", &b.cost);
        }
        if let Some(r) = &self.ratios {
            let f = |x: Option<f64>| x.map_or("-".to_owned(), |x| format!("{x:.2}x"));
            let _ = writeln!(
                out,
                "server/bare: cpu per packet {}, rss per call {}, inter-arrival p99 {}",
                f(r.cpu_per_packet),
                f(r.rss_per_call),
                f(r.interarrival_p99)
            );
        }
        let _ = writeln!(
            out,
            "tool: {:.1} cpu s ({:.0} % of a core)",
            self.tool_cpu_seconds, self.tool_cpu_percent
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(at_s: u64, active: u64, cpu_ms: u64, rss_kib: u64) -> LoadSample {
        LoadSample {
            at: Duration::from_secs(at_s),
            active,
            proc: ProcSample {
                cpu: Duration::from_millis(cpu_ms),
                rss_kib,
            },
        }
    }

    #[test]
    fn spread_uses_nearest_rank() {
        let mut v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let s = Spread::of(&mut v);
        assert_eq!((s.p50_ms, s.p99_ms, s.max_ms), (50.0, 99.0, 100.0));
        assert_eq!(Spread::of(&mut []), Spread::default());
    }

    #[test]
    fn cost_counts_only_the_steady_window() {
        // Ramp 0 → 1000 calls, 10 s steady at 1000 costing 1 s of CPU, then ramp down.
        let samples = [
            sample(0, 0, 0, 10_000),
            sample(5, 1000, 3000, 50_000),
            sample(15, 1000, 4000, 60_000),
            sample(20, 0, 9000, 20_000),
        ];
        let c = Cost::from_samples(&samples);
        assert_eq!(c.peak_active, 1000);
        assert_eq!(c.steady_seconds, 10.0);
        assert_eq!(c.steady_call_seconds, 10_000.0);
        assert!((c.cpu_percent_per_call - 0.01).abs() < 1e-9);
        assert!((c.cpu_us_per_packet - 1.0).abs() < 1e-9);
        assert_eq!(c.rss_kib_peak, 60_000);
        assert!((c.rss_kib_per_call - 50.0).abs() < 1e-9);
    }

    #[test]
    fn no_samples_or_no_calls_cost_nothing() {
        assert_eq!(Cost::from_samples(&[]), Cost::default());
        let c = Cost::from_samples(&[sample(0, 0, 0, 1), sample(1, 0, 10, 1)]);
        assert_eq!(c.cpu_percent_per_call, 0.0);
    }

    #[test]
    fn ratio_is_absent_when_the_bare_figure_is_zero() {
        let server = Cost {
            cpu_us_per_packet: 4.0,
            ..Cost::default()
        };
        let bare = BareFigures {
            cost: Cost {
                cpu_us_per_packet: 2.0,
                ..Cost::default()
            },
            rtp: RtpFigures::default(),
        };
        let r = Ratios::of(&server, &RtpFigures::default(), &bare);
        assert_eq!(r.cpu_per_packet, Some(2.0));
        assert_eq!(r.interarrival_p99, None);
    }
}
