//! `GET /console/events`: the console's live updates as server-sent events.
//!
//! - `seat`: the agent's seat (`state`, `reason`, `since`), at once and whenever it changes;
//! - `card`: a call card, for each change on the board about a call offered to or
//!   talking with this agent (every card for supervisors); the agent's current cards
//!   are sent at once;
//! - `overview`: for supervisors, queues, agents, cards and due tickets every
//!   [`OVERVIEW_EVERY`].
//!
//! Decisions: each stream has its own task, which listens to the board and polls the
//! distributor's snapshot every [`SEAT_POLL`] (the seat has no change feed; one snapshot
//! per second per open console is cheap for tens of agents). A listener that falls
//! behind the board's buffer is sent the current cards again. The stream ends when the
//! page goes, or when the session has ended (checked at each poll). Keep-alive comments
//! every 15 s keep proxies from closing it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum_extra::headers::Cookie;
use axum_extra::TypedHeader;
use chrono::Utc;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;

use super::api::{is_own_card, overview_now, own_seat, seat_json};
use super::{api_login, session_token, Console};
use crate::call::board::CallCard;
use crate::http::tickets::ApiError;
use crate::queues::seat::SeatState;

/// How often a stream polls the seat.
pub const SEAT_POLL: Duration = Duration::from_secs(1);

/// How often a supervisor's stream sends the overview.
pub const OVERVIEW_EVERY: Duration = Duration::from_secs(2);

/// Events queued for a slow page before the stream waits for it.
const EVENTS_BUFFERED: usize = 64;

pub(super) async fn stream(
    State(console): State<Arc<Console>>,
    cookies: Option<TypedHeader<Cookie>>,
) -> Result<Response, ApiError> {
    let logged_in = api_login(&console, &cookies).await?;
    let token = session_token(&cookies).unwrap_or_default().to_string();
    let (events, received) = mpsc::channel(EVENTS_BUFFERED);
    let listener = Listener {
        console,
        token,
        work_number: logged_in.agent.work_number.clone(),
        supervisor: logged_in.supervisor(),
        events,
    };
    tokio::spawn(listener.run());
    let stream = ReceiverStream::new(received).map(Ok::<Event, Infallible>);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

struct Listener {
    console: Arc<Console>,
    token: String,
    work_number: String,
    supervisor: bool,
    events: mpsc::Sender<Event>,
}

impl Listener {
    async fn run(self) {
        let mut changes = self.console.seats.board.subscribe();
        let mut seat_poll = tokio::time::interval(SEAT_POLL);
        // The seat last sent (compared as the seat itself: its wall-clock `since` is
        // recomputed at each poll).
        let mut last_seat: Option<Option<SeatState>> = None;
        let mut last_overview = Instant::now() - OVERVIEW_EVERY;
        if !self.send_cards().await {
            return;
        }
        loop {
            tokio::select! {
                change = changes.recv() => {
                    let sent = match change {
                        Ok(card) if self.sees(&card) => self.send("card", &card).await,
                        Ok(_) => true,
                        Err(RecvError::Lagged(_)) => self.send_cards().await,
                        Err(RecvError::Closed) => return,
                    };
                    if !sent {
                        return;
                    }
                }
                _ = seat_poll.tick() => {
                    if self.console.sessions.touch(&self.token, Instant::now()).is_none() {
                        return;
                    }
                    let Ok((queues, agents)) = self.console.seats.distributor.snapshot().await
                    else {
                        return;
                    };
                    let seat = own_seat(&agents, &self.work_number).cloned();
                    if last_seat.as_ref() != Some(&seat) {
                        let shown = seat_json(seat.as_ref(), Instant::now(), Utc::now());
                        if !self.send("seat", &shown).await {
                            return;
                        }
                        last_seat = Some(seat);
                    }
                    if self.supervisor && last_overview.elapsed() >= OVERVIEW_EVERY {
                        last_overview = Instant::now();
                        let overview = overview_now(&self.console, &queues, &agents).await;
                        if !self.send("overview", &overview).await {
                            return;
                        }
                    }
                }
            }
        }
    }

    fn sees(&self, card: &CallCard) -> bool {
        self.supervisor || is_own_card(card, &self.work_number)
    }

    /// Every card this listener sees; false when the page has gone.
    async fn send_cards(&self) -> bool {
        for card in self.console.seats.board.cards(Utc::now()) {
            if self.sees(&card) && !self.send("card", &card).await {
                return false;
            }
        }
        true
    }

    /// One event; false when the page has gone.
    async fn send(&self, name: &str, data: &impl serde::Serialize) -> bool {
        let Ok(event) = Event::default().event(name).json_data(data) else {
            return true;
        };
        self.events.send(event).await.is_ok()
    }
}
