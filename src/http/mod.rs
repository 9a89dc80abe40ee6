//! HTTP: health and Prometheus metrics (axum).
