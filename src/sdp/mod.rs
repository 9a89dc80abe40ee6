//! SDP (RFC 4566) parsing and the offer/answer model (RFC 3264) for G.711 audio with
//! RFC 4733 telephone-event. Pure: text in, values out.
