//! Tests of the menu module.
