//! Prometheus metrics of the server, served as text on `GET /metrics`.
//!
//! Counters are atomics: the call task holds its own handles (no label lookup, no lock
//! per packet) and adds its per-call packet counts in batches.

use std::fmt::Write as _;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// How a call ended.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum CallOutcome {
    /// The menu ended the call (goodbye, too many failures).
    HungUpByMenu,
    /// The caller hung up in the menu.
    HungUpByCaller,
    /// Handed on by SIP REFER.
    Transferred,
    /// Waited in a queue and talked to an agent.
    AnsweredByAgent,
    /// Hung up while waiting in a queue (or while the agent's phone rang).
    Abandoned,
    /// Could not wait, or chose not to: a call-back request was kept.
    CallbackKept,
    /// The caller cancelled before the answer.
    Cancelled,
    /// Refused before the answer (no common codec, no RTP port, bad SDP).
    Rejected,
    /// Lost: no ACK, or the signalling failed.
    Failed,
}

impl CallOutcome {
    fn as_str(self) -> &'static str {
        match self {
            CallOutcome::HungUpByMenu => "hung_up_by_menu",
            CallOutcome::HungUpByCaller => "hung_up_by_caller",
            CallOutcome::Transferred => "transferred",
            CallOutcome::AnsweredByAgent => "answered_by_agent",
            CallOutcome::Abandoned => "abandoned",
            CallOutcome::CallbackKept => "callback_kept",
            CallOutcome::Cancelled => "cancelled",
            CallOutcome::Rejected => "rejected",
            CallOutcome::Failed => "failed",
        }
    }
}

/// How a DTMF key reached the server.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum DtmfMethod {
    /// RFC 4733 telephone-event in RTP.
    Rfc4733,
    /// SIP INFO (`application/dtmf-relay` or `application/dtmf`).
    Info,
    /// In-band tones detected in the audio.
    Inband,
}

impl DtmfMethod {
    fn as_str(self) -> &'static str {
        match self {
            DtmfMethod::Rfc4733 => "rfc4733",
            DtmfMethod::Info => "info",
            DtmfMethod::Inband => "inband",
        }
    }
}

/// How a menu reload attempt ended (unchanged files are not counted).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ReloadResult {
    /// The new version went live.
    Switched,
    /// The new version was refused; the running one keeps serving.
    Refused,
}

impl ReloadResult {
    fn as_str(self) -> &'static str {
        match self {
            ReloadResult::Switched => "switched",
            ReloadResult::Refused => "refused",
        }
    }
}

macro_rules! label_value {
    ($ty:ty) => {
        impl EncodeLabelValue for $ty {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                encoder.write_str(self.as_str())
            }
        }
    };
}
label_value!(CallOutcome);
label_value!(DtmfMethod);
label_value!(ReloadResult);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: CallOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: DtmfMethod,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    result: ReloadResult,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DirectionLabels {
    direction: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NodeLabels {
    node: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WaitLabels {
    queue: String,
    /// `answered` (an agent took the call) or `left` (hung up, or a call-back request).
    end: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TicketLabels {
    kind: &'static str,
}

/// Buckets of the waits in a queue, in seconds: 1 s to about 17 minutes.
fn wait_histogram() -> Histogram {
    Histogram::new(exponential_buckets(1.0, 2.0, 11))
}

/// Buckets of the time the store takes to file a report, in seconds: 1 ms to about 4 s.
fn store_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 13))
}

/// The server's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    /// Calls in progress (answered or being answered).
    pub active_calls: Gauge,
    calls: Family<OutcomeLabels, Counter>,
    dtmf: Family<MethodLabels, Counter>,
    reloads: Family<ReloadLabels, Counter>,
    node_visits: Family<NodeLabels, Counter>,
    queue_callers: Family<QueueLabels, Gauge>,
    queue_longest_wait: Family<QueueLabels, Gauge<f64, AtomicU64>>,
    queue_waits: Family<WaitLabels, Histogram, fn() -> Histogram>,
    agents: Family<StateLabels, Gauge>,
    ticket_filing: Family<TicketLabels, Histogram, fn() -> Histogram>,
    /// RTP packets received from callers.
    pub rtp_packets_in: Counter,
    /// RTP packets sent to callers.
    pub rtp_packets_out: Counter,
    /// 20 ms ticks that fired more than a frame late.
    pub rtp_late_sends: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hotline");
        let active_calls = Gauge::default();
        registry.register("active_calls", "Calls in progress", active_calls.clone());
        let calls = Family::<OutcomeLabels, Counter>::default();
        registry.register("calls", "Calls ended, by outcome", calls.clone());
        let dtmf = Family::<MethodLabels, Counter>::default();
        registry.register("dtmf_keys", "DTMF keys received, by method", dtmf.clone());
        let rtp = Family::<DirectionLabels, Counter>::default();
        registry.register("rtp_packets", "RTP packets, by direction", rtp.clone());
        let rtp_late_sends = Counter::default();
        registry.register(
            "rtp_late_sends",
            "20 ms send ticks that fired more than one frame late",
            rtp_late_sends.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "menu_reloads",
            "Menu and prompt reloads, by result",
            reloads.clone(),
        );
        for result in [ReloadResult::Switched, ReloadResult::Refused] {
            drop(reloads.get_or_create(&ReloadLabels { result }));
        }
        let node_visits = Family::<NodeLabels, Counter>::default();
        registry.register(
            "menu_node_visits",
            "Menus entered by calls, by menu id",
            node_visits.clone(),
        );
        let queue_callers = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "queue_callers",
            "Callers waiting in each queue now",
            queue_callers.clone(),
        );
        let queue_longest_wait = Family::<QueueLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "queue_longest_wait_seconds",
            "How long the longest waiting caller of each queue has waited",
            queue_longest_wait.clone(),
        );
        let queue_waits = Family::<WaitLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            wait_histogram,
        );
        registry.register(
            "queue_wait_seconds",
            "Time from entering a queue to an agent's answer or to leaving",
            queue_waits.clone(),
        );
        let agents = Family::<StateLabels, Gauge>::default();
        registry.register("agents", "Agents' seats by state now", agents.clone());
        let ticket_filing =
            Family::<TicketLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                store_histogram,
            );
        registry.register(
            "ticket_filing_seconds",
            "Time from a caller's submit to the store's decision, by report kind",
            ticket_filing.clone(),
        );
        let rtp_packets_in = rtp
            .get_or_create(&DirectionLabels { direction: "in" })
            .clone();
        let rtp_packets_out = rtp
            .get_or_create(&DirectionLabels { direction: "out" })
            .clone();
        // Pre-create the label sets so a scrape shows zeros instead of nothing.
        for method in [DtmfMethod::Rfc4733, DtmfMethod::Info, DtmfMethod::Inband] {
            drop(dtmf.get_or_create(&MethodLabels { method }));
        }
        Metrics {
            registry,
            active_calls,
            calls,
            dtmf,
            reloads,
            node_visits,
            queue_callers,
            queue_longest_wait,
            queue_waits,
            agents,
            ticket_filing,
            rtp_packets_in,
            rtp_packets_out,
            rtp_late_sends,
        }
    }

    /// Counts a call that ended.
    pub fn call_ended(&self, outcome: CallOutcome) {
        self.calls.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Counts a key received.
    pub fn key_received(&self, method: DtmfMethod) {
        self.dtmf.get_or_create(&MethodLabels { method }).inc();
    }

    /// Counts a reload that switched or was refused.
    pub fn reload_finished(&self, result: ReloadResult) {
        self.reloads.get_or_create(&ReloadLabels { result }).inc();
    }

    /// Counts a menu entered by a call.
    pub fn menu_entered(&self, node: &str) {
        let node = node.to_string();
        self.node_visits.get_or_create(&NodeLabels { node }).inc();
    }

    /// Sets each queue's waiting callers and longest wait now.
    pub fn queues_now<'a>(&self, queues: impl IntoIterator<Item = (&'a str, usize, Duration)>) {
        for (queue, waiting, longest) in queues {
            let labels = QueueLabels {
                queue: queue.to_string(),
            };
            self.queue_callers
                .get_or_create(&labels)
                .set(i64::try_from(waiting).unwrap_or(i64::MAX));
            self.queue_longest_wait
                .get_or_create(&labels)
                .set(longest.as_secs_f64());
        }
    }

    /// Counts a wait in `queue` that ended: answered by an agent, or left.
    pub fn queue_wait_ended(&self, queue: &str, answered: bool, waited: Duration) {
        let labels = WaitLabels {
            queue: queue.to_string(),
            end: if answered { "answered" } else { "left" },
        };
        self.queue_waits
            .get_or_create(&labels)
            .observe(waited.as_secs_f64());
    }

    /// Sets how many seats are in each state now (`states`: every state's name with its
    /// count, zeros included).
    pub fn agents_now(&self, states: impl IntoIterator<Item = (&'static str, usize)>) {
        for (state, count) in states {
            self.agents
                .get_or_create(&StateLabels { state })
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
    }

    /// Counts a report the store decided on, `kind` `fault`, `complaint` or `suggestion`,
    /// with the time it took.
    pub fn ticket_filed(&self, kind: &'static str, took: Duration) {
        (self.ticket_filing.get_or_create(&TicketLabels { kind })).observe(took.as_secs_f64());
    }

    /// The number of keys received by `method` so far.
    pub fn keys_received(&self, method: DtmfMethod) -> u64 {
        self.dtmf.get_or_create(&MethodLabels { method }).get()
    }

    /// The number of calls that ended with `outcome` so far.
    pub fn calls_ended(&self, outcome: CallOutcome) -> u64 {
        self.calls.get_or_create(&OutcomeLabels { outcome }).get()
    }

    /// The registry in the OpenMetrics text format that Prometheus scrapes.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_metrics_name_every_series_with_lowercase_labels() {
        let metrics = Metrics::new();
        metrics.key_received(DtmfMethod::Rfc4733);
        metrics.call_ended(CallOutcome::HungUpByCaller);
        metrics.rtp_packets_out.inc_by(3);
        let text = metrics.encode();
        assert!(
            text.contains("hotline_dtmf_keys_total{method=\"rfc4733\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("hotline_dtmf_keys_total{method=\"inband\"} 0"),
            "{text}"
        );
        assert!(text.contains("hotline_calls_total{outcome=\"hung_up_by_caller\"} 1"));
        assert!(text.contains("hotline_rtp_packets_total{direction=\"out\"} 3"));
        assert!(text.contains("hotline_active_calls 0"));
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn queue_agent_menu_and_ticket_series_are_labelled_by_what_they_count() {
        let metrics = Metrics::new();
        metrics.menu_entered("main");
        metrics.menu_entered("main");
        metrics.queues_now([("general", 3, Duration::from_millis(12_500))]);
        metrics.queue_wait_ended("general", true, Duration::from_secs(3));
        metrics.queue_wait_ended("general", false, Duration::from_secs(40));
        metrics.agents_now([("ready", 2), ("talking", 0)]);
        metrics.ticket_filed("fault", Duration::from_millis(3));
        metrics.reload_finished(ReloadResult::Refused);
        let text = metrics.encode();
        for series in [
            r#"hotline_menu_node_visits_total{node="main"} 2"#,
            r#"hotline_queue_callers{queue="general"} 3"#,
            r#"hotline_queue_longest_wait_seconds{queue="general"} 12.5"#,
            r#"hotline_queue_wait_seconds_count{queue="general",end="answered"} 1"#,
            r#"hotline_queue_wait_seconds_bucket{le="4.0",queue="general",end="answered"} 1"#,
            r#"hotline_queue_wait_seconds_count{queue="general",end="left"} 1"#,
            r#"hotline_agents{state="ready"} 2"#,
            r#"hotline_agents{state="talking"} 0"#,
            r#"hotline_ticket_filing_seconds_count{kind="fault"} 1"#,
            r#"hotline_menu_reloads_total{result="refused"} 1"#,
            r#"hotline_menu_reloads_total{result="switched"} 0"#,
        ] {
            assert!(text.contains(series), "{series} in {text}");
        }
    }
}
