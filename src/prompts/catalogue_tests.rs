use std::collections::BTreeMap;

use super::*;
use crate::menu::{GraphNode, NodeKind};
use crate::prompts::Prompt;

const TELEPHONE: WavFormat = WavFormat {
    tag: 1,
    channels: 1,
    rate: 8000,
    bits: 16,
};

fn node(id: &str, prompts: &[&str], plays: &[&str]) -> GraphNode {
    GraphNode {
        id: id.to_string(),
        kind: NodeKind::Menu,
        prompts: prompts.iter().map(|p| p.to_string()).collect(),
        plays: plays.iter().map(|p| p.to_string()).collect(),
        keys: Vec::new(),
    }
}

fn text(text: &str) -> PromptText {
    PromptText {
        text: text.to_string(),
        gloss: format!("gloss of {text}"),
    }
}

/// zh/01 welcome, zh/02 main's prompt (a 44.1 kHz stereo file), zh/28 played by a key
/// of `business` and main, zh/09 a default goodbye; zh/77 listed but without a file,
/// zh/old a file nobody plays, zh/broken unreadable, zh/12 and music/hold the server's.
fn sample() -> Vec<Entry> {
    let graph = MenuGraph {
        start: "main".to_string(),
        welcome: vec!["zh/01".to_string()],
        nodes: vec![
            node("main", &["zh/02"], &["zh/28"]),
            node("business", &["zh/25"], &["zh/28"]),
        ],
    };
    let menu_prompts: Vec<String> = ["zh/01", "zh/02", "zh/28", "zh/09", "zh/25", "zh/28"]
        .map(String::from)
        .to_vec();
    let texts: BTreeMap<String, PromptText> = [("zh/02", "查询请按1"), ("zh/77", "新提示")]
        .map(|(name, words)| (name.to_string(), text(words)))
        .into();
    let stereo = WavFormat {
        channels: 2,
        rate: 44100,
        ..TELEPHONE
    };
    let mut files: BTreeMap<String, Result<WavFormat, String>> = ["zh/01", "zh/09", "zh/25"]
        .into_iter()
        .chain(["zh/28", "zh/old", "zh/12", "music/hold"])
        .map(|name| (name.to_string(), Ok(TELEPHONE)))
        .collect();
    files.insert("zh/02".to_string(), Ok(stereo));
    files.insert("zh/broken".to_string(), Err("no 'data' chunk".to_string()));
    let prompts = PromptStore::from_prompts([Prompt::from_pcm("zh/02", &[0; 8000])]);
    catalogue(&Sources {
        graph: &graph,
        menu_prompts: &menu_prompts,
        language: "zh",
        texts: &texts,
        files: &files,
        prompts: &prompts,
    })
}

fn entry<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
    (entries.iter().find(|e| e.name == name)).unwrap_or_else(|| panic!("{name} listed"))
}

#[test]
fn each_prompt_has_its_text_duration_and_uses() {
    let entries = sample();
    let main = entry(&entries, "zh/02");
    assert_eq!(main.text.as_deref(), Some("查询请按1"));
    assert_eq!(main.gloss.as_deref(), Some("gloss of 查询请按1"));
    assert_eq!(main.duration_ms, Some(1000));
    assert_eq!(main.used_in, ["main"]);
    assert_eq!(entry(&entries, "zh/28").used_in, ["main", "business"]);
    assert_eq!(entry(&entries, "zh/01").used_in, ["welcome"]);
    assert_eq!(entry(&entries, "zh/09").used_in, ["menu"]);
    assert_eq!(
        entry(&entries, "zh/12").server,
        ["call::queued", "call::queue_exits"]
    );
    assert_eq!(entry(&entries, "music/hold").server, ["call::queued"]);
    assert_eq!(
        entry(&entries, "zh/digit-7").server,
        ["call::queued", "queues::announce"]
    );
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn listed_or_used_prompts_without_a_file_are_missing() {
    let entries = sample();
    let listed = entry(&entries, "zh/77");
    assert!(listed.missing && !listed.unused, "{listed:?}");
    assert_eq!(listed.text.as_deref(), Some("新提示"));
    assert!(
        entry(&entries, "zh/queue-first").missing,
        "the server plays it"
    );
    assert!(!entry(&entries, "zh/02").missing);
}

#[test]
fn files_nobody_plays_are_unused() {
    let entries = sample();
    assert!(entry(&entries, "zh/old").unused);
    assert!(entry(&entries, "zh/broken").unused);
    for used in ["zh/01", "zh/02", "zh/09", "zh/12", "music/hold"] {
        assert!(!entry(&entries, used).unused, "{used}");
    }
}

#[test]
fn files_not_in_the_lines_format_say_from_what_they_are_converted() {
    let entries = sample();
    let format = entry(&entries, "zh/02").format.clone().expect("flagged");
    assert!(
        format.starts_with("44100 Hz, 2 channels, 16-bit PCM"),
        "{format}"
    );
    let broken = entry(&entries, "zh/broken")
        .format
        .clone()
        .expect("flagged");
    assert!(broken.contains("no 'data' chunk"), "{broken}");
    assert_eq!(entry(&entries, "zh/01").format, None);
    assert_eq!(entry(&entries, "zh/77").format, None, "no file, no format");
}

#[test]
fn the_server_prompts_are_named_in_their_modules() {
    let source = |module: &str| {
        let file = format!(
            "{}/src/{}.rs",
            env!("CARGO_MANIFEST_DIR"),
            module.replace("::", "/")
        );
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    for (id, module) in SERVER_PROMPTS.iter().chain([&HOLD_MUSIC]) {
        let quoted = format!("\"{id}\"");
        assert!(source(module).contains(&quoted), "{module} plays {quoted}");
    }
    assert!(source(AGENT_NUMBER_MODULE).contains("\"digit-{d}\""));
}
