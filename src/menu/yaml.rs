//! A YAML document as a tree whose every node keeps its source position, and whose
//! mappings keep every entry in file order (so a key written twice is still seen).
//! Built from yaml-rust2's event parser; typing (numbers, booleans, durations) is left to
//! the decoder, so `02` stays the text "02".

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{Pos, Problem};

/// One node of the document.
#[derive(Clone, Debug)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// Text as written; `plain` is false for quoted and block scalars.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// True for an empty value, `~` or `null` written without quotes.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The scalar's text, if this is a scalar that is not null.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// What kind of value this is, for messages ("text", "a list", "a map", "nothing").
    pub fn kind(&self) -> &'static str {
        match &self.value {
            _ if self.is_null() => "nothing",
            Value::Scalar { .. } => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

fn pos(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    documents: usize,
    extra_document: Option<Pos>,
}

impl Builder {
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None if self.documents == 1 => self.root = Some(node),
            None => {}
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = pos(mark);
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents == 2 {
                    self.extra_document = Some(at);
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let plain = style == TScalarStyle::Plain;
                self.finish(
                    Node {
                        pos: at,
                        value: Value::Scalar { text, plain },
                    },
                    anchor,
                );
            }
            Event::Alias(id) => {
                let found = self.anchors.iter().rev().find(|(a, _)| *a == id);
                if let Some((_, node)) = found {
                    let node = Node {
                        pos: at,
                        value: node.value.clone(),
                    };
                    self.finish(node, 0);
                }
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                pos: at,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                pos: at,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq { pos, anchor, items }) => {
                    self.finish(
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                    );
                }
                Some(Frame::Map {
                    pos,
                    anchor,
                    entries,
                    ..
                }) => {
                    self.finish(
                        Node {
                            pos,
                            value: Value::Map(entries),
                        },
                        anchor,
                    );
                }
                None => {}
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// Parses `text` into its first document's tree. `Ok(None)` for an empty file.
pub fn parse(text: &str) -> Result<Option<Node>, Problem> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(unquoted_star(text).unwrap_or_else(|| Problem::new(pos(*e.marker()), e.info())));
    }
    if let Some(at) = builder.extra_document {
        return Err(Problem::new(
            at,
            "a menu file holds one document: remove this second `---` part",
        ));
    }
    Ok(builder.root)
}

/// The usual cause of a syntax error in a menu: `*: back`, where YAML reads `*` as an
/// alias. Points at the first such key.
fn unquoted_star(text: &str) -> Option<Problem> {
    text.lines().enumerate().find_map(|(i, line)| {
        let indent = line.len() - line.trim_start().len();
        let rest = line[indent..].strip_prefix("- ").unwrap_or(&line[indent..]);
        let column = line.len() - rest.len() + 1;
        rest.starts_with("*:").then(|| {
            let at = Pos {
                line: i + 1,
                column,
            };
            Problem::new(
                at,
                "write the star key in quotes: \"*\": (an unquoted * means something else in YAML)",
            )
        })
    })
}
