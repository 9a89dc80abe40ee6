use std::path::Path;

use super::*;

const SMALL: &str = r#"
language: zh
welcome: 01
defaults:
  timeout: 5s
  inter_digit_timeout: 3s
  max_failures: 3
  max_timeouts: 3
  invalid_prompt: 11
  timeout_prompt: 10
  too_many_prompt: 08
  on_too_many: hangup
  goodbye_prompt: 09
  transfer_prompt: 05
transfers:
  agent: {queue: general}
start: main
menus:
  main:
    prompt: [02, 03]
    keys:
      1: {goto: number}
      2: {play: 28, then: {goto: number}}
      0: {transfer: agent}
      9: {hangup: 30}
  number:
    prompt: 21
    collect:
      max_digits: 8
      then: {set: {number: collected}, then: {submit: suggestion, created: {goto: main}, refused: top, unavailable: hangup}}
    keys: {"*": back}
"#;

fn small() -> MenuGraph {
    Menu::from_str(Path::new("small.yaml"), SMALL)
        .expect("the small menu loads")
        .graph()
}

fn key(action: &str, target: Option<&str>, key: &str) -> GraphKey {
    GraphKey {
        key: key.to_string(),
        action: action.to_string(),
        target: target.map(str::to_string),
    }
}

#[test]
fn the_graph_has_the_start_the_welcome_and_each_node_with_its_prompts() {
    let graph = small();
    assert_eq!(graph.start, "main");
    assert_eq!(graph.welcome, ["zh/01"]);
    let ids: Vec<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["main", "number"]);
    assert_eq!(graph.nodes[0].prompts, ["zh/02", "zh/03"]);
    assert_eq!(graph.nodes[0].kind, NodeKind::Menu);
    assert_eq!(graph.nodes[1].kind, NodeKind::Collect);
}

#[test]
fn keys_are_edges_with_their_action_and_target() {
    let main = &small().nodes[0];
    assert_eq!(
        main.keys,
        [
            key("goto number", Some("number"), "1"),
            key("play 28 → goto number", Some("number"), "2"),
            key("transfer queue general", None, "0"),
            key("hangup", None, "9"),
        ]
    );
    assert_eq!(main.plays, ["zh/28", "zh/30"], "play and a named goodbye");
}

#[test]
fn an_entry_and_the_branches_of_a_request_are_edges_too() {
    let number = &small().nodes[1];
    assert_eq!(
        number.keys,
        [
            key(
                "set → submit suggestion: created → goto main",
                Some("main"),
                "entry"
            ),
            key("set → submit suggestion: refused → top", None, "entry"),
            key(
                "set → submit suggestion: unavailable → hangup",
                None,
                "entry"
            ),
            key("back", None, "*"),
        ]
    );
}

#[test]
fn the_bundled_menu_has_every_node_and_its_edges_point_at_nodes() {
    let text = include_str!("../../menus/hotline.yaml");
    let graph = (Menu::from_str(Path::new("menus/hotline.yaml"), text))
        .expect("the bundled menu loads")
        .graph();
    let ids: Vec<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    let declared: Vec<&str> = (text.lines())
        .skip_while(|line| *line != "menus:")
        .filter_map(|line| line.strip_prefix("  ")?.split_once(':'))
        .filter(|(id, rest)| {
            let rest = rest.trim();
            !id.starts_with(' ') && (rest.is_empty() || rest.starts_with('#'))
        })
        .map(|(id, _)| id)
        .collect();
    assert!(declared.len() > 10, "{declared:?}");
    assert_eq!(ids, declared, "every menu of the file, in file order");
    assert!(ids.contains(&graph.start.as_str()));
    for node in &graph.nodes {
        assert!(!node.keys.is_empty(), "{} has a way out", node.id);
        for edge in &node.keys {
            if let Some(target) = &edge.target {
                assert!(ids.contains(&target.as_str()), "{}: {edge:?}", node.id);
            }
        }
    }
    let main = graph.nodes.iter().find(|n| n.id == "main").expect("main");
    assert_eq!(main.prompts, ["zh/02"]);
    assert!(main
        .keys
        .iter()
        .any(|k| k.key == "0" && k.action.starts_with("transfer")));
}
