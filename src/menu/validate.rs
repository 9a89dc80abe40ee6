//! Graph checks on a decoded menu: every menu reachable from `start`, and from every
//! reachable menu some `hangup` or `transfer` reachable (no loop without a way out).
//!
//! The moves of a menu are those of its keys, its entry's or recording's `then` and its
//! `on_too_many`, following `then` chains and every branch of a request (`lookup_line`,
//! `submit`, `password_status`, `check_password`, `set_password`): any reply may come. `back` can lead to any menu that has a `goto` to this one
//! (the only way onto the back stack), or to the menu itself when it has none.

use super::schema::{Action, ActionId, Menu, NodeId};
use super::Problem;

/// Where the actions of one menu can lead.
#[derive(Default)]
struct Moves {
    gotos: Vec<NodeId>,
    back: bool,
    top: bool,
    exits: bool,
}

fn moves_of(menu: &Menu, node: NodeId) -> Moves {
    let n = menu.node(node);
    let mut todo: Vec<ActionId> = n.keys.iter().map(|(_, a)| *a).collect();
    todo.extend(n.collect.as_ref().map(|c| c.then));
    todo.extend(n.record.as_ref().map(|r| r.then));
    todo.push(n.settings.on_too_many);
    let mut moves = Moves::default();
    while let Some(id) = todo.pop() {
        let action = menu.action(id);
        match action {
            Action::Goto(to) => moves.gotos.push(*to),
            Action::Back => moves.back = true,
            Action::Top => moves.top = true,
            Action::Hangup { .. } | Action::Transfer { .. } => moves.exits = true,
            _ => {}
        }
        todo.extend(action.next());
    }
    moves
}

/// Unreachable menus and menus with no way out, each at the menu's name.
pub(crate) fn validate(menu: &Menu) -> Vec<Problem> {
    let count = menu.nodes.len();
    let moves: Vec<Moves> = (0..count).map(|n| moves_of(menu, n)).collect();
    // successors[n]: the menus a call in menu n can be in next.
    let successors: Vec<Vec<NodeId>> = (0..count)
        .map(|n| {
            let m = &moves[n];
            let mut next = m.gotos.clone();
            if m.top {
                next.push(menu.start);
            }
            if m.back {
                next.extend((0..count).filter(|&p| moves[p].gotos.contains(&n)));
            }
            next
        })
        .collect();

    let reachable = closure(count, &[menu.start], |n| successors[n].clone());
    let exits: Vec<NodeId> = (0..count).filter(|&n| moves[n].exits).collect();
    let can_end = closure(count, &exits, |n| {
        (0..count).filter(|&p| successors[p].contains(&n)).collect()
    });

    let mut problems = Vec::new();
    for (n, node) in menu.nodes.iter().enumerate() {
        if !reachable[n] {
            let message = format!(
                "menu `{}` can never be reached from the start menu `{}`",
                node.id,
                menu.node(menu.start).id
            );
            problems.push(Problem::new(node.pos, message));
        } else if !can_end[n] {
            let from_here = closure(count, &[n], |m| successors[m].clone());
            let trapped: Vec<&str> = (0..count)
                .filter(|&m| from_here[m])
                .map(|m| menu.node(m).id.as_str())
                .collect();
            let message = format!(
                "menu `{}` has no way out: from it no hangup or transfer can be reached \
                 (the call loops among {})",
                node.id,
                trapped.join(", ")
            );
            problems.push(Problem::new(node.pos, message));
        }
    }
    problems
}

/// Marks every node reachable from `from` by `step`.
fn closure(count: usize, from: &[NodeId], step: impl Fn(NodeId) -> Vec<NodeId>) -> Vec<bool> {
    let mut seen = vec![false; count];
    let mut todo: Vec<NodeId> = from.to_vec();
    while let Some(n) = todo.pop() {
        if !std::mem::replace(&mut seen[n], true) {
            todo.extend(step(n));
        }
    }
    seen
}
