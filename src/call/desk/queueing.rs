//! What a queued call asks of the store: the caller's line (for the tier and the senior
//! routing), the newest registration of the agent to ring, keeping a call-back
//! request, and keeping the call's record at its end. Each is bounded by the desk's request timeout; a store that fails or is slow
//! is logged and the call goes on as if nothing was found (an ordinary caller, an agent
//! with no phone), except the call-back request, whose failure the caller's task logs.

use chrono::{FixedOffset, Utc};

use super::{caller_number, Desk, REQUEST_TIMEOUT};
use crate::store::{Binding, NewCallback, StoreError};
use crate::tickets::model::Line;

impl Desk {
    /// The line the caller calls from, if the store knows it.
    pub async fn line(&self, caller: &str) -> Option<Line> {
        let number = caller_number(caller);
        if number.is_empty() {
            return None;
        }
        match tokio::time::timeout(REQUEST_TIMEOUT, self.store.line(&number)).await {
            Ok(Ok(line)) => line,
            Ok(Err(error)) => {
                tracing::warn!(%error, "caller's line lookup failed; taken as ordinary");
                None
            }
            Err(_) => {
                tracing::warn!("caller's line lookup timed out; taken as ordinary");
                None
            }
        }
    }

    /// The agent's newest registration that has not expired.
    pub async fn newest_binding(&self, work_number: &str) -> Option<Binding> {
        let bindings = self.store.bindings(work_number, Utc::now());
        match tokio::time::timeout(REQUEST_TIMEOUT, bindings).await {
            Ok(Ok(bindings)) => bindings.into_iter().next(),
            Ok(Err(error)) => {
                tracing::warn!(%error, work_number, "agent's registrations not readable");
                None
            }
            Err(_) => {
                tracing::warn!(work_number, "agent's registrations lookup timed out");
                None
            }
        }
    }

    /// Keeps a call-back request; its id.
    pub async fn keep_callback(&self, request: &NewCallback) -> Result<i64, StoreError> {
        self.store.add_callback(request).await
    }

    /// The hotline's local time offset (opening hours are local).
    pub fn utc_offset(&self) -> FixedOffset {
        self.calendar.offset()
    }
}
