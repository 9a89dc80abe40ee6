//! Starts the SIP transport, the endpoint task and the HTTP server.
