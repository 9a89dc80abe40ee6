//! How callers use each menu node, from the records' paths (the console's menu diagram
//! colours its nodes by this): per node, `visits` (its `menu X` steps), `timeouts` and
//! `wrong_keys` (wrong keys and refused entries) that happened in it, `gave_up` (calls
//! `hung_up_in_menu` or `timed_out` whose last node it was) and `to_agent` (calls the menu
//! handed to a queue from it). Nodes are listed by id.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::records::{CallRecord, RecordOutcome};

/// One node's figures; `GET /api/reports/menu-usage` answers a list of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeUsage {
    pub node: String,
    pub visits: u64,
    pub timeouts: u64,
    pub wrong_keys: u64,
    pub gave_up: u64,
    pub to_agent: u64,
}

/// The usage of every node the records' paths went through.
pub fn menu_usage(records: &[CallRecord]) -> Vec<NodeUsage> {
    let mut nodes: BTreeMap<String, NodeUsage> = BTreeMap::new();
    for record in records {
        let mut current: Option<&str> = None;
        for step in &record.path {
            if let Some(node) = step.strip_prefix("menu ") {
                current = Some(node);
                usage(&mut nodes, node).visits += 1;
            } else if let Some(node) = current {
                if step == "timeout" {
                    usage(&mut nodes, node).timeouts += 1;
                } else if step.starts_with("wrong ") {
                    usage(&mut nodes, node).wrong_keys += 1;
                }
            }
        }
        let Some(last) = current else { continue };
        let gave_up = matches!(
            record.outcome,
            RecordOutcome::HungUpInMenu | RecordOutcome::TimedOut
        );
        if gave_up {
            usage(&mut nodes, last).gave_up += 1;
        }
        if record.queue.is_some() {
            usage(&mut nodes, last).to_agent += 1;
        }
    }
    nodes.into_values().collect()
}

fn usage<'a>(nodes: &'a mut BTreeMap<String, NodeUsage>, node: &str) -> &'a mut NodeUsage {
    nodes.entry(node.to_string()).or_insert_with(|| NodeUsage {
        node: node.to_string(),
        ..NodeUsage::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn call(path: &str, outcome: RecordOutcome, queue: Option<&str>) -> CallRecord {
        let at = Utc.with_ymd_and_hms(2026, 3, 10, 1, 0, 0).unwrap();
        CallRecord {
            call_id: "c".into(),
            started_at: at,
            answered_at: Some(at),
            ended_at: at,
            caller: "05512345678".into(),
            called: "112".into(),
            path: crate::records::split_path(path),
            outcome,
            tickets: Vec::new(),
            queue: queue.map(str::to_string),
            wait_ms: None,
            agent: None,
            talk_ms: None,
            menu_version: 1,
        }
    }

    #[test]
    fn visits_failures_giving_up_and_hand_overs_land_on_their_nodes() {
        use RecordOutcome::*;
        let records = [
            call(
                "menu main > wrong key 7 > key 3 > menu report > timeout > timeout",
                TimedOut,
                None,
            ),
            call(
                "menu main > timeout > key 0",
                AnsweredByAgent,
                Some("general"),
            ),
            call(
                "menu main > key 3 > menu report > wrong entry 12 > key * > menu main",
                HungUpInMenu,
                None,
            ),
            call("menu main > key 1 > menu query", SelfServed, None),
            call("", Rejected, None),
        ];
        let usage = menu_usage(&records);
        let node =
            |node: &str, [visits, timeouts, wrong_keys, gave_up, to_agent]: [u64; 5]| NodeUsage {
                node: node.into(),
                visits,
                timeouts,
                wrong_keys,
                gave_up,
                to_agent,
            };
        assert_eq!(
            usage,
            vec![
                node("main", [5, 1, 1, 1, 1]),
                node("query", [1, 0, 0, 0, 0]),
                node("report", [2, 2, 1, 1, 0]),
            ]
        );
        let json = serde_json::to_value(&usage[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"node": "main", "visits": 5, "timeouts": 1,
                "wrong_keys": 1, "gave_up": 1, "to_agent": 1})
        );
    }
}
