//! The call task: one tokio task per call that owns its RTP socket and turns the menu
//! engine's actions into media and SIP commands.
